"""Load the demo data of every area, in dependency order. Safe to run again."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts import demo as accounts_demo
from campaigns import demo as campaigns_demo
from feedback import demo as feedback_demo
from kpis import demo as kpis_demo
from kpis.cache import bump_dashboards_generation
from leads import demo as leads_demo
from meetings import demo as meetings_demo
from sla import demo as sla_demo

# Each area's demo module has seed(*, seed, leads, out), run in this order.
# The stack's order (docs/ARCHITECTURE.md): the SLA demo detects breaches, so it runs
# after the campaigns and feedback it judges.
DEMO_MODULES = (
    accounts_demo,
    leads_demo,
    campaigns_demo,
    feedback_demo,
    sla_demo,
    kpis_demo,
    meetings_demo,
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
        for module in DEMO_MODULES:
            # One area at a time in its own transaction: a failure leaves earlier areas
            # complete and this one untouched, and a re-run picks up from there.
            with transaction.atomic():
                module.seed(seed=seed, leads=leads, out=self.stdout)
        bump_dashboards_generation()  # demo rows were written in bulk, past the services
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
