"""Reads for feedback: the board, the queue and the themes."""

import statistics
from datetime import datetime, timedelta
from typing import Any, TypedDict

from django.db import connection
from django.db.models import (
    Aggregate,
    Case,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Min,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Lower, TruncMonth
from django.utils import timezone

from accounts.models import User
from feedback import lifecycle, permissions
from feedback.models import (
    FeedbackComment,
    FeedbackItem,
    FeedbackStatusChange,
    Kind,
    Status,
)

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


def unanswered_badge(user: User) -> int:
    """The navigation badge: marketing (and admins) see how much feedback awaits them.

    Others get 0 (no badge) without a query.
    """
    if not permissions.sees_unanswered_badge(user):
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
        median: timedelta | None = answered.order_by().aggregate(median=_Median(duration))["median"]
        return median
    durations = [
        (answered_at - created_at).total_seconds()
        for created_at, answered_at in answered.order_by().values_list("created_at", "answered_at")
        if answered_at is not None  # always true (filtered above); for the type checker
    ]
    if not durations:
        return None
    return timedelta(seconds=statistics.median(durations))


def item_history(item: FeedbackItem) -> QuerySet[FeedbackStatusChange]:
    return item.status_changes.select_related("actor").order_by("created_at", "id")


def item_comments(item: FeedbackItem) -> QuerySet[FeedbackComment]:
    return item.comments.select_related("author").order_by("created_at", "id")


# --- Themes: what prospects say, counted in SQL -----------------------------------------

_TagLink = FeedbackItem.tags.through


class TagCount(TypedDict):
    name: str
    slug: str
    count: int


class TagMonth(TypedDict):
    month: datetime
    name: str
    count: int


class TagCampaign(TypedDict):
    campaign_id: int
    campaign: str
    name: str
    count: int


class CompetitorCount(TypedDict):
    key: str  # the name in lower case: mentions are counted case-insensitively
    name: str
    count: int


class CompetitorMonth(TypedDict):
    month: datetime
    key: str
    name: str
    count: int


class CompetitorCampaign(TypedDict):
    campaign_id: int
    campaign_name: str
    key: str
    name: str
    count: int


# QuerySet[Any]: the tags' auto-created through model has no name to import.
def _links(since: datetime, until: datetime, kind: str | None = None) -> QuerySet[Any]:
    links = _TagLink.objects.filter(
        feedbackitem__created_at__gte=since, feedbackitem__created_at__lt=until
    )
    if kind is not None:
        links = links.filter(feedbackitem__kind=kind)
    return links


def top_tags(
    *, since: datetime, until: datetime, kind: str | None = None, limit: int = 10
) -> list[TagCount]:
    """The most frequent tags on feedback created in [since, until): name, slug, count."""
    return list(
        _links(since, until, kind)
        .values(name=F("tag__name"), slug=F("tag__slug"))
        .annotate(count=Count("id"))
        .order_by("-count", "name")[:limit]
    )


def tags_by_month(*, since: datetime, until: datetime, kind: str | None = None) -> list[TagMonth]:
    """Tag counts per month (of the item's creation): month, name, count. One GROUP BY."""
    return list(
        _links(since, until, kind)
        .annotate(month=TruncMonth("feedbackitem__created_at"))
        .values("month", name=F("tag__name"))
        .annotate(count=Count("id"))
        .order_by("month", "-count", "name")
    )


def tags_by_campaign(
    *, since: datetime, until: datetime, kind: str | None = None
) -> list[TagCampaign]:
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


def top_competitors(*, since: datetime, until: datetime, limit: int = 10) -> list[CompetitorCount]:
    """Competitors mentioned most in [since, until), case-insensitively: name, count."""
    return list(
        _competitor_mentions(since, until)
        .values(key=Lower("competitor"))
        .annotate(name=Min("competitor"), count=Count("id"))
        .order_by("-count", "key")[:limit]
    )


def competitors_by_month(*, since: datetime, until: datetime) -> list[CompetitorMonth]:
    return list(
        _competitor_mentions(since, until)
        .annotate(month=TruncMonth("created_at"))
        .values("month", key=Lower("competitor"))
        .annotate(name=Min("competitor"), count=Count("id"))
        .order_by("month", "-count", "key")
    )


def competitors_by_campaign(*, since: datetime, until: datetime) -> list[CompetitorCampaign]:
    return list(
        _competitor_mentions(since, until)
        .filter(campaign__isnull=False)
        .values("campaign_id", campaign_name=F("campaign__name"), key=Lower("competitor"))
        .annotate(name=Min("competitor"), count=Count("id"))
        .order_by("campaign_name", "-count", "key")
    )
