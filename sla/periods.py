"""SLA periods (month or quarter): pure date arithmetic, no ORM."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo


def period_start(day: date, period: str) -> date:
    """The first day of the month or quarter that contains ``day``."""
    if period == "quarter":
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return date(day.year, day.month, 1)


def next_period_start(start: date, period: str) -> date:
    months = 3 if period == "quarter" else 1
    month_index = start.month - 1 + months
    return date(start.year + month_index // 12, month_index % 12 + 1, 1)


def previous_period_start(start: date, period: str) -> date:
    months = 3 if period == "quarter" else 1
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
    if period == "quarter":
        return f"{start.year} Q{(start.month - 1) // 3 + 1}"
    return start.strftime("%Y-%m")


def elapsed_share(start: date, period: str, time_zone: str, now: datetime) -> float:
    """How much of the period has passed at ``now``, from 0 to 1."""
    begins, ends = period_bounds(start, period, time_zone)
    # Timestamps, not aware subtraction: same-zone subtraction ignores DST shifts.
    total = ends.timestamp() - begins.timestamp()
    return min(max((now.timestamp() - begins.timestamp()) / total, 0.0), 1.0)
