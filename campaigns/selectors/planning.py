"""Reads for planning: the calendar and the people a plan names."""

from datetime import date

from django.db.models import QuerySet

from accounts.models import User
from accounts.roles import Role
from campaigns.models import Campaign


def campaigns_in_range(first: date, last: date) -> QuerySet[Campaign]:
    """Campaigns running at some point in [first, last] (the calendar)."""
    return (
        Campaign.objects.filter(start_date__lte=last, end_date__gte=first)
        .select_related("marketing_owner", "sales_coowner")
        .order_by("start_date", "name")
    )


def marketing_people() -> QuerySet[User]:
    return User.objects.filter(
        role__in=[Role.MARKETER, Role.MARKETING_MANAGER], is_active=True
    ).order_by("first_name", "last_name", "username")


def sales_people() -> QuerySet[User]:
    return User.objects.filter(role__in=[Role.SELLER, Role.SALES_MANAGER], is_active=True).order_by(
        "first_name", "last_name", "username"
    )
