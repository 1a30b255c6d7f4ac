"""API routes of the kpis area, mounted under /api/v1/."""

from django.urls import path

from kpis import api

urlpatterns = [
    path("kpis/", api.KpiListView.as_view(), name="api-kpis"),
    path("kpis/funnel/", api.FunnelView.as_view(), name="api-kpis-funnel"),
    path("kpis/velocity/", api.VelocityView.as_view(), name="api-kpis-velocity"),
    path("kpis/sla-compliance/", api.SlaComplianceView.as_view(), name="api-kpis-sla-compliance"),
]
