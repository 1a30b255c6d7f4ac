"""Reads for SLAs: the agreement, due times, breaches and compliance.

Other areas call ``decision_due_by_lead``, ``breach_counts_by_side``,
``compliance_by_side`` and ``breached_lead_ids``; each is one or a few aggregate queries.
"""

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any, Literal, TypedDict, cast, overload
from zoneinfo import ZoneInfo

from django.db.models import Count, F, Field, Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise

from accounts.models import User
from accounts.roles import Role
from sla import periods, permissions
from sla.models import (
    REQUIRED_SIGNATORY_ROLES,
    SLA,
    TERM_FIELDS,
    Breach,
    BreachKind,
    ClockDecision,
    ObligationState,
    Period,
    Side,
    SLAClock,
    SLAVersion,
    VersionStatus,
)


class ObligationShare(TypedDict):
    """Obligations of one side (or seller) that fell due in a range, and the share met."""

    met: int
    breached: int
    obligations: int
    share: float | None  # None when there were none


class _OwnerTally(TypedDict):
    met: dict[str, int]  # met_decision, met_first_touch, rejections
    breaches: dict[str, int]  # by breach kind


class PeriodFigures(TypedDict):
    mqls: int
    decided: int
    accepted: int
    acceptance_rate: float | None  # %, None before any decision


class SellerCompliance(TypedDict):
    seller: User | None
    met: int
    breached: int
    obligations: int
    share: float | None


class TermChange(TypedDict):
    name: str
    label: str | Promise  # a verbose name, maybe lazily translated
    old: object
    new: object


class TargetAtRisk(TypedDict):
    version: SLAVersion
    period: str
    elapsed: int  # % of the period
    mqls: int
    mql_target: int
    projected_mqls: int
    volume_at_risk: bool
    acceptance_rate: float | None
    acceptance_rate_target: float
    rate_at_risk: bool


class BreachedLead(TypedDict):
    lead_id: int


def decision_due_by_lead(lead_ids: Iterable[int]) -> dict[int, datetime]:
    """When each of these MQLs must be accepted or rejected, by the SLA of its hand-over.

    One query for the whole page. Leads without an SLA clock are absent.
    """
    ids = list(lead_ids)
    if not ids:
        return {}
    return dict(
        SLAClock.objects.filter(
            lead_id__in=ids, handed_over_at=F("lead__handed_over_at")
        ).values_list("lead_id", "decision_due_at")
    )


def breach_counts_by_side(*, since: datetime, until: datetime) -> dict[str, int]:
    """Breaches that fell due in [since, until), per responsible side ("marketing", "sales").

    Counted by due time (a breach is recorded within one detector run of it).
    """
    counts = dict(
        Breach.objects.filter(due_at__gte=since, due_at__lt=until)
        .order_by()
        .values_list("side")
        .annotate(n=Count("pk"))
        .values_list("side", "n")
    )
    return {Side.MARKETING: counts.get(Side.MARKETING, 0), Side.SALES: counts.get(Side.SALES, 0)}


