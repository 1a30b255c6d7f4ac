"""API routes of the integrations area, mounted under /api/v1/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from integrations.api import ChangesView, WebhookEndpointViewSet

router = SimpleRouter()
router.register("webhooks", WebhookEndpointViewSet, basename="webhook")
urlpatterns = [path("changes/", ChangesView.as_view(), name="api-changes"), *router.urls]
