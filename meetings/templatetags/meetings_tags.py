"""Small display helpers for the meeting pages and e-mails."""

from django import template

register = template.Library()


@register.filter
def signed(value) -> str:
    """+3, −2, 0: a week-over-week change."""
    if not value:
        return "0"
    return f"+{value}" if value > 0 else f"−{abs(value)}"
