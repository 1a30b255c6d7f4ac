"""Pages of the leads area (the CSV import lives apart, in leads/import_urls.py)."""

from django.urls import path

from leads.views import desks, lead_page, listing, mappings, reason_codes, records

app_name = "leads"
urlpatterns = [
    path("", listing.lead_list, name="list"),
    path("inbox/", desks.inbox, name="inbox"),
    path("rejected/", desks.rejected, name="rejected"),
    path("new/", records.lead_create, name="create"),
    path("reason-codes/", reason_codes.reason_codes, name="reason_codes"),
    path("mappings/", mappings.mapping_list, name="mappings"),
    path("mappings/<int:pk>/", mappings.mapping_edit, name="mapping_edit"),
    path("mappings/<int:pk>/delete/", mappings.mapping_delete, name="mapping_delete"),
    path("<int:pk>/", lead_page.lead_detail, name="detail"),
    path("<int:pk>/edit/", records.lead_edit, name="edit"),
    path("<int:pk>/move/<slug:action>/", lead_page.lead_move, name="move"),
    path("<int:pk>/touch/", lead_page.lead_touch, name="touch"),
    path("<int:pk>/reassign/", lead_page.lead_reassign, name="reassign"),
]
