"""Who may do what with campaigns. Plain functions of (user, campaign); services enforce them.

Marketing plans and edits campaigns and is the only side that edits budgets and spend.
Sellers see the campaigns that concern their leads (and those they co-own) and write
in the review log. Executives read everything. A staff admin may do anything.
"""

from accounts.models import User
from accounts.roles import Role


def is_admin(user: User) -> bool:
    return user.is_superuser or user.role == Role.ADMIN


def sees_all_campaigns(user: User) -> bool:
    return is_admin(user) or user.is_marketing or user.is_leadership


def can_edit_campaign(user: User, campaign=None) -> bool:
    """Create, edit, move the status, manage the checklist and record touches."""
    return is_admin(user) or user.is_marketing


def can_edit_budget(user: User, campaign=None) -> bool:
    """Budget and spend entries: marketing only (DOMAIN.md, issue 5)."""
    return is_admin(user) or user.is_marketing


def can_write_review(user: User, campaign) -> bool:
    """Both sides of the review meeting; executives read."""
    return is_admin(user) or user.is_marketing or user.is_sales
