"""Demo meetings: the weekly briefs of the last four complete weeks (built, not e-mailed).

``seed(seed=…, leads=…, out=…)`` runs after the demos of the areas the brief reads, so
the list and the pages have content. A brief already there is left as it is.
"""

from datetime import timedelta

from django.utils import timezone

from meetings import services
from meetings.models import WeeklyBrief

WEEKS = 4


def seed(*, seed: int, leads: int, out) -> None:
    built = recent_briefs()
    out.write(f"Demo meetings: {built} weekly briefs built.")


def recent_briefs() -> int:
    """Build the briefs of the last four complete weeks that do not exist yet."""
    last_monday = services.week_start_of(timezone.localdate()) - timedelta(days=7)
    built = 0
    for weeks_back in range(WEEKS):
        monday = last_monday - timedelta(days=7 * weeks_back)
        if not WeeklyBrief.objects.filter(week_start=monday).exists():
            services.weekly_brief_build(week_start=monday)
            built += 1
    return built
