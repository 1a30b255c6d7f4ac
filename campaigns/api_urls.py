"""API routes of the campaigns area, mounted under /api/v1/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from campaigns import api

router = SimpleRouter()
router.register("campaigns", api.CampaignViewSet, basename="campaign")
urlpatterns = [
    path(
        "campaigns/<int:campaign_pk>/touches/",
        api.CampaignTouchListView.as_view(),
        name="campaign-touches",
    ),
    path(
        "campaigns/<int:campaign_pk>/touches/bulk/",
        api.CampaignTouchBulkView.as_view(),
        name="campaign-touches-bulk",
    ),
    *router.urls,
]
