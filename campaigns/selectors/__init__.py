"""Reads for campaigns, one module per topic; callers import them from here.

- visibility: which campaigns, and which of their touches, a user may see;
- planning: the list, the calendar, a campaign's plan and logs, the people a plan names;
- results: results and attribution, computed in SQL (the rules are written there);
- contracts: the few reads other areas call (weekly brief, KPIs, leads filter).
"""

from campaigns.selectors.contracts import (
    campaigns_starting_or_ending,
    lead_ids_touched_by,
    spend_between,
    top_campaigns,
)
from campaigns.selectors.planning import (
    LIST_SORTS,
    campaign_calendar,
    campaign_list_for,
    campaign_plan_and_logs,
    campaigns_in_range,
    campaigns_running_between,
    checklist_item_of,
    lead_by_email,
    marketing_people,
    quarter_of,
    sales_people,
)
from campaigns.selectors.results import (
    CREDIT_SQL,
    CREDITED,
    DEFAULT_MODEL,
    MODEL_LABELS,
    MODELS,
    attributed_amounts,
    attributed_by_lead,
    attribution_sql,
    rejection_reasons,
    sourced_counts,
    sourced_sql,
    spend_by_day,
    spend_totals,
    stage_counts,
    target_accounts_engagement,
)
from campaigns.selectors.visibility import (
    campaign_list_visible_to,
    campaign_touches,
    campaign_visible_to,
)

__all__ = [
    "CREDITED",
    "CREDIT_SQL",
    "DEFAULT_MODEL",
    "LIST_SORTS",
    "MODELS",
    "MODEL_LABELS",
    "attributed_amounts",
    "attributed_by_lead",
    "attribution_sql",
    "campaign_calendar",
    "campaign_list_for",
    "campaign_list_visible_to",
    "campaign_plan_and_logs",
    "campaign_touches",
    "campaign_visible_to",
    "campaigns_in_range",
    "campaigns_running_between",
    "campaigns_starting_or_ending",
    "checklist_item_of",
    "lead_by_email",
    "lead_ids_touched_by",
    "marketing_people",
    "quarter_of",
    "rejection_reasons",
    "sales_people",
    "sourced_counts",
    "sourced_sql",
    "spend_between",
    "spend_by_day",
    "spend_totals",
    "stage_counts",
    "target_accounts_engagement",
    "top_campaigns",
]
