"""Who may do what to a lead. Plain functions of (user, lead); services enforce them.

DOMAIN.md §1: marketing creates and edits leads, qualifies them to MQL and deals with
rejected ones; sales works the leads it owns; managers may also reassign; executives
read everything; a staff admin may do anything.
"""

from accounts.models import User
from accounts.roles import Role
from leads.lifecycle import MARKETING, SALES, Move, moves_from
from leads.models import Lead, Stage


def is_admin(user: User) -> bool:
    return user.is_superuser or user.role == Role.ADMIN


def sees_all_leads(user: User) -> bool:
    return is_admin(user) or user.is_marketing or user.is_leadership


def can_view_lead(user: User, lead: Lead) -> bool:
    if sees_all_leads(user):
        return True
    if user.role == Role.SALES_MANAGER:
        if lead.owner_id is None:
            return False
        return lead.owner_id == user.pk or (
            user.team_id is not None
            and lead.owner is not None
            and lead.owner.team_id == user.team_id
        )
    return lead.owner_id == user.pk


def can_edit_lead(user: User, lead: Lead | None = None) -> bool:
    """Marketing creates and edits leads (the record, not its stage or owner)."""
    return is_admin(user) or user.is_marketing


def works_lead_for_sales(user: User, lead: Lead) -> bool:
    """The owner, or a sales manager of the owner's team."""
    if lead.owner_id is not None and lead.owner_id == user.pk:
        return True
    return user.role == Role.SALES_MANAGER and can_view_lead(user, lead)


def can_make_move(user: User, lead: Lead, move: Move) -> bool:
    if is_admin(user):
        return True
    if move.side == MARKETING:
        return user.is_marketing
    if move.side == SALES:
        return user.is_sales and works_lead_for_sales(user, lead)
    return False


def can_report_crm_move(user: User, lead: Lead, move: Move) -> bool:
    """Whether ``user`` may apply ``move`` as something that happened in the CRM.

    Sales works its deals in the CRM; an integration (a service account) reports there
    what sales did from SAL on — qualified to SQL, won, lost — and applies it as the
    move. A person applies only the moves they may make anyway.
    """
    if can_make_move(user, lead, move):
        return True
    return user.is_service_account and move.side == SALES and move.source in (Stage.SAL, Stage.SQL)


def moves_allowed(user: User, lead: Lead) -> list[Move]:
    """The moves from the lead's stage that ``user`` may make, in the table's order.

    No query for the inbox's leads: a seller's own lead needs none, a manager's needs
    ``lead.owner`` (the inbox selects it with the lead).
    """
    return [move for move in moves_from(lead.stage) if can_make_move(user, lead, move)]


def can_reassign(user: User, lead: Lead) -> bool:
    return is_admin(user) or (user.role == Role.SALES_MANAGER and can_view_lead(user, lead))


def can_log_touch(user: User, lead: Lead) -> bool:
    return is_admin(user) or (user.is_sales and works_lead_for_sales(user, lead))


def can_manage_reason_codes(user: User) -> bool:
    return is_admin(user) or user.is_manager


def can_take_leads(user: User) -> bool:
    """Whether ``user`` can own handed-over leads."""
    return user.is_active and user.role in (Role.SELLER, Role.SALES_MANAGER)


def can_manage_mappings(user: User) -> bool:
    """Managers (and admins) define the CRMs' column names for imports and sync."""
    return is_admin(user) or user.is_manager
