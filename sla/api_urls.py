"""API routes of the sla area, mounted under /api/v1/."""

from rest_framework.routers import SimpleRouter

from sla.api import BreachViewSet, SLAViewSet

router = SimpleRouter()
router.register("slas", SLAViewSet, basename="sla")
router.register("breaches", BreachViewSet, basename="breach")
urlpatterns = router.urls
