"""Reads of the integrations area: the changes feed, webhook endpoints and their log.

The changes feed serves the domain events (events.Event) in commit order: it pages on
``position``, which is given after commit in one serialised step (events.relay), so a
reader paging during concurrent writes skips and repeats nothing
(docs/ARCHITECTURE.md, "Ordering, for the changes feed").
"""

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count, Prefetch, QuerySet, TextField
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from accounts.models import User
from events import relay
from events.catalog import EVENT_TYPES
from events.models import Event, EventSequence
from integrations import permissions
from integrations.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from integrations.visibility import visible_events_q

CURSOR_PREFIX = "v1:"
DEFAULT_LIMIT = 100
MAX_LIMIT = 1_000


class CursorExpired(Exception):
    """The cursor points before the oldest event kept: events after it were purged."""


def cursor_encode(position: int) -> str:
    """An opaque cursor for "after ``position``" (clients store it and send it back)."""
    raw = f"{CURSOR_PREFIX}{position}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def cursor_decode(cursor: str) -> int:
    """The position a cursor stands for; ValueError when it is not one of ours."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError) as error:
        raise ValueError(cursor) from error
    if not text.startswith(CURSOR_PREFIX) or not text[len(CURSOR_PREFIX) :].isdigit():
        raise ValueError(cursor)
    return int(text[len(CURSOR_PREFIX) :])


# One event as the feed reads it: id, type, object kind, object id, occurred_at, its
# payload as JSON text (never parsed: it goes into the answer as it is), position.
ChangeRow = tuple[int, str, str, int, datetime, str, int]


@dataclass(frozen=True)
class ChangesPage:
    rows: list[ChangeRow]
    # The cursor to send next: after the last event returned, or after everything this
    # request looked at when the page is not full (filtered-out events are not re-read).
    next_position: int


def event_types_readable(areas: set[str] | None) -> list[str]:
    """The catalogue's event types whose area is in ``areas`` (None: every area)."""
    return [
        name
        for name, event_type in EVENT_TYPES.items()
        if areas is None or event_type.area in areas
    ]


def changes_page(
    *,
    user: User,
    after: int | None,
    limit: int,
    types: list[str],
) -> ChangesPage:
    """Up to ``limit`` events of ``types`` after position ``after``, visible to ``user``.

    Numbers committed events first (a reader never waits for the relay). Reads only up
    to the highest position given before the query, so the page's end is well defined:
    when fewer than ``limit`` events qualify, every event up to there was considered and
    the next cursor moves past them. Raises CursorExpired for a cursor older than what
    the purge kept (it has missed events).
    """
    relay.events_number()
    sequence = EventSequence.objects.filter(pk=1).values("last_position", "purged_through").first()
    top = sequence["last_position"] if sequence else 0
    purged_through = sequence["purged_through"] if sequence else 0
    if after is not None and after < purged_through:
        raise CursorExpired(
            _(
                "This cursor is older than the changes feed keeps: events after it were "
                "deleted. Re-read the records (GET /api/v1/leads/?updated_since=…), then "
                "follow the feed again from a request without “after”."
            )
        )
    start = purged_through if after is None else after
    if start >= top or not types:
        return ChangesPage(rows=[], next_position=max(start, top))
    kinds = {EVENT_TYPES[name].object_kind for name in types}
    visible = visible_events_q(user, kinds)
    if visible is None:
        return ChangesPage(rows=[], next_position=top)
    filters: dict[str, object] = {"position__gt": start, "position__lte": top}
    if len(types) < len(EVENT_TYPES):
        filters["type__in"] = types
    # Numbered events only (position > start), so the position is never None here.
    rows = cast(
        list[ChangeRow],
        list(
            Event.objects.filter(visible, **filters)
            .order_by("position")
            .annotate(data_text=Cast("data", TextField()))
            .values_list(
                "id", "type", "object_kind", "object_id", "occurred_at", "data_text", "position"
            )[:limit]
        ),
    )
    next_position = rows[-1][6] if len(rows) == limit else top
    return ChangesPage(rows=rows, next_position=next_position)


_encode = DjangoJSONEncoder().encode
_moment = DjangoJSONEncoder().default


def changes_json(page: ChangesPage) -> bytes:
    """The feed's answer, ``{"results": [...], "next": "…"}``, as JSON bytes.

    Written here rather than by a serializer: each payload is the database's JSON text,
    put in as it is, so a page of 1,000 events is never parsed and encoded again.
    """
    # Cursors (base64), types and kinds (catalogue names) never need escaping.
    items = [
        f'{{"cursor":"{cursor_encode(position)}","id":"{event_id}",'
        f'"type":"{event_type}","occurred_at":"{_moment(occurred_at)}",'
        f'"object":{{"kind":"{kind}","id":{object_id}}},"data":{data_text}}}'
        for event_id, event_type, kind, object_id, occurred_at, data_text, position in page.rows
    ]
    next_cursor = _encode(cursor_encode(page.next_position))
    body = f'{{"results":[{",".join(items)}],"next":{next_cursor}}}'
    return body.encode()


# --- Webhooks ---------------------------------------------------------------------------


def endpoint_list_visible_to(user: User) -> QuerySet[WebhookEndpoint]:
    """Endpoints ``user`` manages: their own; every one for an admin. None for others."""
    endpoints = WebhookEndpoint.objects.select_related("owner")
    if permissions.is_admin(user):
        return endpoints
    if not permissions.can_manage_webhooks(user):
        return endpoints.none()
    return endpoints.filter(owner=user)


def delivery_log(endpoint: WebhookEndpoint, *, status: str = "") -> QuerySet[WebhookDelivery]:
    """An endpoint's deliveries, newest first, each with its attempts (newest first)."""
    deliveries = endpoint.deliveries.prefetch_related(
        Prefetch("attempt_log", queryset=WebhookAttempt.objects.order_by("-attempted_at", "-id"))
    ).order_by("-id")
    if status:
        deliveries = deliveries.filter(status=status)
    return deliveries


def delivery_counts(endpoint: WebhookEndpoint) -> dict[str, int]:
    counts = {status: 0 for status in WebhookDelivery.Status.values}
    for row in endpoint.deliveries.order_by().values("status").annotate(count=Count("id")):
        counts[row["status"]] = row["count"]
    return counts
