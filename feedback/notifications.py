"""What the feedback area tells people: the author hears back from marketing."""

from django.urls import reverse

from accounts.notifications import Notice, notify
from feedback.models import FeedbackComment, FeedbackStatusChange


def notify_feedback_answered(*, status_change_id: int) -> bool:
    """Tell the author of the item that marketing moved it; once per status change."""
    change = FeedbackStatusChange.objects.select_related("item__author", "actor").get(
        pk=status_change_id
    )
    item = change.item
    if change.actor_id == item.author_id:
        return False
    outcome = change.get_to_status_display().lower()
    message = f"{change.actor} marked your feedback “{item.text[:80]}” as {outcome}."
    if change.answer:
        message += f"\n\nAnswer: {change.answer}"
    notice = Notice(
        kind="feedback_answer",
        subject=f"Your feedback was {change.get_to_status_display().lower()}",
        message=message,
        url=reverse("feedback:detail", args=[item.pk]),
        dedupe_key=f"feedback_answer:{change.pk}",
    )
    return bool(notify(recipients=[item.author], notice=notice))


def notify_feedback_comment(*, comment_id: int) -> bool:
    """Tell the author of the item about a new comment by someone else; once per comment."""
    comment = FeedbackComment.objects.select_related("item__author", "author").get(pk=comment_id)
    item = comment.item
    if comment.author_id == item.author_id:
        return False
    notice = Notice(
        kind="feedback_comment",
        subject="New comment on your feedback",
        message=f"{comment.author} wrote: {comment.text}",
        url=reverse("feedback:detail", args=[item.pk]),
        dedupe_key=f"feedback_comment:{comment.pk}",
    )
    return bool(notify(recipients=[item.author], notice=notice))
