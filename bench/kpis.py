"""KPI performance at scale: the funnel endpoint and the executive dashboard against the best
raw SQL aggregate computing the same cohort funnel, in the same run.

Targets (issue 7): funnel endpoint ≤ 1.0× raw, dashboard page ≤ 1.5× raw, and the peak
memory of a process serving the dashboard < 250 MB. The raw query uses the same
extended statistics (kpis migration 0002) as the ORM does.
"""

import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils import timezone

from bench.timing import best_of, raw_sql

RAW_COHORT_FUNNEL = """
SELECT date_trunc('month', mql_at AT TIME ZONE %s) AS month,
       count(*) AS mql, count(sal_at) AS sal, count(sql_at) AS sql, count(won_at) AS customer
FROM leads_lead
WHERE mql_at >= %s AND mql_at < %s
GROUP BY 1
ORDER BY 1
"""

# Renders the dashboard once in a fresh interpreter and prints its peak RSS (KiB on Linux).
MEMORY_PROBE = """
import os, resource, sys
import django
django.setup()
from django.test import Client
from accounts.models import User
client = Client(HTTP_HOST="127.0.0.1")
client.force_login(User.objects.get(username=sys.argv[1]))
response = client.get("/kpis/", {"from": sys.argv[2], "to": sys.argv[3]})
assert response.status_code == 200, response.status_code
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def _range() -> tuple[dt.date, dt.date]:
    """From the first month with MQLs to tomorrow: every lead's cohort."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(mql_at) FROM leads_lead")
        (first,) = cursor.fetchone()
    today = timezone.localdate()
    first_day = timezone.localtime(first).date().replace(day=1) if first else today.replace(day=1)
    return first_day, today + dt.timedelta(days=1)


def _viewer():
    from accounts.models import User

    viewer = User.objects.filter(role="executive").order_by("id").first()
    if viewer is None:
        from accounts import services

        viewer = services.user_create(
            username="bench_executive", password="bench-only-123", role="executive", team=None
        )
    return viewer


def run(*, leads: int) -> dict:
    from kpis import services
    from kpis.selectors import Slice, funnel, local_midnight

    since, until = _range()
    started = time.perf_counter()
    snapshot = services.snapshots_take()
    snapshot_seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        # What autovacuum does in the hours after the 00:30 job: the upsert left every
        # row a new version, and index-only scans need the visibility map set again.
        cursor.execute("VACUUM ANALYZE kpis_kpisnapshot")

    viewer = _viewer()
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(viewer)
    query = {"from": since.isoformat(), "to": until.isoformat()}

    def funnel_endpoint(view="cohort"):
        response = client.get("/api/v1/kpis/funnel/", {**query, "group_by": "month", "view": view})
        assert response.status_code == 200, response.content[:300]
        return response

    def dashboard():
        response = client.get("/kpis/", query)
        assert response.status_code == 200, response.status_code
        return response

    raw = raw_sql(
        RAW_COHORT_FUNNEL, [settings.TIME_ZONE, local_midnight(since), local_midnight(until)]
    )
    # Same answer first: the endpoint's totals equal the raw aggregate's.
    raw_rows = raw()
    api_total = funnel_endpoint().json()["total"]
    raw_total = {
        "mql": sum(row[1] for row in raw_rows),
        "sal": sum(row[2] for row in raw_rows),
        "sql": sum(row[3] for row in raw_rows),
        "customer": sum(row[4] for row in raw_rows),
    }
    same_numbers = all(api_total[key] == value for key, value in raw_total.items())

    # Interleaved: each round times the raw query and every page once, so a noisy
    # neighbour on a shared machine slows both sides of a ratio alike; best of the rounds.
    contenders = {
        "raw": raw,
        "funnel": funnel_endpoint,
        "funnel_period": lambda: funnel_endpoint("period"),
        "dashboard": dashboard,
    }
    for function in contenders.values():
        function()  # warm-up
    best = dict.fromkeys(contenders, float("inf"))
    for _round in range(7):
        for name, function in contenders.items():
            best[name] = min(best[name], best_of(function, repeat=1, warmup=0))
    raw_seconds = best["raw"]
    funnel_seconds = best["funnel"]
    funnel_period_seconds = best["funnel_period"]
    dashboard_seconds = best["dashboard"]
    live_seconds = best_of(
        lambda: funnel(
            since=local_midnight(since),
            until=local_midnight(until),
            view="cohort",
            group_by="month",
            slice=Slice(),
            use_snapshots=False,
        ),
        repeat=3,
    )

    probe = subprocess.run(
        [sys.executable, "-c", MEMORY_PROBE, viewer.username, query["from"], query["to"]],
        capture_output=True,
        text=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "smarketing.settings"},
        cwd=Path(__file__).resolve().parent.parent,
        check=True,
    )
    peak_kib = int(probe.stdout.strip().splitlines()[-1])

    result = {
        "leads": leads,
        "range": {"from": query["from"], "to": query["to"]},
        "snapshot_job_seconds": round(snapshot_seconds, 2),
        "snapshot_rows": snapshot.rows,
        "raw_cohort_funnel_seconds": round(raw_seconds, 4),
        "funnel_endpoint_seconds": round(funnel_seconds, 4),
        "funnel_endpoint_ratio": round(funnel_seconds / raw_seconds, 3),
        "funnel_endpoint_target_ratio": 1.0,
        "funnel_period_endpoint_seconds": round(funnel_period_seconds, 4),
        "funnel_live_without_snapshot_seconds": round(live_seconds, 4),
        "dashboard_seconds": round(dashboard_seconds, 4),
        "dashboard_ratio": round(dashboard_seconds / raw_seconds, 3),
        "dashboard_target_ratio": 1.5,
        "dashboard_peak_rss_mb": round(peak_kib / 1024, 1),
        "dashboard_peak_rss_target_mb": 250,
        "endpoint_equals_raw": same_numbers,
    }
    return result


if __name__ == "__main__":
    # `python -m bench.kpis` on an already seeded database (DATABASE_URL), without make bench.
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smarketing.settings")
    os.environ.setdefault("DJANGO_DEBUG", "1")
    django.setup()
    from leads.models import Lead

    print(json.dumps(run(leads=Lead.objects.count()), indent=2))
