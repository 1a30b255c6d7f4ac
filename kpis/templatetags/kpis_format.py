"""Number formats of the dashboards' tables: counts, money, percentages, hours."""

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def kpi_format(value, kind: str) -> str:
    """``value`` as ``kind`` (count, money, percent, hours, text); "—" for no value."""
    if value is None or value == "" or (isinstance(value, float) and value != value):
        return "—"
    if kind == "text":
        return str(value)
    number = float(value) if isinstance(value, (int, float, Decimal)) else None
    if number is None:
        return str(value)
    if kind == "percent":
        return f"{number:.1%}"
    if kind == "money":
        return f"{number:,.0f}"
    if kind == "hours":
        return f"{number:,.1f}"
    return f"{number:,.0f}" if float(number).is_integer() else f"{number:,.1f}"
