"""Who may do what in the integrations area. Plain functions of the user."""

from accounts.models import User
from accounts.roles import Role


def is_admin(user: User) -> bool:
    return user.is_superuser or user.role == Role.ADMIN


def can_manage_webhooks(user: User) -> bool:
    """Managers and admins subscribe webhooks (their owner is told when one fails)."""
    return is_admin(user) or user.is_manager
