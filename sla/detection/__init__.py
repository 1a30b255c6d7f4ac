"""Breach detection: one set-based statement per kind, idempotent under re-runs and races.

Each obligation on an SLA clock has a state (open → met or breached). The detector only
looks at open obligations through partial indexes, inserts the breaches it finds with
INSERT … SELECT … ON CONFLICT DO NOTHING (the unique constraints are the guard when two
workers run at once), then settles the obligations so the next run skips them. Its cost
follows what is open or found, not the number of leads.

By topic: ``clocks`` (the per-lead obligations of each hand-over), ``period_targets``
(marketing's per-period commitments), ``campaign_feedback`` (sales' feedback on campaigns),
and ``inserts`` (how a breach row is written). This module runs them in order.
"""

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from events import catalog
from events.services import events_record_many
from sla.detection.campaign_feedback import campaign_feedback_breaches_record
from sla.detection.clocks import (
    decision_breaches_record,
    decisions_sync,
    first_touch_breaches_record,
    persistence_breaches_record,
    rejection_breaches_record,
)
from sla.detection.period_targets import period_breaches_record
from sla.models import Breach, SLAVersion, VersionStatus
from sla.services import version_transition


def breaches_detect(*, now: datetime) -> list[int]:
    """Record every breach that is due at ``now``; return the ids of the new ones.

    Each kind commits on its own with the ``breach.created`` events of what it found, so
    the notifications (sla.handlers) go out for exactly the breaches recorded.
    """
    with transaction.atomic():
        versions_expire(now=now)
    with transaction.atomic():
        decisions_sync(now=now)
    new_ids: list[int] = []
    for record in (
        rejection_breaches_record,
        decision_breaches_record,
        first_touch_breaches_record,
        persistence_breaches_record,
        period_breaches_record,
        campaign_feedback_breaches_record,
    ):
        with transaction.atomic():
            found = record(now=now)
            _record_events(found, now=now)
        new_ids += found
    return new_ids


def _record_events(breach_ids: list[int], *, now: datetime) -> None:
    """One ``breach.created`` event per new breach, in one INSERT."""
    rows = Breach.objects.filter(pk__in=breach_ids).values(
        "pk",
        "kind",
        "side",
        "version_id",
        "lead_id",
        "owner_id",
        "campaign_id",
        "due_at",
        "period_start",
    )
    items = []
    for row in rows:
        data: dict[str, Any] = dict(row)
        items.append((data.pop("pk"), data))
    events_record_many(catalog.BREACH_CREATED, items=items, occurred_at=now)


def versions_expire(*, now: datetime) -> int:
    """Active versions past their validity become expired."""
    expired = 0
    for version in SLAVersion.objects.filter(
        status=VersionStatus.ACTIVE, valid_until__lt=timezone.localdate(now)
    ):
        version_transition(
            version=version,
            to_status=VersionStatus.EXPIRED,
            actor=None,
            comment="Validity ended.",
        )
        expired += 1
    return expired
