"""Which objects of each kind a user may see: the changes feed's and webhooks' filter.

Each kind of object a domain event concerns (events/catalog.py ``object_kind``) has a
rule built on its app's own selectors, so the feed shows exactly what the API shows.
A rule answers ALL (no filter: this user sees every object of the kind, deleted ones'
events included) or a query of the visible ids, used as a subquery: one SQL statement
per page, never a check per event. A kind without a rule is hidden (fail safe); a test
checks that every kind of the catalogue has one.
"""

from collections.abc import Callable
from typing import Any, Literal

from django.db.models import Q, QuerySet

from accounts.models import User
from campaigns import permissions as campaign_permissions
from campaigns.selectors import campaign_list_visible_to
from events.catalog import EVENT_TYPES
from leads import permissions as lead_permissions
from leads.selectors import lead_import_list_visible_to, lead_list_visible_to
from sla import permissions as sla_permissions
from sla.selectors import breach_list_visible_to

ALL: Literal["all"] = "all"
Rule = Callable[[User], "Literal['all'] | QuerySet[Any]"]


def _leads(user: User) -> "Literal['all'] | QuerySet[Any]":
    if lead_permissions.sees_all_leads(user):
        return ALL
    return lead_list_visible_to(user).values("pk")


def _lead_imports(user: User) -> "Literal['all'] | QuerySet[Any]":
    if lead_permissions.is_admin(user):
        return ALL
    return lead_import_list_visible_to(user).values("pk")


def _breaches(user: User) -> "Literal['all'] | QuerySet[Any]":
    if sla_permissions.sees_all_breaches(user):
        return ALL
    return breach_list_visible_to(user).values("pk")


def _campaigns(user: User) -> "Literal['all'] | QuerySet[Any]":
    if campaign_permissions.sees_all_campaigns(user):
        return ALL
    return campaign_list_visible_to(user).values("pk")


def _everyone(user: User) -> "Literal['all'] | QuerySet[Any]":
    # Every signed-in user reads all SLA versions and all feedback (their APIs say so).
    return ALL


RULES: dict[str, Rule] = {
    "lead": _leads,
    "lead_import": _lead_imports,
    "breach": _breaches,
    "campaign": _campaigns,
    "sla_version": _everyone,
    "feedback": _everyone,
}


def visible_events_q(user: User, kinds: set[str]) -> Q | None:
    """A filter on events.Event: those about objects of ``kinds`` that ``user`` may see.

    None when nothing can be visible (no kind with a rule).
    """
    condition: Q | None = None
    for kind in sorted(kinds):
        rule = RULES.get(kind)
        if rule is None:
            continue
        visible = rule(user)
        part = Q(object_kind=kind) if visible == ALL else Q(object_kind=kind, object_id__in=visible)
        condition = part if condition is None else condition | part
    return condition


def kinds_without_rule() -> set[str]:
    return {event_type.object_kind for event_type in EVENT_TYPES.values()} - set(RULES)
