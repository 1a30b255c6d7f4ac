"""Demo SLA: an older superseded version, a signed active one, a draft awaiting signatures,
SLA clocks for the demo hand-overs, and the breaches that follow from the demo leads.

Runs after the leads demo. Versions are made and signed through the services (so the
fingerprints and history are real), then their bookkeeping times are moved into the past
so they match the demo leads' 18 months of history. Clocks are bulk-inserted for every
hand-over in the leads' history (unique per hand-over, so a re-run adds only new ones);
then the detector records the breaches. Idempotent.
"""

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from accounts.models import User
from leads.models import ChangeAction, LeadStageChange, Stage
from sla import detection, services
from sla.business_hours import add_business_hours, calendar_for
from sla.detection.clocks import clock_decide
from sla.models import (
    SLA,
    Breach,
    Period,
    Signature,
    SLAClock,
    SLAVersion,
    SLAVersionChange,
    VersionStatus,
)
from sla.terms import terms_fingerprint

DEMO_SLA_NAME = "Marketing ↔ Sales"
BATCH = 5_000
V1_AGE_DAYS = 548
V2_AGE_DAYS = 150

V1_TERMS: dict[str, Any] = {
    "mql_target": 120,
    "acceptance_rate_target": 40,
    "mql_min_score": 50,
    "mql_required_fields": ["last_name"],
    "decision_hours": 16,
    "first_touch_hours": 8,
    "min_attempts": 3,
    "rejection_comment_required": False,
    "feedback_days": 7,
    "period": Period.MONTH,
    "time_zone": "Europe/Berlin",
    "working_days": [0, 1, 2, 3, 4],
    "day_start": time(9, 0),
    "day_end": time(17, 0),
    "holidays": ["2025-12-25", "2025-12-26", "2026-01-01", "2026-12-25", "2026-12-26"],
    "valid_until": None,
}


def seed(*, seed: int, leads: int, out) -> None:
    people = _people()
    if people is None:
        out.write("SLA demo skipped: the demo users are missing.")
        return
    sla = SLA.objects.filter(name=DEMO_SLA_NAME).first()
    if sla is None:
        sla = _agreement(people)
        out.write(f"Demo SLA “{sla.name}”: v1 superseded, v2 active, v3 awaiting signatures.")
    clocks = _clocks_top_up(sla)
    before = Breach.objects.count()
    now = timezone.now()
    # The demo's history already happened: old breaches are marked notified in the same
    # transaction as their detection, so only the last day's reach people (through the
    # breach.created events, after commit) and the demo inboxes are not flooded.
    with transaction.atomic():
        breach_ids = detection.breaches_detect(now=now)
        recent = now - timedelta(days=1)
        Breach.objects.filter(pk__in=breach_ids, due_at__lt=recent).update(notified_at=now)
    out.write(
        f"SLA clocks: {clocks:,} new. Breaches: {Breach.objects.count() - before:,} new "
        f"({Breach.objects.count():,} in all)."
    )


def _people() -> dict[str, User] | None:
    names = ("marketing_manager", "sales_manager", "executive")
    people = {user.username: user for user in User.objects.filter(username__in=names)}
    return people if len(people) == len(names) else None


def _sign_all(version: SLAVersion, people: dict[str, User], names=None) -> SLAVersion:
    for name in names or ("marketing_manager", "sales_manager", "executive"):
        version.refresh_from_db()
        services.version_sign(
            version=version, actor=people[name], fingerprint=terms_fingerprint(version)
        )
    version.refresh_from_db()
    return version


def _backdate(version: SLAVersion, *, created, activated=None, ended=None) -> None:
    SLAVersion.objects.filter(pk=version.pk).update(
        created_at=created, activated_at=activated, ended_at=ended
    )
    for index, signature in enumerate(version.signatures.order_by("signed_at")):
        Signature.objects.filter(pk=signature.pk).update(
            signed_at=created + timedelta(days=2 + 2 * index)
        )
    for change in version.changes.all():
        moments: dict[str, datetime | None] = {
            VersionStatus.DRAFT: created,
            VersionStatus.AWAITING_SIGNATURES: created + timedelta(days=2),
            VersionStatus.ACTIVE: activated,
            VersionStatus.SUPERSEDED: ended,
        }
        moment = moments.get(change.to_status)
        if moment is not None:
            SLAVersionChange.objects.filter(pk=change.pk).update(created_at=moment)


