"""The meetings demo: the briefs of the last four complete weeks, built once."""

import io
from datetime import date, datetime, timedelta

import time_machine
from django.utils import timezone

from meetings import demo
from meetings.models import WeeklyBrief


def test_demo_builds_the_last_four_weeks_once(db):
    out = io.StringIO()
    wednesday = timezone.make_aware(datetime(2026, 11, 18, 12))
    with time_machine.travel(wednesday, tick=False):
        demo.seed(seed=7, leads=0, out=out)
        demo.seed(seed=7, leads=0, out=out)

    last_monday = date(2026, 11, 9)
    assert list(WeeklyBrief.objects.values_list("week_start", flat=True)) == [
        last_monday - timedelta(days=7 * weeks) for weeks in range(4)
    ]
    assert WeeklyBrief.objects.filter(sent_at__isnull=False).count() == 0
    assert "4 weekly briefs built" in out.getvalue()
    assert "0 weekly briefs built" in out.getvalue()
