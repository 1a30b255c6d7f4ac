"""Small display helpers for the leads pages. No queries, no business rules."""

from datetime import timedelta

from django import template

register = template.Library()


@register.filter
def duration(value: timedelta | None) -> str:
    """A short human duration: "3 d 4 h", "2 h 5 min", "4 min", "under a minute"."""
    if value is None:
        return ""
    seconds = abs(int(value.total_seconds()))
    days, seconds = divmod(seconds, 86400)
    hours, seconds = divmod(seconds, 3600)
    minutes = seconds // 60
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    if minutes:
        return f"{minutes} min"
    return "under a minute"


@register.filter
def get_item(key, mapping):
    """``key|get_item:mapping`` is ``mapping[key]``, or the key itself when it is missing."""
    if not mapping:
        return key
    return mapping.get(key, key)


@register.filter
def sort_toggle(current: str, key: str) -> str:
    """The sort a click on the column sorted by ``key`` asks for.

    ``key`` itself (with a ``-`` prefix when the column sorts descending first), or the
    other direction when the page is already sorted by it. Used as
    ``{% querystring sort=sort|sort_toggle:"email" page=None %}``.
    """
    if current != key:
        return key
    return key.removeprefix("-") if key.startswith("-") else f"-{key}"
