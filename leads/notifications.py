"""What the leads area tells people."""

from django.urls import reverse

from accounts.notifications import Notice, notify
from leads.models import LeadStageChange


def notify_handover(*, stage_change_id: int) -> bool:
    """Notify the owner a hand-over or reassignment gave the lead to; once per change."""
    change = LeadStageChange.objects.select_related("lead", "to_owner").get(pk=stage_change_id)
    if change.to_owner is None:
        return False
    lead = change.lead
    verb = (
        "reassigned to you" if change.action == LeadStageChange.Action.REASSIGN else "handed to you"
    )
    notice = Notice(
        kind="handover",
        subject=f"New MQL: {lead}",
        message=f"{lead} was {verb}. Accept or reject it in your inbox.",
        url=reverse("leads:detail", args=[lead.pk]),
        dedupe_key=f"handover:{change.pk}",
    )
    return bool(notify(recipients=[change.to_owner], notice=notice))
