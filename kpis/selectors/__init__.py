"""Reads for shared KPIs: every standard measure as a SQL aggregate, never whole tables.

Each selector takes a time range ``[since, until)`` of aware datetimes (local midnights
in ``settings.TIME_ZONE`` when they come from dates) and a ``Slice`` (the filters), and
returns a short list of dicts — one per group — for ``kpis.analytics`` to shape.

The modules, by topic (callers import from ``kpis.selectors``, which re-exports them):

- ``groups``: stages, groupings, local days, the latest snapshot run;
- ``slices``: the ``Slice`` filters and the filter bar's choices;
- ``funnels``: the funnel, cohort and period view, from snapshot plus live rows
  (not ``funnel.py``, which ``import kpis.selectors.funnel`` would confuse with the function);
- ``money``: revenue, customers, win rate, pipeline, cost per customer;
- ``durations``: velocity and speed to lead (median, p90);
- ``handover``: acceptance, rejection reasons, compliance per seller;
- ``organisation``: cached whole-organisation panels from the SLA and campaigns areas;
- ``actuals``: the value of each KPI measure (``ACTUALS``, ``kpi_actual``).
"""

from kpis.selectors.actuals import ACTUALS, kpi_actual
from kpis.selectors.durations import (
    PERCENTILE_FALLBACK_LIMIT,
    durations_summary,
    speed_to_lead,
    speed_to_lead_effect,
    velocity,
)
from kpis.selectors.funnels import FunnelRows, funnel
from kpis.selectors.groups import (
    DIMENSION_FIELD,
    GROUP_BYS,
    STAGE_FIELD,
    STAGES,
    TIME_GROUPS,
    group_label,
    latest_snapshot_run,
    local_midnight,
)
from kpis.selectors.handover import acceptance_by, compliance_by_seller, rejection_reasons
from kpis.selectors.money import cost_per_customer, pipeline_by, revenue_by_period, totals
from kpis.selectors.organisation import sla_compliance, top_campaigns
from kpis.selectors.slices import Slice, campaign_choices, distinct_values, kpi_slice

__all__ = [
    "ACTUALS",
    "DIMENSION_FIELD",
    "GROUP_BYS",
    "PERCENTILE_FALLBACK_LIMIT",
    "STAGES",
    "STAGE_FIELD",
    "TIME_GROUPS",
    "FunnelRows",
    "Slice",
    "acceptance_by",
    "campaign_choices",
    "compliance_by_seller",
    "cost_per_customer",
    "distinct_values",
    "durations_summary",
    "funnel",
    "group_label",
    "kpi_actual",
    "kpi_slice",
    "latest_snapshot_run",
    "local_midnight",
    "pipeline_by",
    "rejection_reasons",
    "revenue_by_period",
    "sla_compliance",
    "speed_to_lead",
    "speed_to_lead_effect",
    "top_campaigns",
    "totals",
    "velocity",
]
