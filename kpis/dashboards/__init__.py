"""The dashboards' panels: selectors → analytics → charts, one function per panel.

A panel is a DataFrame plus the chart drawn from it; the page shows the chart and the
same frame as a table, and the CSV export writes the same frame (see ``base``).

The modules mirror ``kpis.selectors`` (callers import from ``kpis.dashboards``):

- ``base``: ``Range``, ``Panel`` and the helpers panels share (owner names, targets);
- ``funnels``: the funnels, MQL volume, the speed-to-lead effect, the goal cascade;
- ``money``: revenue and customers against target, pipeline, top campaigns;
- ``durations``: velocity and speed to lead;
- ``handover``: SLA compliance, acceptance, rejection reasons;
- ``pages``: which panels each dashboard shows (``DASHBOARDS``).
"""

from kpis.dashboards.base import FUNNEL_COLUMNS, Panel, Range
from kpis.dashboards.durations import speed_to_lead_panel, velocity_panel
from kpis.dashboards.funnels import cascade_panel, effect_panel, funnel_panel, mql_volume_panel
from kpis.dashboards.handover import (
    acceptance_panel,
    compliance_by_seller_panel,
    rejections_panel,
    sla_panel,
)
from kpis.dashboards.money import campaigns_panel, customers_panel, pipeline_panel, revenue_panel
from kpis.dashboards.pages import DASHBOARDS, EXECUTIVE, MARKETING, SALES

__all__ = [
    "DASHBOARDS",
    "EXECUTIVE",
    "FUNNEL_COLUMNS",
    "MARKETING",
    "SALES",
    "Panel",
    "Range",
    "acceptance_panel",
    "campaigns_panel",
    "cascade_panel",
    "compliance_by_seller_panel",
    "customers_panel",
    "effect_panel",
    "funnel_panel",
    "mql_volume_panel",
    "pipeline_panel",
    "rejections_panel",
    "revenue_panel",
    "sla_panel",
    "speed_to_lead_panel",
    "velocity_panel",
]
