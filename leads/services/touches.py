"""Writes for a seller's contact attempts (touches) on a lead."""

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from events import catalog
from events.services import event_record
from leads import permissions
from leads.models import Lead, Touch

# touch.created also reports campaign touches; this is how the payload tells them apart.
SALES_CHANNEL = "sales"


@transaction.atomic
def touch_log(
    *, lead: Lead, actor: User, kind: str, note: str = "", occurred_at: datetime | None = None
) -> Touch:
    """Record a seller's contact attempt; the first one is the lead's first touch."""
    if not permissions.can_log_touch(actor, lead):
        raise PermissionDenied(_("Only the lead's owner or a sales manager can log touches."))
    now = timezone.now()
    occurred_at = occurred_at or now
    if occurred_at > now:
        raise ValidationError({"occurred_at": _("A touch cannot be in the future.")})
    touch = Touch(lead=lead, kind=kind, actor=actor, note=note, occurred_at=occurred_at)
    touch.full_clean()
    touch.save()
    # Earliest attempt wins, even when an older touch is logged late.
    Lead.objects.filter(pk=lead.pk).filter(
        Q(first_touch_at__isnull=True) | Q(first_touch_at__gt=occurred_at)
    ).update(first_touch_at=occurred_at, updated_at=now)
    lead.refresh_from_db(fields=["first_touch_at", "updated_at"])
    event_record(
        catalog.TOUCH_CREATED,
        obj=lead,
        actor=actor,
        occurred_at=now,
        data={
            "channel": SALES_CHANNEL,
            "touch_id": touch.pk,
            "kind": kind,
            "campaign_id": None,
            "touched_at": occurred_at,
        },
    )
    return touch