@overload
def _sales_obligations(
    since: datetime, until: datetime, owner_field: None = None
) -> ObligationShare: ...
@overload
def _sales_obligations(
    since: datetime, until: datetime, owner_field: Literal["lead__owner"]
) -> dict[int, ObligationShare]: ...
def _sales_obligations(
    since: datetime, until: datetime, owner_field: str | None = None
) -> ObligationShare | dict[int, ObligationShare]:
    """Met and breached sales obligations due in [since, until), optionally per owner.

    Obligations: each decision, each first touch, each recycle judged, each rejection
    where a comment is required. Met ones are counted on the clocks; breached ones are
    the breach rows (so both views agree with the breach list).
    """
    clocks = SLAClock.objects.order_by()
    decision = Q(decision_state=ObligationState.MET, decision_due_at__gte=since) & Q(
        decision_due_at__lt=until
    )
    first_touch = Q(
        first_touch_state=ObligationState.MET,
        first_touch_due_at__gte=since,
        first_touch_due_at__lt=until,
    )
    rejection = Q(
        decision=ClockDecision.REJECTED,
        version__rejection_comment_required=True,
        decided_at__gte=since,
        decided_at__lt=until,
    )
    aggregates = {
        "met_decision": Count("pk", filter=decision),
        "met_first_touch": Count("pk", filter=first_touch),
        "rejections": Count("pk", filter=rejection),
    }
    breaches = Breach.objects.filter(side=Side.SALES, due_at__gte=since, due_at__lt=until)
    if owner_field is None:
        met = clocks.filter(
            Q(decision_due_at__lt=until) | Q(first_touch_due_at__lt=until) | Q(decided_at__lt=until)
        ).aggregate(**aggregates)
        by_kind = dict(
            breaches.order_by().values_list("kind").annotate(n=Count("pk")).values_list("kind", "n")
        )
        return _sales_share(met, by_kind)
    rows = (
        clocks.filter(lead__owner__isnull=False)
        .values_list("lead__owner_id")
        .annotate(**aggregates)
        # The plugin cannot see names annotated from a ** dict (they are in `aggregates`).
        .values_list(  # type: ignore[misc]
            "lead__owner_id", "met_decision", "met_first_touch", "rejections"
        )
    )
    breach_rows = (
        breaches.exclude(owner__isnull=True)
        .order_by()
        .values_list("owner_id", "kind")
        .annotate(n=Count("pk"))
    )
    per_owner: dict[int, _OwnerTally] = {}
    for owner_id, decision_met, first_touch_met, rejections in rows:
        per_owner[owner_id] = {
            "met": {
                "met_decision": decision_met,
                "met_first_touch": first_touch_met,
                "rejections": rejections,
            },
            "breaches": {},
        }
    for owner_id, kind, n in breach_rows:
        entry = per_owner.setdefault(
            owner_id,
            {"met": {"met_decision": 0, "met_first_touch": 0, "rejections": 0}, "breaches": {}},
        )
        entry["breaches"][kind] = n
    return {
        owner_id: _sales_share(entry["met"], entry["breaches"])
        for owner_id, entry in per_owner.items()
    }


def _sales_share(met: Mapping[str, int], by_kind: Mapping[str, int]) -> ObligationShare:
    rejections_breached = by_kind.get(BreachKind.REJECTION_WITHOUT_COMMENT, 0)
    met_count = (
        met["met_decision"]
        + met["met_first_touch"]
        + max(met["rejections"] - rejections_breached, 0)
    )
    breached = sum(by_kind.values())
    total = met_count + breached
    return {
        "met": met_count,
        "breached": breached,
        "obligations": total,
        "share": round(met_count / total, 4) if total else None,
    }


def _marketing_obligations(since: datetime, until: datetime) -> ObligationShare:
    """Per-period commitments (volume, acceptance rate) whose period ended in [since, until)."""
    total = 0
    for version in SLAVersion.objects.filter(activated_at__isnull=False):
        for start in periods.judged_periods(version, min(until, timezone.now())):
            _begins, ends = periods.period_bounds(start, version.period, version.time_zone)
            if since <= ends < until:
                total += 2
    breached = Breach.objects.filter(
        side=Side.MARKETING, due_at__gte=since, due_at__lt=until
    ).count()
    total = max(total, breached)
    return {
        "met": total - breached,
        "breached": breached,
        "obligations": total,
        "share": round((total - breached) / total, 4) if total else None,
    }


def period_figures(version: SLAVersion, start: date, now: datetime | None = None) -> PeriodFigures:
    """MQLs handed over and decisions in one period of ``version``'s SLA (two aggregates)."""
    begins, ends = periods.period_bounds(start, version.period, version.time_zone)
    if now is not None:
        ends = min(ends, now)
    figures = SLAClock.objects.filter(
        version__sla_id=version.sla_id, handed_over_at__gte=begins, handed_over_at__lt=ends
    ).aggregate(
        mqls=Count("pk"),
        decided=Count("pk", filter=~Q(decision=ClockDecision.UNDECIDED)),
        accepted=Count("pk", filter=Q(decision=ClockDecision.ACCEPTED)),
    )
    decided = figures["decided"]
    return {
        "mqls": figures["mqls"],
        "decided": decided,
        "accepted": figures["accepted"],
        "acceptance_rate": round(100 * figures["accepted"] / decided, 2) if decided else None,
    }


