"""Slots: places on one area's pages where the areas above it add their part.

An area never imports the areas above it (docs/ARCHITECTURE.md), so its templates do not
include theirs either. A page marks a slot instead, ``{% slot "lead.actions" %}``, and
the areas above fill it from their AppConfig.ready()::

    slot_fill("lead.actions", template="feedback/_give_feedback_button.html")

An entry may bring a ``context(values) -> dict | None`` function to add what its
template needs (``None``: nothing to show here). pretix lets its plugins add to pages
with signals; these are the same idea as plain registrations.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from django import template
from django.utils.safestring import SafeString, mark_safe


@dataclass(frozen=True)
class SlotEntry:
    template: str
    context: Callable[[dict[str, Any]], dict[str, Any] | None] | None = None
    order: int = 100


_slots: dict[str, list[SlotEntry]] = defaultdict(list)


def slot_fill(
    name: str,
    *,
    template: str,
    context: Callable[[dict[str, Any]], dict[str, Any] | None] | None = None,
    order: int = 100,
) -> None:
    """Add ``template`` to the slot ``name`` (idempotent: the same template is added once)."""
    entries = _slots[name]
    if any(entry.template == template for entry in entries):
        return
    entries.append(SlotEntry(template=template, context=context, order=order))
    entries.sort(key=lambda entry: (entry.order, entry.template))


def slot_entries(name: str) -> list[SlotEntry]:
    return list(_slots.get(name, ()))


register = template.Library()


@register.simple_tag(takes_context=True, name="slot")
def render_slot(context: template.Context, name: str, **values: Any) -> SafeString:
    """Render every entry of slot ``name`` with the page's context plus ``values``."""
    parts = []
    # A tag renders inside Template.render(), which always sets context.template.
    assert context.template is not None
    engine = context.template.engine
    for entry in slot_entries(name):
        extra: dict[str, Any] = {}
        if entry.context is not None:
            # Template variables are named by strings; the stubs allow any key in a context.
            page = cast(dict[str, Any], context.flatten())
            found = entry.context({**page, **values})
            if found is None:
                continue
            extra = found
        with context.push(**values, **extra):
            parts.append(engine.get_template(entry.template).render(context))
    return mark_safe("".join(parts))  # noqa: S308 - each part is an autoescaped template
