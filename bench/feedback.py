"""Feedback figures for `make bench`: the board and its numbers, and the themes.

Each figure is the ORM path the product uses against hand-written SQL doing the same work
in the same run (ratio = ORM / SQL; 1.0 means no overhead).
"""

from datetime import timedelta

from django.db.models import Count
from django.utils import timezone

from bench.timing import best_of, raw_sql
from feedback import selectors
from feedback.models import FeedbackItem, Status


def _ratio(name: str, orm, sql) -> dict:
    orm_seconds = best_of(orm)
    sql_seconds = best_of(sql)
    return {
        "name": name,
        "orm_ms": round(orm_seconds * 1000, 2),
        "sql_ms": round(sql_seconds * 1000, 2),
        "ratio": round(orm_seconds / sql_seconds, 2) if sql_seconds else None,
    }


def run(*, leads: int) -> dict:
    from io import StringIO

    from feedback import demo

    if not FeedbackItem.objects.exists():
        # The bench database is seeded with leads only; give the board something to show.
        demo.seed(seed=42, leads=leads, out=StringIO())
    now = timezone.now()
    figures = [
        _ratio(
            "unanswered count (navigation badge)",
            selectors.unanswered_count,
            raw_sql("SELECT COUNT(*) FROM feedback_feedbackitem WHERE status = 'new'"),
        ),
        _ratio(
            "board: first page, newest first, with author, lead, campaign and tags",
            lambda: list(selectors.feedback_items().order_by("-created_at", "-id")[:25]),
            raw_sql(
                """SELECT f.*, u.username, l.email, c.name FROM feedback_feedbackitem f
                   JOIN accounts_user u ON u.id = f.author_id
                   LEFT JOIN leads_lead l ON l.id = f.lead_id
                   LEFT JOIN campaigns_campaign c ON c.id = f.campaign_id
                   ORDER BY f.created_at DESC, f.id DESC LIMIT 25"""
            ),
        ),
        _ratio(
            "board: counts per status",
            lambda: selectors.status_counts(FeedbackItem.objects.all()),
            raw_sql("SELECT status, COUNT(*) FROM feedback_feedbackitem GROUP BY status"),
        ),
        _ratio(
            "median time to answer (percentile_cont, last 90 days)",
            lambda: selectors.median_time_to_answer(now=now),
            raw_sql(
                """SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY answered_at - created_at)
                   FROM feedback_feedbackitem
                   WHERE answered_at IS NOT NULL AND answered_at >= %s""",
                [now - selectors.MEDIAN_WINDOW],
            ),
        ),
        _ratio(
            "themes: top tags over 6 months",
            lambda: selectors.top_tags(since=now - timedelta(days=183), until=now),
            raw_sql(
                """SELECT t.name, t.slug, COUNT(*) AS n FROM feedback_feedbackitem_tags ft
                   JOIN feedback_feedbackitem f ON f.id = ft.feedbackitem_id
                   JOIN feedback_tag t ON t.id = ft.tag_id
                   WHERE f.created_at >= %s AND f.created_at < %s
                   GROUP BY t.name, t.slug ORDER BY n DESC, t.name LIMIT 10""",
                [now - timedelta(days=183), now],
            ),
        ),
    ]
    return {
        "items": FeedbackItem.objects.count(),
        "by_status": dict(
            FeedbackItem.objects.order_by().values_list("status").annotate(Count("id"))
        ),
        "unanswered": FeedbackItem.objects.filter(status=Status.NEW).count(),
        "queries": figures,
    }
