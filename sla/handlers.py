"""What the SLA area does when things happen below it. Thin: each calls one service."""

from events import catalog
from events.models import Event
from events.registry import after_commit, in_transaction
from sla import notifications, services


@in_transaction(catalog.LEAD_HANDED_OVER)
def judge_handover(event: Event) -> None:
    """Check the MQL definition and start the SLA clock, inside the hand-over's transaction."""
    services.handover_judge(
        lead_id=event.object_id,
        stage_change_id=event.data["stage_change_id"],
        actor=event.actor,
        override_reason=event.data.get("override_reason", ""),
    )


@after_commit(catalog.BREACH_CREATED, queue="notifications")
def notify_breach(event: Event) -> None:
    """Tell the responsible side about a new breach."""
    notifications.breach_notify(breach_id=event.object_id)
