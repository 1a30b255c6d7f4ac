"""Who may do what with the weekly meeting. Plain functions of the user; services enforce them.

Everyone signed in reads the briefs; the managers who run the meeting build and send them.
"""

from accounts.models import User
from accounts.roles import Role


def is_admin(user: User) -> bool:
    return user.is_superuser or user.role == Role.ADMIN


def can_build_brief(user: User) -> bool:
    """Build the weekly brief on demand, or send it: the managers who run the meeting."""
    return is_admin(user) or user.is_manager