def _agreement(people: dict[str, User]) -> SLA:
    now = timezone.now()
    today = timezone.localdate(now)
    marketing = people["marketing_manager"].team
    sales = people["sales_manager"].team
    assert marketing is not None, "the demo's marketing manager has a team"
    assert sales is not None, "the demo's sales manager has a team"
    # Volume targets follow the demo's own size, so some months make it and some miss.
    handovers = LeadStageChange.objects.filter(
        action=ChangeAction.QUALIFY, created_at__gte=now - timedelta(days=V1_AGE_DAYS)
    ).count()
    monthly = max(10, round(handovers / (V1_AGE_DAYS / 30.4)))
    v1 = services.sla_create(
        actor=people["marketing_manager"],
        name=DEMO_SLA_NAME,
        marketing_team=marketing,
        sales_team=sales,
        valid_from=today - timedelta(days=V1_AGE_DAYS),
        **{**V1_TERMS, "mql_target": round(monthly * 0.6)},
    )
    _sign_all(v1, people)
    v2 = services.version_amend(
        version=v1,
        actor=people["sales_manager"],
        decision_hours=8,
        first_touch_hours=4,
        min_attempts=4,
        rejection_comment_required=True,
        valid_from=today - timedelta(days=V2_AGE_DAYS),
    )
    v2 = services.version_amend(
        version=v2,
        actor=people["marketing_manager"],
        mql_target=round(monthly * 0.85),
        acceptance_rate_target=45,
        mql_min_score=60,
    )
    _sign_all(v2, people)
    v1_created = now - timedelta(days=V1_AGE_DAYS + 10)
    v1_active = now - timedelta(days=V1_AGE_DAYS)
    v2_created = now - timedelta(days=V2_AGE_DAYS + 10)
    v2_active = now - timedelta(days=V2_AGE_DAYS)
    _backdate(v1, created=v1_created, activated=v1_active, ended=v2_active)
    _backdate(v2, created=v2_created, activated=v2_active)
    # A proposal on the table: marketing raises its volume, sales and the sponsor to sign.
    v3 = services.version_amend(
        version=v2,
        actor=people["marketing_manager"],
        mql_target=monthly,
        valid_from=date(today.year + (today.month == 12), today.month % 12 + 1, 1),
    )
    _sign_all(v3, people, names=("marketing_manager",))
    return SLAVersion.objects.get(pk=v1.pk).sla


def _clocks_top_up(sla: SLA) -> int:
    """One clock per hand-over in the demo history, judged by the version active then.

    Decisions already in the history are filled in at once (with their first-touch due
    times), which is what the detector's sync would do on its first run, in one pass.
    """
    versions = list(sla.versions.filter(activated_at__isnull=False).order_by("activated_at"))
    if not versions:
        return 0
    calendars = {version.pk: calendar_for(version) for version in versions}
    first_active = versions[0].activated_at
    existing_latest = SLAClock.objects.filter(version__sla=sla).order_by("-handed_over_at").first()
    handovers = LeadStageChange.objects.filter(
        action=ChangeAction.QUALIFY, to_stage=Stage.MQL, created_at__gte=first_active
    )
    if existing_latest is not None:
        handovers = handovers.filter(created_at__gt=existing_latest.handed_over_at)
    # The decision of each hand-over: the first move out of MQL after it.
    decision = LeadStageChange.objects.filter(
        lead=OuterRef("lead_id"), from_stage=Stage.MQL, created_at__gte=OuterRef("created_at")
    ).order_by("created_at", "id")
    rows = handovers.annotate(
        decided_at=Subquery(decision.values("created_at")[:1]),
        decided_to=Subquery(decision.values("to_stage")[:1]),
    ).values_list("lead_id", "to_owner_id", "created_at", "decided_at", "decided_to")
    created = 0
    batch: list[SLAClock] = []
    for lead_id, owner_id, handed_over_at, decided_at, decided_to in rows.iterator(
        chunk_size=BATCH
    ):
        version = versions[0]
        for candidate in versions:
            # Only activated versions were listed: activated_at is set.
            if candidate.activated_at is not None and candidate.activated_at <= handed_over_at:
                version = candidate
        calendar = calendars[version.pk]
        clock = SLAClock(
            lead_id=lead_id,
            owner_id=owner_id,
            version=version,
            handed_over_at=handed_over_at,
            decision_due_at=add_business_hours(handed_over_at, version.decision_hours, calendar),
        )
        if decided_at is not None:
            clock_decide(clock, decided_at=decided_at, to_stage=decided_to, calendar=calendar)
        batch.append(clock)
        if len(batch) >= BATCH:
            created += _write(batch)
            batch = []
    if batch:
        created += _write(batch)
    return created


def _write(batch: list[SLAClock]) -> int:
    SLAClock.objects.bulk_create(batch, batch_size=BATCH, ignore_conflicts=True)
    return len(batch)
