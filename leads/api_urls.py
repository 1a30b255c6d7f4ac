"""API routes of the leads area, mounted under /api/v1/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from leads.api import LeadExportView, LeadViewSet

router = SimpleRouter()
router.register("leads", LeadViewSet, basename="lead")
urlpatterns = [
    path("leads/export.csv", LeadExportView.as_view(), name="lead-export"),
    *router.urls,
]
