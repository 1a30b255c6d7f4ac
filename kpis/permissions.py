"""Who sees which KPI numbers. Plain functions of the user; views and the API enforce them.

Marketing, leadership and admins see every number. Sales sees its own team's numbers
only: the team slice is forced on the server, whatever the URL asks for.
"""

from accounts.models import User
from accounts.roles import Role


def is_admin(user: User) -> bool:
    return user.is_superuser or user.role == Role.ADMIN


def forced_team_id(user: User) -> int | None:
    """The team a user's numbers are limited to, or None when they may see all."""
    if is_admin(user) or not user.is_sales:
        return None
    # A seller without a team sees an empty team rather than everyone's numbers.
    return user.team_id if user.team_id is not None else 0


def can_view_marketing_view(user: User) -> bool:
    return is_admin(user) or user.is_marketing or user.is_leadership


def can_view_sales_view(user: User) -> bool:
    return is_admin(user) or user.is_sales or user.is_leadership


def can_manage_kpis(user: User) -> bool:
    return is_admin(user) or user.is_leadership or user.is_manager


def can_set_targets(user: User, kpi) -> bool:
    if is_admin(user) or user.is_leadership:
        return True
    return kpi.owners.filter(pk=user.pk).exists()
