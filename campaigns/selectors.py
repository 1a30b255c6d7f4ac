"""Reads for campaigns. Other areas call these; the campaigns issue fills them in.

Until then they answer as if there were no campaigns.
"""

from datetime import datetime
from decimal import Decimal

from django.db.models import QuerySet

from leads.models import Lead


def campaigns_starting_or_ending(*, since: datetime, until: datetime) -> list[dict]:
    """Campaigns whose start or end date falls in [since, until): name, url, start, end."""
    return []


def spend_between(*, since: datetime, until: datetime, campaign_ids=None) -> Decimal:
    """Actual spend recorded in [since, until), optionally for some campaigns only."""
    return Decimal("0")


def top_campaigns(*, since: datetime, until: datetime, limit: int = 5) -> list[dict]:
    """Campaigns by attributed revenue in the range: name, url, spend, revenue, roi."""
    return []


def lead_ids_touched_by(campaign_id: int) -> QuerySet:
    """Ids of leads with a touch on the campaign, as a subquery: ``filter(id__in=…)``."""
    return Lead.objects.none().values("id")
