"""Business-hours arithmetic: nights, weekends, holidays, DST, starts outside working time."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from sla.business_hours import Calendar, add_business_hours, business_hours_between

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
OFFICE = Calendar(time_zone="Europe/Berlin", holidays=frozenset({date(2026, 12, 25)}))


def berlin(*args) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


def test_inside_one_working_day():
    assert add_business_hours(berlin(2026, 11, 23, 9, 0), 4, OFFICE) == berlin(2026, 11, 23, 13)


def test_a_full_day_ends_at_closing_time_not_next_morning():
    assert add_business_hours(berlin(2026, 11, 23, 9, 0), 8, OFFICE) == berlin(2026, 11, 23, 17)


def test_skips_the_night():
    # Monday 15:00 + 4h = 2h Monday + 2h Tuesday.
    assert add_business_hours(berlin(2026, 11, 23, 15), 4, OFFICE) == berlin(2026, 11, 24, 11)


def test_skips_the_weekend():
    # Friday 16:00 + 2h → Monday 10:00.
    assert add_business_hours(berlin(2026, 11, 27, 16), 2, OFFICE) == berlin(2026, 11, 30, 10)


def test_skips_holidays():
    # Thursday 24 Dec 16:00 + 2h: Friday 25 Dec is a holiday, then the weekend.
    assert add_business_hours(berlin(2026, 12, 24, 16), 2, OFFICE) == berlin(2026, 12, 28, 10)


def test_start_before_opening_counts_from_opening():
    assert add_business_hours(berlin(2026, 11, 23, 6, 30), 1, OFFICE) == berlin(2026, 11, 23, 10)


def test_start_after_closing_counts_from_next_opening():
    assert add_business_hours(berlin(2026, 11, 23, 20), 1, OFFICE) == berlin(2026, 11, 24, 10)


def test_start_on_a_saturday_counts_from_monday():
    assert add_business_hours(berlin(2026, 11, 28, 11), 3, OFFICE) == berlin(2026, 11, 30, 12)


def test_result_is_utc_and_input_zone_does_not_matter():
    start_utc = berlin(2026, 11, 23, 9).astimezone(UTC)
    result = add_business_hours(start_utc, 4, OFFICE)
    assert result.tzinfo == UTC
    assert result == berlin(2026, 11, 23, 13)


def test_dst_spring_forward_weekend_keeps_wall_clock_hours():
    # Europe switches on Sunday 29 March 2026: Friday 16:00 CET + 2h = Monday 10:00 CEST.
    result = add_business_hours(berlin(2026, 3, 27, 16), 2, OFFICE)
    assert result == berlin(2026, 3, 30, 10)
    assert result.astimezone(BERLIN).utcoffset().total_seconds() == 2 * 3600


def test_dst_fall_back_weekend_keeps_wall_clock_hours():
    # Sunday 25 October 2026: Friday 16:00 CEST + 2h = Monday 10:00 CET.
    assert add_business_hours(berlin(2026, 10, 23, 16), 2, OFFICE) == berlin(2026, 10, 26, 10)


def test_round_the_clock_calendar_on_spring_forward_day_has_23_hours():
    always = Calendar(
        time_zone="America/New_York",
        working_days=frozenset(range(7)),
        day_start=time(0, 0),
        day_end=time(0, 0),
    )
    start = datetime(2026, 3, 8, 0, 0, tzinfo=NEW_YORK)  # 2:00 → 3:00 that night
    # 24 real hours later is 01:00 the next day by the wall clock.
    assert add_business_hours(start, 24, always) == datetime(2026, 3, 9, 1, 0, tzinfo=NEW_YORK)
    assert business_hours_between(start, datetime(2026, 3, 9, tzinfo=NEW_YORK), always) == 23


def test_round_the_clock_calendar_on_fall_back_day_has_25_hours():
    always = Calendar(
        time_zone="America/New_York",
        working_days=frozenset(range(7)),
        day_start=time(0, 0),
        day_end=time(0, 0),
    )
    start = datetime(2026, 11, 1, 0, 0, tzinfo=NEW_YORK)
    assert add_business_hours(start, 24, always) == datetime(2026, 11, 1, 23, 0, tzinfo=NEW_YORK)


def test_zero_hours_outside_working_time_is_the_next_opening():
    assert add_business_hours(berlin(2026, 11, 28, 11), 0, OFFICE) == berlin(2026, 11, 30, 9)


def test_between_is_the_inverse_of_add():
    start = berlin(2026, 12, 23, 14, 30)
    due = add_business_hours(start, 13, OFFICE)
    assert business_hours_between(start, due, OFFICE) == 13


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="aware"):
        add_business_hours(datetime(2026, 11, 23, 9), 1, OFFICE)  # noqa: DTZ001


def test_a_calendar_without_working_days_is_refused():
    with pytest.raises(ValueError, match="working day"):
        Calendar(working_days=frozenset())
