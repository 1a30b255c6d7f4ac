"""Small display helpers for the feedback pages."""

from datetime import timedelta

from django import template
from django.urls import NoReverseMatch, reverse

from feedback import lifecycle

register = template.Library()


@register.filter
def campaign_url(campaign_id) -> str:
    """The campaign's page, or "" while the campaigns area has no such page."""
    if not campaign_id:
        return ""
    try:
        return reverse("campaigns:detail", args=[campaign_id])
    except NoReverseMatch:
        return ""


@register.filter
def duration(value: timedelta | None) -> str:
    """A time span as people say it: "3 h 20 min", "2 d 4 h"; "—" when unknown."""
    if value is None:
        return "—"
    minutes = int(value.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min"


@register.filter
def answer_moves(status: str) -> list[lifecycle.Move]:
    """The moves marketing can make from ``status``: the answer buttons (feedback.lifecycle)."""
    return lifecycle.moves_from(status)


@register.filter
def status_tone(status: str) -> str:
    """The CSS class of a status pill: "bad" for new, "warn" for acknowledged…"""
    return lifecycle.STATUS_TONE.get(status, "")
