"""`make bench`: performance figures for every area, as ratios to raw SQL, in one JSON file.

Runs on PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/smarketing_bench).
The database is migrated and filled to --leads demo leads first (seed_demo, bulk inserts);
a database that already holds them is reused, so a second run starts at once.

Each area has a module bench/<area>.py with run(*, leads: int) -> dict.
"""

import argparse
import importlib
import json
import os
import platform
import sys
import time
from pathlib import Path

BENCH_MODULES = (
    "bench.leads",
    "bench.sla",
    "bench.campaigns",
    "bench.feedback",
    "bench.kpis",
    "bench.meetings",
    "bench.integrations",
)
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/smarketing_bench"


def main() -> int:
    parser = argparse.ArgumentParser(prog="make bench")
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--only", action="append", help="area to run (repeatable)")
    parser.add_argument("--out", default="bench/results.json")
    args = parser.parse_args()

    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ.setdefault("DJANGO_DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smarketing.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        print("make bench measures PostgreSQL; set DATABASE_URL to a PostgreSQL database.")
        return 2
    _ensure_database(os.environ["DATABASE_URL"])
    call_command("migrate", verbosity=0)
    from leads.models import Lead

    present = Lead.objects.count()
    if present < args.leads:
        print(f"Seeding {args.leads:,} demo leads ({present:,} present)…", flush=True)
        started = time.perf_counter()
        call_command("seed_demo", leads=args.leads)
        print(f"Seeded in {time.perf_counter() - started:.0f} s.", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")

    results = {
        "machine": {
            "python": sys.version.split()[0],
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
        "leads_in_db": Lead.objects.count(),
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    for module_name in BENCH_MODULES:
        area = module_name.rsplit(".", 1)[1]
        if args.only and area not in args.only:
            continue
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name != module_name:
                raise
            continue
        print(f"== {area}", flush=True)
        results[area] = module.run(leads=results["leads_in_db"])
        print(json.dumps(results[area], indent=2), flush=True)

    Path(args.out).write_text(json.dumps(results, indent=2) + "\n")
    print(f"Wrote {args.out}")
    return 0


def _ensure_database(url: str) -> None:
    """Create the bench database if it does not exist yet."""
    import environ
    import psycopg2

    config = environ.Env.db_url_config(url)
    admin = psycopg2.connect(
        dbname="postgres",
        user=config["USER"],
        password=config["PASSWORD"],
        host=config["HOST"],
        port=config["PORT"],
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{config["NAME"]}"')
    admin.close()


if __name__ == "__main__":
    sys.exit(main())
