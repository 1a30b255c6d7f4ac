"""Pages of the campaigns area."""

from django.urls import path

from campaigns.views import campaign, comparison, listing, records, touches

app_name = "campaigns"
urlpatterns = [
    path("", listing.campaign_list, name="list"),
    path("calendar/", listing.campaign_calendar, name="calendar"),
    path("compare/", comparison.campaign_comparison, name="comparison"),
    path("new/", campaign.campaign_create, name="create"),
    path("<int:pk>/", campaign.campaign_detail, name="detail"),
    path("<int:pk>/edit/", campaign.campaign_edit, name="edit"),
    path("<int:pk>/move/", campaign.campaign_move, name="move"),
    path("<int:pk>/spend/", records.spend_add, name="spend_add"),
    path("<int:pk>/checklist/", records.checklist_add, name="checklist_add"),
    path(
        "<int:pk>/checklist/<int:item_pk>/done/", records.checklist_toggle, name="checklist_toggle"
    ),
    path("<int:pk>/reviews/", records.review_add, name="review_add"),
    path("<int:pk>/touches/", touches.campaign_touches, name="touches"),
]
