"""Run the daily KPI snapshot now (the same service as the Celery beat job)."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from kpis import services


class Command(BaseCommand):
    help = "Store the daily KPI aggregates of every day before today (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--today", help="Take the snapshot as if today were YYYY-MM-DD (default: today)."
        )

    def handle(self, *args, today=None, **options):
        day = None
        if today:
            try:
                day = dt.date.fromisoformat(today)
            except ValueError as error:
                raise CommandError("--today must be a date, YYYY-MM-DD.") from error
        run = services.snapshots_take(today=day)
        self.stdout.write(f"KPI snapshot as of {run.as_of:%Y-%m-%d %H:%M %Z}: {run.rows} rows.")
