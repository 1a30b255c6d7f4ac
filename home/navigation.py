"""The navigation bar, by role. Each area adds its entries here as it gains pages.

An entry whose page does not exist yet (its URL name does not resolve) is left out,
so the bar never links to a 404.
"""

from dataclasses import dataclass
from typing import NotRequired, TypedDict

from django.urls import NoReverseMatch, reverse
from django.utils.functional import SimpleLazyObject
from django.utils.module_loading import import_string

from accounts.models import User
from accounts.roles import Role

EVERYONE = frozenset(Role)
MARKETING = frozenset({Role.MARKETER, Role.MARKETING_MANAGER, Role.ADMIN})
SALES = frozenset({Role.SELLER, Role.SALES_MANAGER, Role.ADMIN})
MANAGERS = frozenset({Role.MARKETING_MANAGER, Role.SALES_MANAGER, Role.ADMIN})


@dataclass(frozen=True)
class NavEntry:
    label: str
    url_name: str
    roles: frozenset[Role]
    # Dotted path to a callable(user) -> int shown as a count next to the label (0: none).
    # Evaluated lazily, only when a page renders the bar.
    badge: str = ""


NAV = (
    NavEntry("Home", "home", EVERYONE),
    NavEntry("My inbox", "leads:inbox", SALES),
    NavEntry("Leads", "leads:list", EVERYONE),
    NavEntry("Rejected", "leads:rejected", MARKETING),
    NavEntry("Campaigns", "campaigns:list", EVERYONE),
    NavEntry("SLA", "sla:agreement", EVERYONE),
    NavEntry("Compliance", "sla:compliance", EVERYONE),
    NavEntry("Feedback", "feedback:board", EVERYONE, badge="feedback.selectors.unanswered_badge"),
    NavEntry("Dashboard", "kpis:executive", EVERYONE),
    NavEntry("Webhooks", "integrations:webhooks", MANAGERS),
)


class NavItem(TypedDict):
    label: str
    url: str
    url_name: str
    # Only on entries with a badge: the count, computed when the template reads it.
    badge: NotRequired[SimpleLazyObject]


def _lazy_badge(path: str, user: User) -> SimpleLazyObject:
    return SimpleLazyObject(lambda: import_string(path)(user))


def nav_for(user: User) -> list[NavItem]:
    entries = []
    for entry in NAV:
        if user.role not in entry.roles:
            continue
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
            continue
        item: NavItem = {"label": entry.label, "url": url, "url_name": entry.url_name}
        if entry.badge:
            item["badge"] = _lazy_badge(entry.badge, user)
        entries.append(item)
    return entries
