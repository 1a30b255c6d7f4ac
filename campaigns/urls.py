"""Pages of the campaigns area."""

from django.urls import path

from campaigns import views

app_name = "campaigns"
urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("calendar/", views.campaign_calendar, name="calendar"),
    path("compare/", views.campaign_comparison, name="comparison"),
    path("new/", views.campaign_create, name="create"),
    path("<int:pk>/", views.campaign_detail, name="detail"),
    path("<int:pk>/edit/", views.campaign_edit, name="edit"),
    path("<int:pk>/move/", views.campaign_move, name="move"),
    path("<int:pk>/spend/", views.spend_add, name="spend_add"),
    path("<int:pk>/checklist/", views.checklist_add, name="checklist_add"),
    path("<int:pk>/checklist/<int:item_pk>/done/", views.checklist_toggle, name="checklist_toggle"),
    path("<int:pk>/reviews/", views.review_add, name="review_add"),
    path("<int:pk>/touches/", views.campaign_touches, name="touches"),
]
