"""What the campaigns area adds to the leads area's pages and filters.

Leads never imports campaigns (docs/ARCHITECTURE.md); campaigns registers these from its
AppConfig.ready(): "leads touched by this campaign" on the leads API and the list page.
"""

import django_filters

from campaigns import selectors
from leads.filters import LeadFilter, LeadPageFilter


def _touched_by_campaign(queryset, name, value):
    """Leads with at least one touch of the campaign (a subquery, not a join)."""
    if value in (None, ""):
        return queryset
    campaign_id = value.pk if hasattr(value, "pk") else int(value)
    return queryset.filter(id__in=selectors.lead_ids_touched_by(campaign_id))


def _campaigns_for(request):
    # The choices are those the user may see, so the list never names a hidden campaign.
    return selectors.campaign_list_visible_to(request.user).order_by("-start_date", "name")


def register() -> None:
    LeadFilter.extend(
        "campaign",
        django_filters.NumberFilter(method=_touched_by_campaign, label="Campaign"),
    )
    LeadPageFilter.extend(
        "campaign",
        django_filters.ModelChoiceFilter(
            queryset=_campaigns_for,
            method=_touched_by_campaign,
            label="Campaign",
            empty_label="Any campaign",
        ),
    )
