"""Record domain events: the one way a service says what happened.

A service calls ``event_record`` inside the transaction of its change. The row is the
outbox: it commits with the change or not at all. In-transaction subscribers run at
once (and may refuse the change by raising); after-commit subscribers are reached by the
relay once the transaction commits (events.relay).
"""

from collections.abc import Iterable
from datetime import datetime
from functools import partial
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import connection, models, transaction
from django.utils import timezone

from events import relay
from events.catalog import event_type
from events.models import Event
from events.registry import IN_TRANSACTION, subscribers_for


def _require_transaction() -> None:
    # An event recorded outside a transaction could commit without its change (or the
    # change without it): the outbox promise needs both in one transaction.
    if not connection.in_atomic_block:
        raise RuntimeError("Record domain events inside the transaction of the change.")


def event_record(
    type: str,
    *,
    obj: models.Model | None = None,
    object_id: int | None = None,
    actor: AbstractBaseUser | None = None,
    data: dict[str, Any] | None = None,
    occurred_at: datetime | None = None,
) -> Event:
    """Record that ``type`` happened to ``obj`` (or the object ``object_id``), by ``actor``.

    Runs the in-transaction subscribers before returning; their exceptions propagate and
    roll the change back. The relay runs after commit.
    """
    _require_transaction()
    kind = event_type(type).object_kind
    concerned = obj.pk if obj is not None else object_id
    if concerned is None:
        raise ValueError("An event concerns an object: give obj or object_id.")
    event = Event.objects.create(
        type=type,
        object_kind=kind,
        object_id=concerned,
        actor_id=actor.pk if actor is not None else None,
        occurred_at=occurred_at or timezone.now(),
        data=data or {},
    )
    for subscriber in subscribers_for(type, IN_TRANSACTION):
        subscriber.handler(event)
    transaction.on_commit(partial(relay.events_relay, event_ids=[event.pk]))
    return event


def events_record_many(
    type: str,
    *,
    items: Iterable[tuple[int, dict[str, Any]]],
    actor: AbstractBaseUser | None = None,
    occurred_at: datetime | None = None,
) -> list[Event]:
    """Record one event of ``type`` per ``(object_id, data)`` item, in one INSERT.

    For set-based writes (a bulk upsert, breach detection). In-transaction subscribers
    run once per event, as for ``event_record``; one relay call follows the commit.
    """
    _require_transaction()
    kind = event_type(type).object_kind
    moment = occurred_at or timezone.now()
    actor_id = actor.pk if actor is not None else None
    rows = [
        Event(
            type=type,
            object_kind=kind,
            object_id=object_id,
            actor_id=actor_id,
            occurred_at=moment,
            data=data,
        )
        for object_id, data in items
    ]
    if not rows:
        return []
    events = Event.objects.bulk_create(rows, batch_size=1000)
    in_transaction_subscribers = subscribers_for(type, IN_TRANSACTION)
    for event in events:
        for subscriber in in_transaction_subscribers:
            subscriber.handler(event)
    transaction.on_commit(partial(relay.events_relay, event_ids=[event.pk for event in events]))
    return events
