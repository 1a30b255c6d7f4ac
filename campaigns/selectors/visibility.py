"""Which campaigns, and which of their touches, a user may see."""

from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.models import User
from accounts.roles import Role
from campaigns import permissions
from campaigns.models import Campaign, CampaignTouch
from leads.selectors import lead_list_visible_to


def campaign_list_visible_to(user: User) -> QuerySet[Campaign]:
    """All campaigns for marketing and leadership; for sales, those that concern them.

    A seller sees the campaigns they co-own and those that touched a lead they own; a
    sales manager, those of the leads of their team too.
    """
    campaigns = Campaign.objects.select_related("marketing_owner", "sales_coowner")
    if permissions.sees_all_campaigns(user):
        return campaigns
    if user.role == Role.SALES_MANAGER and user.team_id is not None:
        owners = Q(lead__owner__team_id=user.team_id)
        coowned = Q(sales_coowner=user) | Q(sales_coowner__team_id=user.team_id)
    else:
        owners = Q(lead__owner=user)
        coowned = Q(sales_coowner=user)
    touched = CampaignTouch.objects.filter(owners, campaign_id=OuterRef("pk"))
    return campaigns.filter(coowned | Q(Exists(touched)))


def campaign_visible_to(user: User, pk: int) -> Campaign | None:
    return campaign_list_visible_to(user).filter(pk=pk).first()


def campaign_touches(campaign: Campaign, user: User) -> QuerySet[CampaignTouch]:
    """The campaign's touches on the leads ``user`` may see, newest first.

    Results are aggregates and show every lead; the touch list names leads, so a seller
    only sees the touches of their own (or their team's) leads.
    """
    touches = campaign.touches.select_related("lead")
    if not permissions.sees_all_campaigns(user):
        touches = touches.filter(lead__in=lead_list_visible_to(user).values("pk"))
    return touches.order_by("-occurred_at", "-id")
