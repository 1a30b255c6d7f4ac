"""`make bench` for the SLA area: breach detection on the bench database, beside raw SQL.

Measures ``detect_breaches``' service (``breaches_detect``) twice: a first run that
finds every breach in the demo history (all clocks reset to "not yet judged", no breach
recorded), and a second run that finds nothing new — the steady state every 5 minutes.
Hand-written SQL doing the same per-lead detection (INSERT … SELECT … ON CONFLICT plus
the settling UPDATEs) runs on the same reset data for the ratio. Every measurement runs
inside a transaction that is rolled back, so the database is left as it was and a
second `make bench` measures the same thing.
"""

import time
from datetime import datetime

from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from sla import demo
from sla.detection import clocks, period_targets
from sla.models import SLA, Breach, SLAClock


class _Rollback(Exception):
    pass


def _ensure_demo_sla(out: dict) -> None:
    """The bench database may have been seeded before the SLA area existed: add it."""
    if SLA.objects.filter(name=demo.DEMO_SLA_NAME).exists():
        return
    people = demo._people()
    if people is None:
        raise RuntimeError("The bench database has no demo users; run seed_demo first.")
    started = time.perf_counter()
    with transaction.atomic():
        sla = demo._agreement(people)
        out["clocks_seeded"] = demo._clocks_top_up(sla)
    out["clock_seeding_seconds"] = round(time.perf_counter() - started, 1)


RESET_SQL = """
UPDATE sla_slaclock SET
    decision_state = 'open',
    first_touch_state = CASE WHEN decision = 'accepted' THEN 'open' ELSE 'n/a' END,
    persistence_state = CASE WHEN decision = 'accepted' THEN 'open' ELSE 'n/a' END,
    comment_state = CASE
        WHEN decision = 'rejected' AND EXISTS (
            SELECT 1 FROM sla_slaversion v
            WHERE v.id = sla_slaclock.version_id AND v.rejection_comment_required
        ) THEN 'open' ELSE 'n/a' END
"""


