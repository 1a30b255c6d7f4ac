"""Meeting figures for `make bench`: the weekly brief's funnel query and the whole build.

The funnel is the ORM path the product uses against hand-written SQL doing the same work
in the same run (ratio = ORM / SQL; 1.0 means no overhead). Runs after bench.feedback,
which seeds the feedback the brief counts.
"""

from datetime import timedelta

from django.utils import timezone

from bench.timing import best_of, raw_sql
from meetings import selectors, services

FUNNEL_SQL = """
    SELECT
      COUNT(*) FILTER (WHERE mql_at >= %(s)s AND mql_at < %(e)s),
      COUNT(*) FILTER (WHERE mql_at >= %(p)s AND mql_at < %(s)s),
      COUNT(*) FILTER (WHERE sal_at >= %(s)s AND sal_at < %(e)s),
      COUNT(*) FILTER (WHERE sal_at >= %(p)s AND sal_at < %(s)s),
      COUNT(*) FILTER (WHERE sql_at >= %(s)s AND sql_at < %(e)s),
      COUNT(*) FILTER (WHERE sql_at >= %(p)s AND sql_at < %(s)s),
      COUNT(*) FILTER (WHERE won_at >= %(s)s AND won_at < %(e)s),
      COUNT(*) FILTER (WHERE won_at >= %(p)s AND won_at < %(s)s)
    FROM leads_lead
    WHERE (mql_at >= %(p)s AND mql_at < %(e)s) OR (sal_at >= %(p)s AND sal_at < %(e)s)
       OR (sql_at >= %(p)s AND sql_at < %(e)s) OR (won_at >= %(p)s AND won_at < %(e)s)
"""


def run(*, leads: int) -> dict:
    week_start = services.week_start_of(timezone.localdate()) - timedelta(days=7)
    start, end = selectors.week_bounds(week_start)
    window = {"s": start, "e": end, "p": start - timedelta(days=7)}
    orm_seconds = best_of(lambda: selectors.funnel_week_over_week(week_start=week_start))
    sql_seconds = best_of(raw_sql(FUNNEL_SQL, window))
    build_seconds = best_of(lambda: services.weekly_brief_build(week_start=week_start), repeat=3)
    return {
        "queries": [
            {
                "name": "brief funnel, week over week (one conditional-COUNT query)",
                "orm_ms": round(orm_seconds * 1000, 2),
                "sql_ms": round(sql_seconds * 1000, 2),
                "ratio": round(orm_seconds / sql_seconds, 2) if sql_seconds else None,
            }
        ],
        "weekly_brief_build_ms": round(build_seconds * 1000, 1),
    }
