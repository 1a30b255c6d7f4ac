"""Reads for feedback: the board, the queue, the themes and the weekly brief's agenda."""

import statistics
from datetime import date, datetime, time, timedelta

from django.db import connection
from django.db.models import (
    Aggregate,
    Case,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Min,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Lower, TruncMonth
from django.utils import timezone

from campaigns import selectors as campaign_selectors
from feedback import lifecycle
from feedback.models import (
    FeedbackComment,
    FeedbackItem,
    FeedbackStatusChange,
    Kind,
    Status,
    Tag,
)
from leads.models import Lead, LeadStageChange, ReasonCode
from sla import selectors as sla_selectors

# The median time to answer looks at feedback answered in this window, so the number
# says how marketing answers now, and the query stays bounded.
MEDIAN_WINDOW = timedelta(days=90)


def feedback_items() -> QuerySet[FeedbackItem]:
    """Every feedback item, with what the board shows. Everyone signed in reads feedback."""
    return FeedbackItem.objects.select_related(
        "author", "lead", "campaign", "account", "answered_by"
    ).prefetch_related("tags")


def feedback_queue() -> QuerySet[FeedbackItem]:
    """Marketing's queue: unanswered feedback oldest first, then acknowledged, oldest first."""
    unanswered_first = Case(When(status=Status.NEW, then=Value(0)), default=Value(1))
    return (
        feedback_items()
        .filter(status__in=lifecycle.OPEN_STATUSES)
        .order_by(unanswered_first, "created_at", "id")
    )


def status_counts(queryset: QuerySet[FeedbackItem]) -> dict[str, int]:
    """How many items of ``queryset`` are in each status (every status present, 0 if none)."""
    counts = dict.fromkeys(Status.values, 0)
    for row in queryset.order_by().values("status").annotate(count=Count("id")):
        counts[row["status"]] = row["count"]
    return counts


def unanswered_count() -> int:
    """Feedback nobody in marketing has responded to yet: one COUNT on the status index."""
    return FeedbackItem.objects.filter(status=Status.NEW).count()


def unanswered_badge(user) -> int:
    """The navigation badge: marketing (and admins) see how much feedback awaits them.

    Others get 0 (no badge) without a query.
    """
    from feedback.permissions import sees_unanswered_badge

    if not sees_unanswered_badge(user):
        return 0
    return unanswered_count()


class _Median(Aggregate):
    """PostgreSQL's percentile_cont(0.5): the median, computed in the database."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()


def median_time_to_answer(
    queryset: QuerySet[FeedbackItem] | None = None, *, now: datetime | None = None
) -> timedelta | None:
    """Median time from an item's creation to marketing's first response.

    Over the items of ``queryset`` answered in the last 90 days; None when there are
    none. PostgreSQL computes it with percentile_cont; elsewhere only the two
    timestamps of that bounded set are fetched.
    """
    now = now or timezone.now()
    answered = (queryset if queryset is not None else FeedbackItem.objects.all()).filter(
        answered_at__isnull=False, answered_at__gte=now - MEDIAN_WINDOW
    )
    if connection.vendor == "postgresql":
        duration = ExpressionWrapper(
            F("answered_at") - F("created_at"), output_field=DurationField()
        )
        return answered.order_by().aggregate(median=_Median(duration))["median"]
    durations = [
        (answered_at - created_at).total_seconds()
        for created_at, answered_at in answered.order_by().values_list("created_at", "answered_at")
    ]
    if not durations:
        return None
    return timedelta(seconds=statistics.median(durations))


def item_history(item: FeedbackItem) -> QuerySet[FeedbackStatusChange]:
    return item.status_changes.select_related("actor").order_by("created_at", "id")


def item_comments(item: FeedbackItem) -> QuerySet[FeedbackComment]:
    return item.comments.select_related("author").order_by("created_at", "id")


def tags_in_use() -> QuerySet[Tag]:
    return Tag.objects.filter(items__isnull=False).distinct().order_by("name")


# --- Themes: what prospects say, counted in SQL -----------------------------------------

_TagLink = FeedbackItem.tags.through


def _links(since: datetime, until: datetime, kind: str | None = None) -> QuerySet:
    links = _TagLink.objects.filter(
        feedbackitem__created_at__gte=since, feedbackitem__created_at__lt=until
    )
    if kind is not None:
        links = links.filter(feedbackitem__kind=kind)
    return links


def top_tags(*, since: datetime, until: datetime, kind: str | None = None, limit=10) -> list[dict]:
    """The most frequent tags on feedback created in [since, until): name, slug, count."""
    return list(
        _links(since, until, kind)
        .values(name=F("tag__name"), slug=F("tag__slug"))
        .annotate(count=Count("id"))
        .order_by("-count", "name")[:limit]
    )


def tags_by_month(*, since: datetime, until: datetime, kind: str | None = None) -> list[dict]:
    """Tag counts per month (of the item's creation): month, name, count. One GROUP BY."""
    return list(
        _links(since, until, kind)
        .annotate(month=TruncMonth("feedbackitem__created_at"))
        .values("month", name=F("tag__name"))
        .annotate(count=Count("id"))
        .order_by("month", "-count", "name")
    )


def tags_by_campaign(*, since: datetime, until: datetime, kind: str | None = None) -> list[dict]:
    """Tag counts per campaign the feedback is about: campaign, campaign_id, name, count."""
    return list(
        _links(since, until, kind)
        .filter(feedbackitem__campaign__isnull=False)
        .values(
            campaign_id=F("feedbackitem__campaign_id"),
            campaign=F("feedbackitem__campaign__name"),
            name=F("tag__name"),
        )
        .annotate(count=Count("id"))
        .order_by("campaign", "-count", "name")
    )


def _competitor_mentions(since: datetime, until: datetime) -> QuerySet[FeedbackItem]:
    return FeedbackItem.objects.filter(
        kind=Kind.COMPETITOR, created_at__gte=since, created_at__lt=until
    ).exclude(competitor="")


def top_competitors(*, since: datetime, until: datetime, limit: int = 10) -> list[dict]:
    """Competitors mentioned most in [since, until), case-insensitively: name, count."""
    return list(
        _competitor_mentions(since, until)
        .values(key=Lower("competitor"))
        .annotate(name=Min("competitor"), count=Count("id"))
        .order_by("-count", "key")[:limit]
    )


def competitors_by_month(*, since: datetime, until: datetime) -> list[dict]:
    return list(
        _competitor_mentions(since, until)
        .annotate(month=TruncMonth("created_at"))
        .values("month", key=Lower("competitor"))
        .annotate(name=Min("competitor"), count=Count("id"))
        .order_by("month", "-count", "key")
    )


def competitors_by_campaign(*, since: datetime, until: datetime) -> list[dict]:
    return list(
        _competitor_mentions(since, until)
        .filter(campaign__isnull=False)
        .values("campaign_id", campaign_name=F("campaign__name"), key=Lower("competitor"))
        .annotate(name=Min("competitor"), count=Count("id"))
        .order_by("campaign_name", "-count", "key")
    )


def kinds_by_month(*, since: datetime, until: datetime) -> list[dict]:
    """How much feedback of each kind arrived per month: month, kind, count."""
    return list(
        FeedbackItem.objects.filter(created_at__gte=since, created_at__lt=until)
        .annotate(month=TruncMonth("created_at"))
        .values("month", "kind")
        .annotate(count=Count("id"))
        .order_by("month", "kind")
    )


# --- The weekly brief's agenda ----------------------------------------------------------

FUNNEL_FIELDS = (("MQL", "mql_at"), ("SAL", "sal_at"), ("SQL", "sql_at"), ("Customer", "won_at"))


def week_bounds(week_start: date) -> tuple[datetime, datetime]:
    """[Monday 00:00, next Monday 00:00) in the configured time zone."""
    start = timezone.make_aware(datetime.combine(week_start, time.min))
    end = timezone.make_aware(datetime.combine(week_start + timedelta(days=7), time.min))
    return start, end


def funnel_week_over_week(*, week_start: date) -> list[dict]:
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


def rejection_reasons(*, since: datetime, until: datetime, limit: int = 5) -> list[dict]:
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


def feedback_numbers(*, since: datetime, until: datetime) -> dict:
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
    totals["oldest_unanswered_days"] = (
        (timezone.now() - oldest).days if oldest is not None else None
    )
    return totals


def _campaign_rows(rows: list[dict]) -> list[dict]:
    return [
        {
            "name": str(row.get("name", "")),
            "url": row.get("url", ""),
            "start": str(row.get("start", "")),
            "end": str(row.get("end", "")),
        }
        for row in rows
    ]


def brief_agenda(*, week_start: date) -> dict:
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
                "side": side,
                "this_week": breaches_this.get(side, 0),
                "previous_week": breaches_previous.get(side, 0),
            }
            for side in ("marketing", "sales")
        ],
        "feedback": feedback_numbers(since=start, until=end),
        "rejection_reasons": rejection_reasons(since=start, until=end),
        "objections": top_tags(since=start, until=end, kind=Kind.OBJECTION, limit=5),
        "competitors": top_competitors(since=start, until=end, limit=5),
        "campaigns_this_week": _campaign_rows(
            campaign_selectors.campaigns_starting_or_ending(since=start, until=end)
        ),
        "campaigns_next_week": _campaign_rows(
            campaign_selectors.campaigns_starting_or_ending(since=end, until=next_end)
        ),
    }
