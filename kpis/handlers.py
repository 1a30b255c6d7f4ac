"""What the KPI area does when things happen below it. Thin: each calls one function."""

from events import catalog
from events.models import Event
from events.registry import after_commit
from kpis import cache

# Every event that can change a figure on a dashboard.
DASHBOARD_EVENTS = (
    catalog.LEAD_CREATED,
    catalog.LEAD_UPDATED,
    catalog.LEAD_STAGE_CHANGED,
    catalog.LEAD_REASSIGNED,
    catalog.TOUCH_CREATED,
    catalog.BREACH_CREATED,
    catalog.BREACH_ACKNOWLEDGED,
    catalog.SLA_VERSION_ACTIVATED,
    catalog.SLA_VERSION_ENDED,
    catalog.CAMPAIGN_CREATED,
    catalog.CAMPAIGN_UPDATED,
    catalog.CAMPAIGN_DELETED,
)


# Untracked: bumping the generation twice is harmless, and a bump lost with a killed
# worker only leaves panels as stale as their timeout (kpis/cache.py) allows.
@after_commit(*DASHBOARD_EVENTS, batch=True, tracked=False)
def invalidate_dashboards(events: list[Event]) -> None:
    """Make every cached dashboard panel stale, once per delivered batch of events."""
    cache.bump_dashboards_generation()
