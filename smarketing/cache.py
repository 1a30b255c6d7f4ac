"""Cached dashboard panels, invalidated all at once by a generation key.

djangoproject.com's pattern: every cached value's key holds the current generation, and
any write that can change a dashboard bumps the generation when its transaction commits,
so every cached panel is stale at once. A short timeout bounds the age of a panel even if
a writer forgot to say so. Only panels that measured slow are cached (kpis/selectors.py).
"""

import hashlib
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.db import transaction

GENERATION_KEY = "dashboards:generation"
PANEL_TIMEOUT = 5 * 60

T = TypeVar("T")


def dashboards_generation() -> int:
    return cache.get_or_set(GENERATION_KEY, 1, timeout=None)


def bump_dashboards_generation() -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # not set yet (or evicted): any new value invalidates
        cache.set(GENERATION_KEY, 1, timeout=None)


def dashboards_changed() -> None:
    """Call in any write that changes what dashboards show; takes effect on commit."""
    transaction.on_commit(bump_dashboards_generation)


def cached_panel(name: str, params: tuple, compute: Callable[[], T]) -> T:
    """``compute()``, or its cached value for these ``params`` in this generation."""
    digest = hashlib.sha256(repr(params).encode()).hexdigest()[:32]
    key = f"dashboards:{dashboards_generation()}:{name}:{digest}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout=PANEL_TIMEOUT)
    return value
