"""Reads for SLAs. (Filled in by the SLA issue; other areas call these.)"""

from collections.abc import Iterable
from datetime import datetime


def decision_due_by_lead(lead_ids: Iterable[int]) -> dict[int, datetime]:
    """When each of these MQLs must be accepted or rejected, by the SLA of its hand-over.

    One query for the whole page. Leads without an SLA clock are absent.
    """
    return {}
