"""Reads behind the planning pages: the list, the calendar, a campaign's plan and logs,
and the people and leads their forms name."""

from datetime import date, timedelta
from typing import TypedDict

from django.db.models import Count, QuerySet, Sum
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from campaigns.models import (
    Campaign,
    CampaignStatusChange,
    CampaignTouch,
    ChecklistItem,
    ReviewNote,
    SpendEntry,
)
from campaigns.selectors.visibility import campaign_list_visible_to
from leads.models import Lead

# The list's sort keys (what the filter form offers) and the column each sorts on.
LIST_SORTS = {
    "start": "start_date",
    "-start": "-start_date",
    "name": "name",
    "-name": "-name",
    "budget": "budget",
    "-budget": "-budget",
    "status": "status",
}


def campaign_list_for(
    user: User,
    *,
    q: str = "",
    status: str = "",
    type: str = "",
    owner: User | None = None,
    running_from: date | None = None,
    running_to: date | None = None,
    sort: str = "",
) -> QuerySet[Campaign]:
    """The campaigns ``user`` may see, narrowed and sorted as asked, with their spend.

    Each filter left empty does not narrow; the default order is newest first.
    """
    campaigns = campaign_list_visible_to(user)
    if q:
        campaigns = campaigns.filter(name__icontains=q.strip())
    if status:
        campaigns = campaigns.filter(status=status)
    if type:
        campaigns = campaigns.filter(type=type)
    if owner:
        campaigns = campaigns.filter(marketing_owner=owner)
    if running_from:
        campaigns = campaigns.filter(end_date__gte=running_from)
    if running_to:
        campaigns = campaigns.filter(start_date__lte=running_to)
    return campaigns.order_by(LIST_SORTS[sort or "-start"], "name", "id").annotate(
        spend=Sum("spend_entries__amount")
    )


def campaigns_in_range(first: date, last: date) -> QuerySet[Campaign]:
    """Campaigns running at some point in [first, last] (the calendar)."""
    return (
        Campaign.objects.filter(start_date__lte=last, end_date__gte=first)
        .select_related("marketing_owner", "sales_coowner")
        .order_by("start_date", "name")
    )


def campaigns_running_between(user: User, first: date, last: date) -> QuerySet[Campaign]:
    """The campaigns ``user`` may see that ran at some point in [first, last]."""
    return campaign_list_visible_to(user).filter(start_date__lte=last, end_date__gte=first)


def quarter_of(day: date) -> tuple[date, date]:
    """The first and last day of the calendar quarter ``day`` falls in."""
    first_month = 3 * ((day.month - 1) // 3) + 1
    first = date(day.year, first_month, 1)
    next_first = date(day.year + (first_month == 10), (first_month + 2) % 12 + 1, 1)
    return first, next_first - timedelta(days=1)


class CalendarBar(TypedDict):
    campaign: Campaign
    left: float  # % of the quarter
    width: float


class CalendarMonth(TypedDict):
    label: str
    width: float


class Calendar(TypedDict):
    rows: list[CalendarBar]
    months: list[CalendarMonth]
    first: date
    last: date
    quarter: str
    previous: str  # ISO day of the quarter before, for the links
    next: str
    today_left: float | None


class TouchKindCount(TypedDict):
    kind: str
    count: int


class PlanAndLogs(TypedDict):
    checklist: QuerySet[ChecklistItem]
    reviews: QuerySet[ReviewNote]
    spend_entries: QuerySet[SpendEntry]
    history: QuerySet[CampaignStatusChange]
    touch_kinds: QuerySet[CampaignTouch, TouchKindCount]


def campaign_calendar(user: User, day: date) -> Calendar:
    """The quarter of ``day`` as a timeline: a bar per campaign ``user`` may see, the months.

    Positions and widths are percentages of the quarter; a bar is never thinner than
    1.2 %, so a one-day campaign stays clickable. ``today_left`` is None outside it.
    """
    first, last = quarter_of(day)
    span = (last - first).days + 1
    visible = campaign_list_visible_to(user).values("pk")
    rows: list[CalendarBar] = []
    for campaign in campaigns_in_range(first, last).filter(pk__in=visible):
        start = max(campaign.start_date, first)
        end = min(campaign.end_date, last)
        rows.append(
            {
                "campaign": campaign,
                "left": round(100 * (start - first).days / span, 2),
                "width": max(round(100 * ((end - start).days + 1) / span, 2), 1.2),
            }
        )
    months: list[CalendarMonth] = []
    month = first
    while month <= last:
        next_month = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
        days = (min(next_month - timedelta(days=1), last) - month).days + 1
        months.append({"label": month.strftime("%B %Y"), "width": round(100 * days / span, 2)})
        month = next_month
    today = timezone.localdate()
    return {
        "rows": rows,
        "months": months,
        "first": first,
        "last": last,
        "quarter": f"Q{(first.month - 1) // 3 + 1} {first.year}",
        "previous": (first - timedelta(days=1)).isoformat(),
        "next": (last + timedelta(days=1)).isoformat(),
        "today_left": (
            round(100 * (today - first).days / span, 2) if first <= today <= last else None
        ),
    }


def campaign_plan_and_logs(campaign: Campaign) -> PlanAndLogs:
    """What the campaign page lists besides results: checklist, logs, touches by kind."""
    return {
        "checklist": campaign.checklist.select_related("owner"),
        "reviews": campaign.reviews.select_related("author"),
        "spend_entries": campaign.spend_entries.select_related("created_by").order_by(
            "-spent_on", "-id"
        ),
        "history": campaign.status_changes.select_related("actor"),
        "touch_kinds": campaign.touches.values("kind")
        .annotate(count=Count("id"))
        .order_by("-count"),
    }


def checklist_item_of(campaign: Campaign, pk: int) -> ChecklistItem | None:
    return ChecklistItem.objects.filter(campaign=campaign, pk=pk).first()


def lead_by_email(email: str) -> Lead | None:
    """The lead with this e-mail address, whatever its case."""
    return Lead.objects.filter(email__iexact=email).first()


def marketing_people() -> QuerySet[User]:
    return User.objects.filter(
        role__in=[Role.MARKETER, Role.MARKETING_MANAGER], is_active=True
    ).order_by("first_name", "last_name", "username")


def sales_people() -> QuerySet[User]:
    return User.objects.filter(role__in=[Role.SELLER, Role.SALES_MANAGER], is_active=True).order_by(
        "first_name", "last_name", "username"
    )
