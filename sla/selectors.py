"""Reads for SLAs. Other areas call these; the SLA issue fills them in.

Until then they answer as if no SLA were active: no due times, no breaches.
"""

from collections.abc import Iterable
from datetime import datetime

from django.db.models import QuerySet

from leads.models import Lead


def decision_due_by_lead(lead_ids: Iterable[int]) -> dict[int, datetime]:
    """When each of these MQLs must be accepted or rejected, by the SLA of its hand-over.

    One query for the whole page. Leads without an SLA clock are absent.
    """
    return {}


def breach_counts_by_side(*, since: datetime, until: datetime) -> dict[str, int]:
    """New breaches recorded in [since, until), per responsible side ("marketing", "sales")."""
    return {"marketing": 0, "sales": 0}


def compliance_by_side(*, since: datetime, until: datetime) -> dict[str, float | None]:
    """Share of obligations met in [since, until) per side; None when there were none."""
    return {"marketing": None, "sales": None}


def breached_lead_ids() -> QuerySet:
    """Ids of leads with at least one sales breach, as a subquery: ``filter(id__in=…)``."""
    return Lead.objects.none().values("id")
