"""Campaign results for a year on PostgreSQL, beside raw SQL doing the same computation.

What is measured: ``analytics.campaign_results`` for every campaign over the last 365
days (funnel counts, sourced leads, spend, pipeline and revenue under all four
attribution models, costs and ROI shaped with pandas), against the same five queries
written by hand and fetched with a bare cursor. The ratio is the cost of the ORM, the
query building and pandas on top of the SQL. The single-campaign page's results and
the demo's set-based touch insert are timed too.

Run: ``make bench`` (or ``.venv/bin/python -m bench --only campaigns``).
"""

import time
from datetime import timedelta

from django.db import connection
from django.utils import timezone

from bench.timing import best_of, raw_sql

REPEAT = 3


def _raw_queries(since, until) -> list:
    """The hand-written SQL of one campaign_results() call, over all campaigns."""
    credit = {
        "first_touch": "CASE WHEN position = 1 THEN 1.0 ELSE 0.0 END",
        "last_touch": "CASE WHEN position = touches THEN 1.0 ELSE 0.0 END",
        "linear": "1.0 / touches",
        "u_shaped": "CASE WHEN touches = 1 THEN 1.0 WHEN touches = 2 THEN 0.5 "
        "WHEN position = 1 OR position = touches THEN 0.4 ELSE 0.2 / (touches - 2) END",
    }
    sums = ", ".join(f"SUM(amount * ({expression}))" for expression in credit.values())

    def attribution(stage_at: str, amount: str) -> str:
        return f"""
            WITH credited AS (
                SELECT t.campaign_id, COALESCE(l.{amount}, 0) AS amount,
                       ROW_NUMBER() OVER (PARTITION BY t.lead_id ORDER BY t.occurred_at, t.id)
                           AS position,
                       COUNT(*) OVER (PARTITION BY t.lead_id) AS touches
                FROM campaigns_campaigntouch t JOIN leads_lead l ON l.id = t.lead_id
                WHERE l.{stage_at} IS NOT NULL AND t.occurred_at < l.{stage_at}
                  AND l.{stage_at} >= %s AND l.{stage_at} < %s
            )
            SELECT campaign_id, {sums} FROM credited GROUP BY campaign_id
        """

    def reached(stage_at: str) -> str:
        return (
            f"l.{stage_at} IS NOT NULL AND t.occurred_at < l.{stage_at}"
            f" AND l.{stage_at} >= %(since)s AND l.{stage_at} < %(until)s"
        )

    counts = f"""
        SELECT t.campaign_id,
               COUNT(DISTINCT CASE WHEN t.occurred_at >= %(since)s AND t.occurred_at < %(until)s
                                   THEN t.lead_id END),
               COUNT(DISTINCT CASE WHEN {reached("mql_at")} THEN t.lead_id END),
               COUNT(DISTINCT CASE WHEN {reached("mql_at")} AND l.sal_at IS NOT NULL
                                   THEN t.lead_id END),
               COUNT(DISTINCT CASE WHEN {reached("mql_at")} AND l.sal_at IS NULL
                                    AND EXISTS (SELECT 1 FROM leads_leadstagechange c
                                                WHERE c.lead_id = t.lead_id
                                                  AND c.to_stage = 'rejected')
                                   THEN t.lead_id END),
               COUNT(DISTINCT CASE WHEN {reached("sal_at")} THEN t.lead_id END),
               COUNT(DISTINCT CASE WHEN {reached("sql_at")} THEN t.lead_id END),
               COUNT(DISTINCT CASE WHEN {reached("won_at")} THEN t.lead_id END)
        FROM campaigns_campaigntouch t JOIN leads_lead l ON l.id = t.lead_id
        GROUP BY t.campaign_id
    """
    sourced = """
        SELECT campaign_id, COUNT(*) FROM (
            SELECT campaign_id, occurred_at,
                   ROW_NUMBER() OVER (PARTITION BY lead_id ORDER BY occurred_at, id) AS position
            FROM campaigns_campaigntouch
        ) ranked
        WHERE position = 1 AND occurred_at >= %s AND occurred_at < %s
        GROUP BY campaign_id
    """
    spend = """
        SELECT campaign_id, SUM(amount) FROM campaigns_spendentry
        WHERE spent_on >= %s AND spent_on < %s GROUP BY campaign_id
    """
    campaigns = (
        "SELECT id, name, type, status, start_date, end_date, budget FROM campaigns_campaign"
    )
    period = {"since": since, "until": until}
    return [
        raw_sql(campaigns),
        raw_sql(counts, period),
        raw_sql(sourced, [since, until]),
        raw_sql(spend, [since.date(), until.date()]),
        raw_sql(attribution("sql_at", "expected_amount"), [since, until]),
        raw_sql(attribution("won_at", "won_amount"), [since, until]),
    ]


def run(*, leads: int) -> dict:
    from campaigns import analytics, demo
    from campaigns.models import Campaign, CampaignTouch

    started = time.perf_counter()
    out = _Quiet()
    demo.seed(seed=42, leads=leads, out=out)
    seed_seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE campaigns_campaigntouch")
    touches = CampaignTouch.objects.count()
    until = timezone.now()
    since = until - timedelta(days=365)

    def ours():
        return analytics.campaign_results(since=since, until=until, model="u_shaped")

    queries = _raw_queries(since, until)

    def raw():
        return [query() for query in queries]

    frame = ours()
    raw_rows = raw()
    # Same numbers both ways: the SQLs, customers and U-shaped revenue of every campaign.
    by_campaign = {row[0]: row for row in raw_rows[1]}
    revenue = {row[0]: float(row[4]) for row in raw_rows[5]}
    for row in frame.itertuples(index=False):
        expected = by_campaign.get(row.id)
        assert row.sqls == (expected[6] if expected else 0), row.id
        assert abs(row.revenue_u_shaped - round(revenue.get(row.id, 0.0), 2)) < 0.05, row.id

    ours_seconds = best_of(ours, repeat=REPEAT)
    raw_seconds = best_of(raw, repeat=REPEAT)
    busiest = Campaign.objects.filter(touches__isnull=False).order_by("-start_date").first()
    page_seconds = None
    if busiest is not None:
        page_seconds = best_of(
            lambda: analytics.campaign_result(busiest, model="u_shaped"), repeat=REPEAT
        )
    return {
        "what": "results of every campaign for the last 365 days (counts, sourced, spend, "
        "pipeline and revenue under 4 attribution models, costs, ROI)",
        "campaigns": Campaign.objects.count(),
        "touches": touches,
        "demo_seed_seconds": round(seed_seconds, 2),
        "results_all_campaigns_seconds": round(ours_seconds, 3),
        "raw_sql_same_work_seconds": round(raw_seconds, 3),
        "ratio_to_raw_sql": round(ours_seconds / raw_seconds, 2) if raw_seconds else None,
        "one_campaign_page_results_seconds": (
            round(page_seconds, 3) if page_seconds is not None else None
        ),
        "figures_match_raw_sql": True,
    }


class _Quiet:
    def write(self, text: str) -> None:
        print(text, flush=True)
