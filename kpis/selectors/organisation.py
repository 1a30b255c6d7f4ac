"""Whole-organisation panels read from the areas below: SLA compliance and top campaigns.

Both are cached (kpis/cache.py): they measured slowest on the dashboard at 1M leads.
"""

from __future__ import annotations

import datetime as dt

from campaigns import selectors as campaign_selectors
from campaigns.selectors.contracts import TopCampaign
from kpis.cache import cached_panel
from sla import selectors as sla_selectors


def sla_compliance(*, since: dt.datetime, until: dt.datetime) -> dict[str, float | None]:
    """Share of SLA obligations met per side (marketing, sales); None when there were none.

    Cached per range until the next write that can change it (kpis/cache.py): it
    scans every SLA clock of the range, the dashboard's second-costliest query at 1M leads.
    """
    return cached_panel(
        "sla_compliance",
        (since.isoformat(), until.isoformat()),
        lambda: sla_selectors.compliance_by_side(since=since, until=until),
    )


def top_campaigns(*, since: dt.datetime, until: dt.datetime, limit: int = 5) -> list[TopCampaign]:
    """Campaigns by attributed revenue, with spend and ROI (from the campaigns area).

    Cached like sla_compliance: U-shaped attribution over every touch of the range is
    the dashboard's costliest query (0.3 s of 1 s at 1M leads and 2.8M touches).
    """
    return cached_panel(
        "top_campaigns",
        (since.isoformat(), until.isoformat(), limit),
        lambda: list(campaign_selectors.top_campaigns(since=since, until=until, limit=limit)),
    )