def _reset() -> None:
    """Back to "nothing judged yet": every obligation open, no breach recorded."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM sla_breach")
        cursor.execute(RESET_SQL)
        cursor.execute("ANALYZE sla_slaclock")


BREACH_COLUMNS = (
    "kind, side, version_id, lead_id, clock_id, owner_id, due_at, detected_at, acknowledgement"
)
OWNER = (
    "CASE WHEN l.handed_over_at = c.handed_over_at AND l.owner_id IS NOT NULL "
    "THEN l.owner_id ELSE c.owner_id END"
)
RAW_STEPS = {
    "rejection_without_comment": [
        f"""INSERT INTO sla_breach ({BREACH_COLUMNS})
        SELECT 'rejection_without_comment', 'sales', c.version_id, c.lead_id, c.id,
               ch.from_owner_id, c.decided_at, %(now)s, ''
        FROM sla_slaclock c
        LEFT JOIN LATERAL (
            SELECT comment, from_owner_id FROM leads_leadstagechange ch
            WHERE ch.lead_id = c.lead_id AND ch.from_stage = 'mql' AND ch.to_stage = 'rejected'
              AND ch.created_at >= c.handed_over_at
            ORDER BY ch.created_at, ch.id LIMIT 1
        ) ch ON true
        WHERE c.comment_state = 'open' AND COALESCE(ch.comment, '') = ''
        ON CONFLICT DO NOTHING""",
        """UPDATE sla_slaclock SET comment_state = 'breached'
        WHERE comment_state = 'open' AND id IN (
            SELECT clock_id FROM sla_breach WHERE kind = 'rejection_without_comment')""",
        "UPDATE sla_slaclock SET comment_state = 'met' WHERE comment_state = 'open'",
    ],
    "decision_late": [
        f"""INSERT INTO sla_breach ({BREACH_COLUMNS})
        SELECT 'decision_late', 'sales', c.version_id, c.lead_id, c.id, {OWNER},
               c.decision_due_at, %(now)s, ''
        FROM sla_slaclock c JOIN leads_lead l ON l.id = c.lead_id
        WHERE c.decision_state = 'open' AND c.decision_due_at <= %(now)s
          AND (c.decided_at IS NULL OR c.decided_at > c.decision_due_at)
        ON CONFLICT DO NOTHING""",
        """UPDATE sla_slaclock SET decision_state = 'breached'
        WHERE decision_state = 'open' AND decision_due_at <= %(now)s
          AND (decided_at IS NULL OR decided_at > decision_due_at)""",
        """UPDATE sla_slaclock SET decision_state = 'met'
        WHERE decision_state = 'open' AND decided_at IS NOT NULL
          AND decided_at <= decision_due_at""",
    ],
    "first_touch_late": [
        """UPDATE sla_slaclock c SET first_touch_state = 'met'
        FROM leads_lead l
        WHERE l.id = c.lead_id AND c.first_touch_state = 'open' AND (
            EXISTS (SELECT 1 FROM leads_touch t WHERE t.lead_id = c.lead_id
                    AND t.occurred_at >= c.handed_over_at
                    AND t.occurred_at <= c.first_touch_due_at)
            OR (l.first_touch_at >= c.handed_over_at
                AND l.first_touch_at <= c.first_touch_due_at))""",
        f"""INSERT INTO sla_breach ({BREACH_COLUMNS})
        SELECT 'first_touch_late', 'sales', c.version_id, c.lead_id, c.id, {OWNER},
               c.first_touch_due_at, %(now)s, ''
        FROM sla_slaclock c JOIN leads_lead l ON l.id = c.lead_id
        WHERE c.first_touch_state = 'open' AND c.first_touch_due_at <= %(now)s
        ON CONFLICT DO NOTHING""",
        """UPDATE sla_slaclock SET first_touch_state = 'breached'
        WHERE first_touch_state = 'open' AND first_touch_due_at <= %(now)s""",
    ],
    "recycled_early": [
        f"""INSERT INTO sla_breach ({BREACH_COLUMNS})
        SELECT 'recycled_early', 'sales', c.version_id, c.lead_id, c.id, r.from_owner_id,
               r.created_at, %(now)s, ''
        FROM sla_slaclock c
        JOIN leads_lead l ON l.id = c.lead_id
        JOIN sla_slaversion v ON v.id = c.version_id
        JOIN LATERAL (
            SELECT created_at, from_owner_id FROM leads_leadstagechange ch
            WHERE ch.lead_id = c.lead_id AND ch.action = 'recycle' AND ch.from_stage = 'sal'
              AND ch.created_at >= c.handed_over_at AND ch.created_at <= %(now)s
            ORDER BY ch.created_at, ch.id LIMIT 1
        ) r ON true
        WHERE c.persistence_state = 'open'
          AND NOT (l.stage = 'sal' AND l.handed_over_at IS NOT DISTINCT FROM c.handed_over_at)
          AND v.min_attempts > (
              SELECT count(*) FROM leads_touch t WHERE t.lead_id = c.lead_id
              AND t.occurred_at >= c.handed_over_at AND t.occurred_at <= r.created_at)
        ON CONFLICT DO NOTHING""",
        """UPDATE sla_slaclock SET persistence_state = 'breached'
        WHERE persistence_state = 'open' AND id IN (
            SELECT clock_id FROM sla_breach WHERE kind = 'recycled_early')""",
        """UPDATE sla_slaclock c SET persistence_state = CASE WHEN EXISTS (
                SELECT 1 FROM leads_leadstagechange ch WHERE ch.lead_id = c.lead_id
                AND ch.action = 'recycle' AND ch.from_stage = 'sal'
                AND ch.created_at >= c.handed_over_at AND ch.created_at <= %(now)s)
            THEN 'met' ELSE 'n/a' END
        FROM leads_lead l
        WHERE l.id = c.lead_id AND c.persistence_state = 'open'
          AND NOT (l.stage = 'sal' AND l.handed_over_at IS NOT DISTINCT FROM c.handed_over_at)""",
    ],
}

ORM_STEPS = {
    "decisions_sync": clocks.decisions_sync,
    "rejection_without_comment": clocks.rejection_breaches_record,
    "decision_late": clocks.decision_breaches_record,
    "first_touch_late": clocks.first_touch_breaches_record,
    "recycled_early": clocks.persistence_breaches_record,
    "periods": period_targets.period_breaches_record,
}


def _orm_run(now: datetime) -> dict:
    timings = {}
    for name, step in ORM_STEPS.items():
        started = time.perf_counter()
        with transaction.atomic():
            step(now=now)
        timings[name] = time.perf_counter() - started
    return timings


def _raw_run(now: datetime) -> dict:
    timings = {}
    with connection.cursor() as cursor:
        for name, statements in RAW_STEPS.items():
            started = time.perf_counter()
            for sql in statements:
                cursor.execute(sql, {"now": now})
            timings[name] = time.perf_counter() - started
    return timings


def _measure(runner, now: datetime) -> dict:
    """First and second run on freshly reset data, rolled back afterwards."""
    result = {}
    try:
        with transaction.atomic():
            _reset()
            first = runner(now)
            result["breaches_found"] = Breach.objects.count()
            result["by_kind"] = dict(
                Breach.objects.order_by().values_list("kind").annotate(n=Count("pk"))
            )
            second = runner(now)
            result["new_on_second_run"] = Breach.objects.count() - result["breaches_found"]
            result["first_run_s"] = {k: round(v, 3) for k, v in first.items()}
            result["second_run_s"] = {k: round(v, 4) for k, v in second.items()}
            result["first_total_s"] = round(sum(first.values()), 3)
            result["second_total_s"] = round(sum(second.values()), 4)
            raise _Rollback
    except _Rollback:
        pass
    return result


def run(*, leads: int) -> dict:
    out: dict = {"leads": leads}
    _ensure_demo_sla(out)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    # Clocks seeded before the demo filled in past decisions: let the detector's sync do
    # it once (committed), so the runs below measure detection, not a one-off backfill.
    undecided = SLAClock.objects.filter(decision="").count()
    started = time.perf_counter()
    with transaction.atomic():
        out["decisions_backfilled"] = clocks.decisions_sync(now=timezone.now())
    out["decision_backfill_s"] = round(time.perf_counter() - started, 1)
    out["undecided_clocks_before_backfill"] = undecided
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE sla_slaclock")
    out["clocks"] = SLAClock.objects.count()
    now = timezone.now()
    orm = _measure(_orm_run, now)
    raw = _measure(_raw_run, now)
    per_lead = ("rejection_without_comment", "decision_late", "first_touch_late", "recycled_early")
    orm_first = sum(orm["first_run_s"][k] for k in per_lead)
    raw_first = sum(raw["first_run_s"][k] for k in per_lead)
    orm_second = sum(orm["second_run_s"][k] for k in per_lead)
    raw_second = sum(raw["second_run_s"][k] for k in per_lead)
    out["detect_breaches"] = orm
    out["raw_sql"] = raw
    # Raw SQL covers the per-lead kinds; the per-period ones are a few aggregates.
    out["same_breaches_as_raw_sql"] = all(
        orm["by_kind"].get(kind, 0) == raw["by_kind"].get(kind, 0) for kind in per_lead
    )
    out["ratio_first_run_per_lead_kinds"] = round(orm_first / raw_first, 2) if raw_first else None
    out["ratio_second_run_per_lead_kinds"] = (
        round(orm_second / raw_second, 2) if raw_second else None
    )
    return out
