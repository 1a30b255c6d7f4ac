"""SLA periods (month or quarter): pure date arithmetic, no ORM."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.utils import timezone

from sla.models import Period, SLAVersion

# How many past periods a version is judged for when the detector first sees it.
MAX_PAST_PERIODS = 24


def period_start(day: date, period: str) -> date:
    """The first day of the month or quarter that contains ``day``."""
    if period == Period.QUARTER:
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return date(day.year, day.month, 1)


def next_period_start(start: date, period: str) -> date:
    months = 3 if period == Period.QUARTER else 1
    month_index = start.month - 1 + months
    return date(start.year + month_index // 12, month_index % 12 + 1, 1)


def previous_period_start(start: date, period: str) -> date:
    months = 3 if period == Period.QUARTER else 1
    month_index = start.month - 1 - months
    return date(start.year + month_index // 12, month_index % 12 + 1, 1)


def period_bounds(start: date, period: str, time_zone: str) -> tuple[datetime, datetime]:
    """[start, end) of the period beginning ``start`` as aware datetimes in ``time_zone``."""
    zone = ZoneInfo(time_zone)
    end = next_period_start(start, period)
    return datetime.combine(start, time(0), tzinfo=zone), datetime.combine(
        end, time(0), tzinfo=zone
    )


def period_label(start: date, period: str) -> str:
    if period == Period.QUARTER:
        return f"{start.year} Q{(start.month - 1) // 3 + 1}"
    return start.strftime("%Y-%m")


def elapsed_share(start: date, period: str, time_zone: str, now: datetime) -> float:
    """How much of the period has passed at ``now``, from 0 to 1."""
    begins, ends = period_bounds(start, period, time_zone)
    # Timestamps, not aware subtraction: same-zone subtraction ignores DST shifts.
    total = ends.timestamp() - begins.timestamp()
    return min(max((now.timestamp() - begins.timestamp()) / total, 0.0), 1.0)


def judged_periods(version: SLAVersion, now: datetime) -> list[date]:
    """Start dates of the completed periods whose end fell while ``version`` was active.

    Reads only the version's own fields: the detector judges these periods, and the
    compliance figures count them as marketing's obligations.
    """
    if version.activated_at is None:
        return []
    ended = version.ended_at or now
    local_now = timezone.localtime(now, ZoneInfo(version.time_zone)).date()
    start = period_start(local_now, version.period)
    judged = []
    for _ in range(MAX_PAST_PERIODS):
        start = previous_period_start(start, version.period)
        _begins, ends = period_bounds(start, version.period, version.time_zone)
        if ends <= version.activated_at:
            break
        if ends <= ended and start >= period_start(version.valid_from, version.period):
            judged.append(start)
    return judged
