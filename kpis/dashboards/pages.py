"""The three dashboards: which panels each page shows, in order, by panel key.

The cascade is not listed: the executive page builds it separately (it needs today).
"""

from __future__ import annotations

from collections.abc import Callable

from kpis.dashboards.base import Panel, Range
from kpis.dashboards.durations import speed_to_lead_panel, velocity_panel
from kpis.dashboards.funnels import effect_panel, funnel_panel, mql_volume_panel
from kpis.dashboards.handover import (
    acceptance_panel,
    compliance_by_seller_panel,
    rejections_panel,
    sla_panel,
)
from kpis.dashboards.money import campaigns_panel, customers_panel, pipeline_panel, revenue_panel

EXECUTIVE: dict[str, Callable[[Range], Panel]] = {
    "revenue": revenue_panel,
    "customers": customers_panel,
    "funnel_cohort": lambda r: funnel_panel(r, view="cohort"),
    "funnel_period": lambda r: funnel_panel(r, view="period"),
    "velocity": velocity_panel,
    "speed_to_lead": speed_to_lead_panel,
    "sla": sla_panel,
    "pipeline": pipeline_panel,
    "campaigns": campaigns_panel,
}
MARKETING: dict[str, Callable[[Range], Panel]] = {
    "mql_volume": mql_volume_panel,
    "acceptance_source": lambda r: acceptance_panel(r, group_by="source"),
    "acceptance_campaign": lambda r: acceptance_panel(r, group_by="campaign"),
    "rejections": rejections_panel,
}
SALES: dict[str, Callable[[Range], Panel]] = {
    "speed_by_seller": lambda r: speed_to_lead_panel(r, group_by="owner"),
    "compliance_by_seller": compliance_by_seller_panel,
    "funnel_cohort_owner": lambda r: funnel_panel(r, view="cohort", group_by="owner"),
    "pipeline_owner": lambda r: pipeline_panel(r, group_by="owner"),
    "effect": effect_panel,
}
DASHBOARDS = {"executive": EXECUTIVE, "marketing": MARKETING, "sales": SALES}
