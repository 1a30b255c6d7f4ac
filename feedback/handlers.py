"""What the feedback area does when things happen. Thin: each calls one service."""

from events import catalog
from events.models import Event
from events.registry import after_commit, in_transaction
from feedback import notifications, services
from leads.models import Stage


@in_transaction(catalog.LEAD_STAGE_CHANGED)
def sync_rejection_feedback(event: Event) -> None:
    """A rejection becomes feedback; recycling or disqualifying it actions that feedback."""
    if Stage.REJECTED in (event.data["to_stage"], event.data["from_stage"]):
        services.rejection_feedback_sync(stage_change_id=event.data["stage_change_id"])


@after_commit(catalog.FEEDBACK_ANSWERED, queue="notifications")
def notify_author_of_answer(event: Event) -> None:
    """Tell the author what marketing did with their feedback."""
    notifications.notify_feedback_answered(status_change_id=event.data["status_change_id"])


@after_commit(catalog.FEEDBACK_COMMENTED, queue="notifications")
def notify_author_of_comment(event: Event) -> None:
    """Tell the author that someone else wrote in the thread of their feedback."""
    notifications.notify_feedback_comment(comment_id=event.data["comment_id"])
