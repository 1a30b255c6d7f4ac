"""Who may do what with SLAs and breaches. Plain functions; services and views enforce them.

DOMAIN.md §1: managers edit their team's side of a draft and sign; executives sign as
sponsor; everyone reads the agreement. Breaches are acknowledged by the side that answers
for them.
"""

from accounts.models import User
from accounts.roles import Role
from sla.models import (
    CALENDAR_TERMS,
    MARKETING_TERMS,
    SALES_TERMS,
    SLA,
    VALIDITY_TERMS,
    Breach,
    Side,
    SignatoryRole,
    SLAVersion,
)


def is_admin(user: User) -> bool:
    return user.is_superuser or user.role == Role.ADMIN


def can_manage_slas(user: User) -> bool:
    """Create an SLA or a draft version: managers and admins."""
    return is_admin(user) or user.is_manager


def editable_terms_for(user: User, sla: SLA) -> frozenset[str]:
    """The terms ``user`` may change in a draft of ``sla``: their own side's, plus shared ones."""
    shared = CALENDAR_TERMS + VALIDITY_TERMS
    if is_admin(user):
        return frozenset(MARKETING_TERMS + SALES_TERMS + shared)
    if user.role == Role.MARKETING_MANAGER:
        return frozenset(MARKETING_TERMS + shared)
    if user.role == Role.SALES_MANAGER:
        return frozenset(SALES_TERMS + shared)
    return frozenset()


def signatory_role_for(user: User, version: SLAVersion) -> str | None:
    """As what ``user`` signs ``version``, or None when they are not a party to it."""
    sla = version.sla
    if user.role == Role.MARKETING_MANAGER and user.team_id == sla.marketing_team_id:
        return SignatoryRole.MARKETING_LEAD
    if user.role == Role.SALES_MANAGER and user.team_id == sla.sales_team_id:
        return SignatoryRole.SALES_LEAD
    if user.role == Role.EXECUTIVE:
        return SignatoryRole.EXECUTIVE_SPONSOR
    if version.pk and version.extra_signatories.filter(pk=user.pk).exists():
        return SignatoryRole.ADDITIONAL
    return None


def sees_all_breaches(user: User) -> bool:
    return is_admin(user) or user.is_marketing or user.is_leadership


def can_acknowledge(user: User, breach: Breach) -> bool:
    """The side that answers for the breach acknowledges it (and admins)."""
    if is_admin(user):
        return True
    if breach.side == Side.MARKETING:
        return user.is_marketing
    if user.role == Role.SALES_MANAGER:
        return breach.owner is None or breach.owner.team_id == user.team_id
    return breach.owner_id is not None and breach.owner_id == user.pk