def compliance_detail(*, since: datetime, until: datetime) -> dict[str, ObligationShare]:
    """Met, breached, total and share of obligations per side in [since, until)."""
    return {
        Side.MARKETING: _marketing_obligations(since, until),
        Side.SALES: _sales_obligations(since, until),
    }


def compliance_by_side(*, since: datetime, until: datetime) -> dict[str, float | None]:
    """Share of obligations met in [since, until) per side; None when there were none."""
    detail = compliance_detail(since=since, until=until)
    return {side: figures["share"] for side, figures in detail.items()}


def compliance_by_seller(*, since: datetime, until: datetime) -> list[SellerCompliance]:
    """Sales compliance per seller (the lead's owner), worst first."""
    per_owner = _sales_obligations(since, until, owner_field="lead__owner")
    people = User.objects.in_bulk(list(per_owner))
    rows: list[SellerCompliance] = [
        {"seller": people.get(owner_id), **figures}
        for owner_id, figures in per_owner.items()
        if figures["obligations"]
    ]
    rows.sort(key=lambda row: (row["share"] if row["share"] is not None else 2, str(row["seller"])))
    return rows


def breached_lead_ids() -> QuerySet[Breach, BreachedLead]:
    """Ids of leads with at least one sales breach, as a subquery: ``filter(id__in=…)``."""
    return Breach.objects.filter(side=Side.SALES, lead__isnull=False).order_by().values("lead_id")


# ------------------------------------------------------------------ the agreement


def sla_list() -> QuerySet[SLA]:
    return SLA.objects.select_related("marketing_team", "sales_team").order_by("name")


def version_active_for(
    *, segment: str, region: str, sales_team_id: int | None = None
) -> SLAVersion | None:
    """The active version that judges a lead of this segment/region (most specific scope).

    Without a sales team (before the owner is chosen), any sales team's SLA matches.
    """
    versions = SLAVersion.objects.filter(status=VersionStatus.ACTIVE).filter(
        Q(sla__segment="") | Q(sla__segment__iexact=segment),
        Q(sla__region="") | Q(sla__region__iexact=region),
    )
    if sales_team_id is not None:
        versions = versions.filter(sla__sales_team_id=sales_team_id)
    # Specific beats blank: "" sorts first ascending, so sort descending.
    return versions.select_related("sla").order_by("-sla__segment", "-sla__region", "id").first()


def missing_signatories(version: SLAVersion) -> list[str]:
    """Required roles and extra signatories that have not signed ``version`` yet."""
    signed_roles = set(version.signatures.values_list("role", flat=True))
    missing: list[str] = [role for role in REQUIRED_SIGNATORY_ROLES if role not in signed_roles]
    signed_users = set(version.signatures.values_list("signer_id", flat=True))
    missing += [
        f"user:{user_id}"
        for user_id in version.extra_signatories.values_list("id", flat=True)
        if user_id not in signed_users
    ]
    return missing


def versions_of(sla: SLA) -> QuerySet[SLAVersion]:
    return sla.versions.select_related("created_by").prefetch_related("signatures__signer")


def version_diff(older: SLAVersion, newer: SLAVersion) -> list[TermChange]:
    """The terms that differ between two versions, in canonical order."""
    old_terms, new_terms = older.terms(), newer.terms()
    return [
        {
            "name": name,
            # The terms are columns (get_field() may also return reverse relations).
            "label": cast("Field[Any, Any]", SLAVersion._meta.get_field(name)).verbose_name,
            "old": old_terms[name],
            "new": new_terms[name],
        }
        for name in TERM_FIELDS
        if old_terms[name] != new_terms[name]
    ]


# ------------------------------------------------------------------ breaches


def breach_list_visible_to(user: User) -> QuerySet[Breach]:
    """Breaches ``user`` may see: everything for marketing, leadership and admins;
    marketing breaches plus their team's (managers) or their own (sellers) for sales."""
    breaches = Breach.objects.select_related(
        "version__sla", "lead", "campaign", "owner", "acknowledged_by"
    )
    if permissions.sees_all_breaches(user):
        return breaches
    mine = Q(side=Side.MARKETING)
    if user.role == Role.SALES_MANAGER and user.team_id:
        mine |= Q(owner__team_id=user.team_id) | Q(side=Side.SALES, owner__isnull=True)
    else:
        mine |= Q(owner_id=user.pk)
    return breaches.filter(mine)


