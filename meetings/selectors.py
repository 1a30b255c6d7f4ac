"""Reads for the weekly meeting: the brief's agenda, composed from the areas below."""

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any, TypedDict

from django.db.models import Count, Q
from django.utils import timezone

from campaigns import selectors as campaign_selectors
from campaigns.selectors.contracts import CampaignDates
from feedback import lifecycle
from feedback import selectors as feedback_selectors
from feedback.models import FeedbackItem, Kind, Status
from leads.models import Lead, LeadStageChange, ReasonCode
from sla import selectors as sla_selectors
from sla.models import Side

FUNNEL_FIELDS = (("MQL", "mql_at"), ("SAL", "sal_at"), ("SQL", "sql_at"), ("Customer", "won_at"))


class FunnelWeek(TypedDict):
    stage: str
    this_week: int
    previous_week: int
    change: int


class ReasonCount(TypedDict):
    code: str
    label: str
    count: int


class FeedbackNumbers(TypedDict):
    received: int
    unanswered: int
    open: int
    objections: int
    oldest_unanswered_days: int | None


class CampaignRow(TypedDict):
    """A campaign as the brief's JSON keeps it: text only."""

    name: str
    url: str
    start: str
    end: str


def week_bounds(week_start: date) -> tuple[datetime, datetime]:
    """[Monday 00:00, next Monday 00:00) in the configured time zone."""
    start = timezone.make_aware(datetime.combine(week_start, time.min))
    end = timezone.make_aware(datetime.combine(week_start + timedelta(days=7), time.min))
    return start, end


def funnel_week_over_week(*, week_start: date) -> list[FunnelWeek]:
    """Leads that first reached MQL, SAL, SQL and customer in the week and the one before.

    One query, no GROUP BY: eight conditional COUNTs over the leads whose stage times
    fall in either week (each OR branch can use its stage-time index).
    """
    start, end = week_bounds(week_start)
    previous_start = start - timedelta(days=7)
    in_either_week = Q()
    counts = {}
    for _label, field in FUNNEL_FIELDS:
        in_either_week |= Q(**{f"{field}__gte": previous_start, f"{field}__lt": end})
        counts[f"{field}_this"] = Count(
            "pk", filter=Q(**{f"{field}__gte": start, f"{field}__lt": end})
        )
        counts[f"{field}_previous"] = Count(
            "pk", filter=Q(**{f"{field}__gte": previous_start, f"{field}__lt": start})
        )
    totals = Lead.objects.filter(in_either_week).aggregate(**counts)
    return [
        {
            "stage": label,
            "this_week": totals[f"{field}_this"],
            "previous_week": totals[f"{field}_previous"],
            "change": totals[f"{field}_this"] - totals[f"{field}_previous"],
        }
        for label, field in FUNNEL_FIELDS
    ]


def rejection_reasons(*, since: datetime, until: datetime, limit: int = 5) -> list[ReasonCount]:
    """The most frequent reason codes of MQL rejections in [since, until): code, label, count."""
    rows = list(
        LeadStageChange.objects.filter(
            action=LeadStageChange.Action.REJECT, created_at__gte=since, created_at__lt=until
        )
        .values("reason_code")
        .annotate(count=Count("id"))
        .order_by("-count", "reason_code")[:limit]
    )
    labels = dict(
        ReasonCode.objects.filter(code__in=[row["reason_code"] for row in rows]).values_list(
            "code", "label"
        )
    )
    return [
        {
            "code": row["reason_code"],
            "label": labels.get(row["reason_code"], row["reason_code"]),
            "count": row["count"],
        }
        for row in rows
    ]


def feedback_numbers(*, since: datetime, until: datetime) -> FeedbackNumbers:
    """Feedback received in the week, and what was still unanswered when the brief was built."""
    totals = FeedbackItem.objects.filter(created_at__lt=until).aggregate(
        received=Count("id", filter=Q(created_at__gte=since)),
        unanswered=Count("id", filter=Q(status=Status.NEW)),
        open=Count("id", filter=Q(status__in=lifecycle.OPEN_STATUSES)),
        objections=Count("id", filter=Q(created_at__gte=since, kind=Kind.OBJECTION)),
    )
    oldest = (
        FeedbackItem.objects.filter(created_at__lt=until, status=Status.NEW)
        .order_by("created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    return {
        "received": totals["received"],
        "unanswered": totals["unanswered"],
        "open": totals["open"],
        "objections": totals["objections"],
        "oldest_unanswered_days": (timezone.now() - oldest).days if oldest is not None else None,
    }


def _campaign_rows(rows: Sequence[CampaignDates]) -> list[CampaignRow]:
    return [
        {
            "name": str(row.get("name", "")),
            "url": row.get("url", ""),
            "start": str(row.get("start", "")),
            "end": str(row.get("end", "")),
        }
        for row in rows
    ]


def brief_agenda(*, week_start: date) -> dict[str, Any]:
    """Everything the joint sales–marketing meeting of that week talks about, as JSON data."""
    start, end = week_bounds(week_start)
    previous_start = start - timedelta(days=7)
    next_end = end + timedelta(days=7)
    breaches_this = sla_selectors.breach_counts_by_side(since=start, until=end)
    breaches_previous = sla_selectors.breach_counts_by_side(since=previous_start, until=start)
    return {
        "week_start": f"{week_start:%Y-%m-%d}",
        "week_end": f"{week_start + timedelta(days=6):%Y-%m-%d}",
        "previous_week_start": f"{previous_start.date():%Y-%m-%d}",
        "funnel": funnel_week_over_week(week_start=week_start),
        "breaches": [
            {
                "side": side.value,
                "this_week": breaches_this.get(side, 0),
                "previous_week": breaches_previous.get(side, 0),
            }
            for side in (Side.MARKETING, Side.SALES)
        ],
        "feedback": feedback_numbers(since=start, until=end),
        "rejection_reasons": rejection_reasons(since=start, until=end),
        "objections": feedback_selectors.top_tags(
            since=start, until=end, kind=Kind.OBJECTION, limit=5
        ),
        "competitors": feedback_selectors.top_competitors(since=start, until=end, limit=5),
        "campaigns_this_week": _campaign_rows(
            campaign_selectors.campaigns_starting_or_ending(since=start, until=end)
        ),
        "campaigns_next_week": _campaign_rows(
            campaign_selectors.campaigns_starting_or_ending(since=end, until=next_end)
        ),
    }
