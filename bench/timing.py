"""Timing helpers for `make bench`: best-of-N wall time, and raw SQL to compare against.

Targets are ratios against hand-written SQL doing the same work in the same run, so a
noisy, shared machine slows both sides alike.
"""

import time
from collections.abc import Callable

from django.db import connection


def best_of(function: Callable[[], object], repeat: int = 5, warmup: int = 1) -> float:
    """The fastest of ``repeat`` runs, in seconds, after ``warmup`` untimed runs."""
    for _ in range(warmup):
        function()
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        timings.append(time.perf_counter() - started)
    return min(timings)


def raw_sql(sql: str, params: list | tuple = ()) -> Callable[[], list]:
    """A callable that runs ``sql`` and fetches every row, for best_of()."""

    def run() -> list:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    return run
