"""Business-hours arithmetic: pure functions over a calendar, no ORM, no clock.

A due time "N business hours after" a moment skips nights, non-working days and
holidays in the SLA's own time zone. Arithmetic is done in UTC between wall-clock
boundaries built with zoneinfo, so a working day that contains a daylight-saving change
has its real length (Python subtracts aware datetimes that share a tzinfo by wall clock,
which would be an hour off on those days).
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# How far ahead to look for working time before deciding the calendar has none.
_MAX_DAYS = 3 * 366


@dataclass(frozen=True)
class Calendar:
    """Working time: a time zone, working weekdays (Monday = 0), daily hours, holidays."""

    time_zone: str = "UTC"
    working_days: frozenset[int] = frozenset({0, 1, 2, 3, 4})
    day_start: time = time(9, 0)
    day_end: time = time(17, 0)
    holidays: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if self.day_end <= self.day_start and self.day_end != time(0, 0):
            raise ValueError("The working day must end after it starts.")
        if not self.working_days:
            raise ValueError("A calendar needs at least one working day.")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() in self.working_days and day not in self.holidays

    def window(self, day: date) -> tuple[datetime, datetime]:
        """The working window of ``day`` as two aware UTC datetimes.

        An end of 00:00 means midnight at the end of the day (a 24-hour calendar).
        """
        zone = self.zone
        start = datetime.combine(day, self.day_start, tzinfo=zone)
        if self.day_end == time(0, 0):
            end = datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=zone)
        else:
            end = datetime.combine(day, self.day_end, tzinfo=zone)
        return start.astimezone(UTC), end.astimezone(UTC)


def add_business_hours(start: datetime, hours: float, calendar: Calendar) -> datetime:
    """The moment ``hours`` business hours after ``start`` (aware), as an aware UTC datetime.

    A start outside working time counts from the next working window. Zero hours from
    outside working time is the start of the next window.
    """
    if start.tzinfo is None:
        raise ValueError("add_business_hours needs an aware datetime.")
    if hours < 0:
        raise ValueError("Business hours cannot be negative.")
    remaining = timedelta(hours=hours)
    cursor = start.astimezone(UTC)
    day = start.astimezone(calendar.zone).date()
    for _ in range(_MAX_DAYS):
        if calendar.is_working_day(day):
            window_start, window_end = calendar.window(day)
            effective = max(cursor, window_start)
            if effective < window_end:
                available = window_end - effective
                if remaining <= available:
                    return effective + remaining
                remaining -= available
        day += timedelta(days=1)
    raise ValueError("The calendar has no working time in the next three years.")


def business_hours_between(start: datetime, end: datetime, calendar: Calendar) -> float:
    """Business hours from ``start`` to ``end`` (negative when ``end`` is earlier)."""
    if end < start:
        return -business_hours_between(end, start, calendar)
    total = timedelta(0)
    start_utc, end_utc = start.astimezone(UTC), end.astimezone(UTC)
    day = start.astimezone(calendar.zone).date()
    last_day = end.astimezone(calendar.zone).date()
    while day <= last_day:
        if calendar.is_working_day(day):
            window_start, window_end = calendar.window(day)
            low, high = max(start_utc, window_start), min(end_utc, window_end)
            if high > low:
                total += high - low
        day += timedelta(days=1)
    return total.total_seconds() / 3600


def calendar_for(terms) -> Calendar:
    """The business calendar an SLA version's terms describe (time zone, days, hours, holidays)."""
    return Calendar(
        time_zone=terms.time_zone,
        working_days=frozenset(terms.working_days),
        day_start=terms.day_start,
        day_end=terms.day_end,
        holidays=frozenset(date.fromisoformat(day) for day in terms.holidays),
    )
