"""Reads for leads: every list starts from what the user may see."""

from django.db.models import QuerySet

from accounts.models import User
from accounts.roles import Role
from leads import permissions
from leads.models import Lead, LeadStageChange, ReasonCode, Stage, Touch


def lead_list_visible_to(user: User) -> QuerySet[Lead]:
    """The leads ``user`` may see: all for marketing and leadership, own or team for sales."""
    leads = Lead.objects.select_related("owner", "account")
    if permissions.sees_all_leads(user):
        return leads
    if user.role == Role.SALES_MANAGER and user.team_id is not None:
        return leads.filter(owner__team_id=user.team_id)
    return leads.filter(owner=user)


def inbox_mqls(user: User) -> QuerySet[Lead]:
    """``user``'s MQLs waiting for a decision, oldest hand-over first."""
    return (
        Lead.objects.filter(owner=user, stage=Stage.MQL)
        .select_related("account")
        .order_by("handed_over_at", "id")
    )


def inbox_working(user: User) -> QuerySet[Lead]:
    """``user``'s SALs and SQLs, the ones changed longest ago first."""
    return (
        Lead.objects.filter(owner=user, stage__in=[Stage.SAL, Stage.SQL])
        .select_related("account")
        .order_by("stage_changed_at", "id")
    )


def lead_history(lead: Lead) -> QuerySet[LeadStageChange]:
    """Every stage change and reassignment of ``lead``, oldest first."""
    return lead.stage_changes.select_related("actor", "from_owner", "to_owner").order_by(
        "created_at", "id"
    )


def lead_touches(lead: Lead) -> QuerySet[Touch]:
    return lead.touches.select_related("actor").order_by("occurred_at", "id")


def reason_codes_active() -> QuerySet[ReasonCode]:
    return ReasonCode.objects.filter(is_active=True).order_by("position", "label")


def sellers_available() -> QuerySet[User]:
    """People who can own handed-over leads."""
    return User.objects.filter(role__in=[Role.SELLER, Role.SALES_MANAGER], is_active=True).order_by(
        "first_name", "last_name", "username"
    )