def breach_filter(
    breaches: QuerySet[Breach],
    *,
    side: str = "",
    kind: str = "",
    period: str = "",
    acknowledged: str = "",
) -> QuerySet[Breach]:
    """Apply the compliance page's and the API's filters.

    ``period`` is "YYYY-MM" (a month) or "YYYY-Qn" (a quarter), by due time in the
    server's time zone; ``acknowledged`` is "yes"/"no" (or true/false).
    """
    if side:
        breaches = breaches.filter(side=side)
    if kind:
        breaches = breaches.filter(kind=kind)
    if period:
        since, until = period_range(period)
        breaches = breaches.filter(due_at__gte=since, due_at__lt=until)
    if acknowledged.lower() in ("yes", "true", "1"):
        breaches = breaches.filter(acknowledged_at__isnull=False)
    elif acknowledged.lower() in ("no", "false", "0"):
        breaches = breaches.filter(acknowledged_at__isnull=True)
    return breaches


def period_range(label: str) -> tuple[datetime, datetime]:
    """ "2026-11" or "2026-Q4" → [start, end) in the current time zone; ValueError if malformed."""
    zone = timezone.get_current_timezone_name()
    if "-Q" in label.upper():
        year, quarter = label.upper().split("-Q")
        quarter_number = int(quarter)
        if not 1 <= quarter_number <= 4:
            raise ValueError(label)
        start = date(int(year), 3 * (quarter_number - 1) + 1, 1)
        return periods.period_bounds(start, Period.QUARTER, zone)
    year, month = label.split("-")
    return periods.period_bounds(date(int(year), int(month), 1), Period.MONTH, zone)


def at_risk_targets(*, now: datetime | None = None) -> list[TargetAtRisk]:
    """Marketing's per-period targets in the running period, projected by pace.

    Projected MQLs = MQLs so far ÷ share of the period elapsed. "At risk" when the
    projection (or the acceptance rate so far) is below target.
    """
    now = now or timezone.now()
    rows: list[TargetAtRisk] = []
    for version in SLAVersion.objects.filter(status=VersionStatus.ACTIVE).select_related("sla"):
        local_today = timezone.localtime(now, ZoneInfo(version.time_zone)).date()
        start = periods.period_start(local_today, version.period)
        figures = period_figures(version, start, now=now)
        elapsed = periods.elapsed_share(start, version.period, version.time_zone, now)
        projected = round(figures["mqls"] / elapsed) if elapsed > 0 else 0
        rate = figures["acceptance_rate"]
        rows.append(
            {
                "version": version,
                "period": periods.period_label(start, version.period),
                "elapsed": round(100 * elapsed),
                "mqls": figures["mqls"],
                "mql_target": version.mql_target,
                "projected_mqls": projected,
                "volume_at_risk": projected < version.mql_target,
                "acceptance_rate": rate,
                "acceptance_rate_target": version.acceptance_rate_target,
                "rate_at_risk": rate is not None and rate < version.acceptance_rate_target,
            }
        )
    return rows


def compliance_history(*, months: int = 6, now: datetime | None = None) -> list[dict[str, Any]]:
    """Compliance per side for the last ``months`` calendar months, oldest first.

    Each row: ``period`` (label), ``since`` (datetime) and an ObligationShare per Side
    (keyed by the Side itself, as the page and the chart look them up).
    """
    now = now or timezone.now()
    zone = timezone.get_current_timezone_name()
    start = periods.period_start(timezone.localtime(now).date(), Period.MONTH)
    starts = [start]
    for _ in range(months - 1):
        starts.insert(0, periods.previous_period_start(starts[0], Period.MONTH))
    rows: list[dict[str, Any]] = []
    for month in starts:
        since, until = periods.period_bounds(month, Period.MONTH, zone)
        detail = compliance_detail(since=since, until=min(until, now))
        rows.append({"period": periods.period_label(month, Period.MONTH), "since": since, **detail})
    return rows
