"""Reads other areas call: the weekly brief, the KPI dashboards, the leads filter.

They return plain rows (or a subquery) and nothing of the campaign pages, so the
callers depend on these few functions only.
"""

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import TypedDict

from django.db.models import Q, QuerySet, Sum
from django.urls import reverse

from campaigns.models import Campaign, CampaignTouch, SpendEntry
from campaigns.selectors.results import DEFAULT_MODEL, attributed_amounts, day_of, spend_totals


class CampaignDates(TypedDict):
    id: int
    name: str
    url: str
    start: date
    end: date
    status: str


class TopCampaign(TypedDict):
    id: int
    name: str
    url: str
    spend: Decimal
    revenue: Decimal
    roi: float | None  # None without spend


class TouchedLead(TypedDict):
    lead_id: int


def campaigns_starting_or_ending(*, since: datetime, until: datetime) -> list[CampaignDates]:
    """Campaigns whose start or end date falls in [since, until): name, url, start, end."""
    first, last = day_of(since), day_of(until)
    rows = (
        Campaign.objects.filter(
            Q(start_date__gte=first, start_date__lt=last)
            | Q(end_date__gte=first, end_date__lt=last)
        )
        .exclude(status=Campaign.Status.CANCELLED)
        .order_by("start_date", "name")
        .values("id", "name", "start_date", "end_date", "status")
    )
    return [
        {
            "id": row["id"],
            "name": row["name"],
            "url": reverse("campaigns:detail", args=[row["id"]]),
            "start": row["start_date"],
            "end": row["end_date"],
            "status": row["status"],
        }
        for row in rows
    ]


def spend_between(
    *, since: datetime, until: datetime, campaign_ids: Sequence[int] | None = None
) -> Decimal:
    """Actual spend recorded in [since, until), optionally for some campaigns only."""
    entries = SpendEntry.objects.filter(spent_on__gte=day_of(since), spent_on__lt=day_of(until))
    if campaign_ids is not None:
        entries = entries.filter(campaign_id__in=list(campaign_ids))
    total = entries.aggregate(total=Sum("amount"))["total"]
    return Decimal(total or 0).quantize(Decimal("0.01"))


def top_campaigns(*, since: datetime, until: datetime, limit: int = 5) -> list[TopCampaign]:
    """Campaigns by attributed revenue in the range: name, url, spend, revenue, roi.

    Revenue is attributed with the default model (U-shaped) to the leads won in the
    range; spend is what was spent in the range. Only the two queries it needs run
    (revenue attribution and spend), so dashboards can call it cheaply.
    """
    revenue = {
        row["campaign_id"]: Decimal(str(row[DEFAULT_MODEL] or 0)).quantize(Decimal("0.01"))
        for row in attributed_amounts("revenue", since=since, until=until)
    }
    spend = {
        row["campaign_id"]: Decimal(row["spend"] or 0).quantize(Decimal("0.01"))
        for row in spend_totals(since=since, until=until)
    }
    names = dict(
        Campaign.objects.filter(pk__in=set(revenue) | set(spend)).values_list("id", "name")
    )
    rows: list[TopCampaign] = []
    for campaign_id, name in names.items():
        campaign_revenue = revenue.get(campaign_id, Decimal("0.00"))
        campaign_spend = spend.get(campaign_id, Decimal("0.00"))
        roi = (
            round(float((campaign_revenue - campaign_spend) / campaign_spend), 4)
            if campaign_spend
            else None
        )
        rows.append(
            {
                "id": campaign_id,
                "name": name,
                "url": reverse("campaigns:detail", args=[campaign_id]),
                "spend": campaign_spend,
                "revenue": campaign_revenue,
                "roi": roi,
            }
        )
    rows.sort(key=lambda row: (-row["revenue"], row["name"]))
    return rows[:limit]


def lead_ids_touched_by(campaign_id: int) -> QuerySet[CampaignTouch, TouchedLead]:
    """Ids of leads with a touch on the campaign, as a subquery: ``filter(id__in=…)``."""
    return CampaignTouch.objects.filter(campaign_id=campaign_id).values("lead_id")
