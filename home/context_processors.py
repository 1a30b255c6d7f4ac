from django.utils.functional import SimpleLazyObject

from accounts.models import Notification
from home.navigation import nav_for


def navigation(request) -> dict:
    """The navigation bar and the unread-notifications badge of the top bar.

    The count is lazy: one COUNT (on notification_unread_idx) when a page's top bar
    shows it, none for partial htmx answers that never render it.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_entries": [], "unread_notifications": 0}
    return {
        "nav_entries": nav_for(user),
        "unread_notifications": SimpleLazyObject(
            lambda: Notification.objects.filter(recipient=user, read_at__isnull=True).count()
        ),
    }
