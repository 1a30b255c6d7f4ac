"""Build the weekly smarketing brief and e-mail it to both teams (as the Monday task does)."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from meetings import services


class Command(BaseCommand):
    help = (
        "Build the weekly brief (last week by default) and e-mail it to both teams. "
        "People who already received that week's brief get nothing again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--week", help="Any day of the week to brief, YYYY-MM-DD (default: last week)."
        )
        parser.add_argument(
            "--no-send", action="store_true", help="Build and store the brief, send no e-mail."
        )

    def handle(self, *args, week: str | None, no_send: bool, **options):
        if week:
            try:
                monday = services.week_start_of(date.fromisoformat(week))
            except ValueError as error:
                raise CommandError("--week must be a date, YYYY-MM-DD.") from error
            brief = services.weekly_brief_build(week_start=monday)
        else:
            brief = services.weekly_brief_for_task()
        self.stdout.write(f"Brief of the week of {brief.week_start:%Y-%m-%d} built.")
        if no_send:
            return
        sent = services.weekly_brief_send(brief_id=brief.pk)
        self.stdout.write(self.style.SUCCESS(f"E-mailed to {sent} people (others had it already)."))
