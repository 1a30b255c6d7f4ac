"""What the leads area does after its own events commit. Thin: each calls one service."""

from events import catalog
from events.models import Event
from events.registry import after_commit
from leads import notifications
from leads.services import csv_import


@after_commit(catalog.LEAD_HANDED_OVER, catalog.LEAD_REASSIGNED, queue="notifications")
def notify_new_owner(event: Event) -> None:
    """Tell the seller a hand-over or a reassignment gave the lead to."""
    notifications.notify_handover(stage_change_id=event.data["stage_change_id"])


# Not atomic: the import commits chunk by chunk (its progress bar moves), and is
# idempotent on its own (claimed pending → running; re-sent rows come back unchanged).
@after_commit(catalog.LEAD_IMPORT_REQUESTED, queue="imports", atomic=False)
def import_leads_csv(event: Event) -> None:
    """Import an uploaded CSV of leads in chunks."""
    csv_import.lead_import_run(import_id=event.object_id)
