"""API routes of the feedback area, mounted under /api/v1/."""

from rest_framework.routers import SimpleRouter

from feedback.api import FeedbackViewSet

router = SimpleRouter()
router.register("feedback", FeedbackViewSet, basename="feedback")
urlpatterns = router.urls
