"""Load the demo data of every area, in dependency order. Safe to run again."""

import importlib

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from smarketing.cache import bump_dashboards_generation

# Each area's demo module has seed(*, seed, leads, out). Areas that have none yet are
# skipped, so the command grows with the product.
DEMO_MODULES = (
    "accounts.demo",
    "leads.demo",
    "sla.demo",
    "campaigns.demo",
    "feedback.demo",
    "kpis.demo",
)


class Command(BaseCommand):
    help = "Create demo users of every role and demo data for every area (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=42, help="Random seed (default 42).")
        parser.add_argument(
            "--leads", type=int, default=3000, help="How many demo leads (default 3000)."
        )

    def handle(self, *args, seed: int, leads: int, **options):
        if leads < 0:
            raise CommandError("--leads must be zero or more.")
        for module_name in DEMO_MODULES:
            try:
                module = importlib.import_module(module_name)
            except ModuleNotFoundError as error:
                if error.name != module_name:
                    raise
                continue
            # One area at a time in its own transaction: a failure leaves earlier areas
            # complete and this one untouched, and a re-run picks up from there.
            with transaction.atomic():
                module.seed(seed=seed, leads=leads, out=self.stdout)
        bump_dashboards_generation()  # demo rows were written in bulk, past the services
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
