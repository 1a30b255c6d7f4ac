"""Pages of the leads area (the CSV import lives apart, in leads/import_urls.py)."""

from django.urls import path

from leads import views

app_name = "leads"
urlpatterns = [
    path("", views.lead_list, name="list"),
    path("inbox/", views.inbox, name="inbox"),
    path("rejected/", views.rejected, name="rejected"),
    path("new/", views.lead_create, name="create"),
    path("reason-codes/", views.reason_codes, name="reason_codes"),
    path("<int:pk>/", views.lead_detail, name="detail"),
    path("<int:pk>/edit/", views.lead_edit, name="edit"),
    path("<int:pk>/move/<slug:action>/", views.lead_move, name="move"),
    path("<int:pk>/touch/", views.lead_touch, name="touch"),
    path("<int:pk>/reassign/", views.lead_reassign, name="reassign"),
]
