"""Cached dashboard panels, invalidated all at once by a generation key.

djangoproject.com's pattern: every cached value's key holds the current generation, and
every committed event that can change a dashboard bumps the generation (kpis.handlers),
so every cached panel is stale at once. A short timeout bounds the age of a panel for
what changes without an event (the detector settling obligations as met). Only panels
that measured slow are cached (kpis/selectors.py).
"""

import hashlib
import time
from collections.abc import Callable
from typing import TypeVar, cast

from django.core.cache import cache

GENERATION_KEY = "dashboards:generation"
PANEL_TIMEOUT = 5 * 60

T = TypeVar("T")


def _fresh_generation() -> int:
    # A generation never used before, even if the key was evicted: panels cached under
    # an older number are never read again.
    return time.time_ns() // 1000


def dashboards_generation() -> int:
    # Only ints are stored under the key (_fresh_generation() or incr()); never None.
    return cast(int, cache.get_or_set(GENERATION_KEY, _fresh_generation, timeout=None))


def bump_dashboards_generation() -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # not set yet (or evicted): any new value invalidates
        cache.set(GENERATION_KEY, _fresh_generation(), timeout=None)


def cached_panel(name: str, params: tuple, compute: Callable[[], T]) -> T:
    """``compute()``, or its cached value for these ``params`` in this generation."""
    digest = hashlib.sha256(repr(params).encode()).hexdigest()[:32]
    key = f"dashboards:{dashboards_generation()}:{name}:{digest}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout=PANEL_TIMEOUT)
    return value
