"""`manage.py detect_breaches`: the periodic breach detection, run once, right now."""

from django.core.management.base import BaseCommand

from sla import tasks


class Command(BaseCommand):
    help = "Record every SLA breach that is due now and notify the responsible side."

    def handle(self, *args, **options):
        count = tasks.detect_breaches()
        self.stdout.write(f"{count} breach(es) to notify.")
