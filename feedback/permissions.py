"""Who may do what with feedback. Plain functions of the user; services enforce them.

Sellers (and sales managers) give feedback; marketing answers it and moves its status;
the author and marketing talk in the thread; executives and everyone else read.
Feedback is shared knowledge: every signed-in person may read every item.
"""

from accounts.models import User
from accounts.roles import Role


def is_admin(user: User) -> bool:
    return user.is_superuser or user.role == Role.ADMIN


def can_give_feedback(user: User) -> bool:
    return is_admin(user) or user.is_sales


def can_answer(user: User) -> bool:
    """Acknowledge, action or decline, with an answer: marketing's job."""
    return is_admin(user) or user.is_marketing


def can_comment(user: User, item) -> bool:
    return is_admin(user) or user.is_marketing or item.author_id == user.pk


def sees_unanswered_badge(user: User) -> bool:
    return is_admin(user) or user.is_marketing
