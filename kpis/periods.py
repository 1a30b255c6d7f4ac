"""Week, month and quarter boundaries in the configured time zone. Pure date arithmetic."""

import datetime as dt


def period_start(period: str, day: dt.date) -> dt.date:
    """The first day of the week (Monday), month or quarter that contains ``day``."""
    if period == "week":
        return day - dt.timedelta(days=day.weekday())
    if period == "quarter":
        return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return day.replace(day=1)


def period_end(period: str, day: dt.date) -> dt.date:
    """The first day of the next period (exclusive end)."""
    start = period_start(period, day)
    if period == "week":
        return start + dt.timedelta(days=7)
    months = 3 if period == "quarter" else 1
    month = start.month - 1 + months
    return dt.date(start.year + month // 12, month % 12 + 1, 1)
