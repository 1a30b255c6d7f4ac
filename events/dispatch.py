"""Run an after-commit subscriber for some events, exactly once per (event, subscriber).

The claim is an upsert of the HandlerRun row that only matches while the run is not
done; it returns the events this call owns. For an atomic subscriber the claim, the
handler's work and the "done" mark commit together: a second delivery of the same
events (the relay and the sweep both sent it, or the broker redelivered it after a
worker died) waits on the first one's row lock, then finds the runs done and skips
them. A failure rolls the whole run back, and the attempt and its error are kept for
the retry and for the admin.
"""

import logging
import traceback

from django.db import connection, transaction
from django.utils import timezone

from events import relay
from events.models import Event, HandlerRun
from events.registry import Subscriber, subscriber_named

logger = logging.getLogger(__name__)


class HandlersFailed(Exception):
    """Some events failed; ``event_ids`` are the ones to retry."""

    def __init__(self, subscriber: str, event_ids: list[int], cause: BaseException):
        super().__init__(f"{subscriber} failed for events {event_ids}: {cause!r}")
        self.event_ids = event_ids
        self.cause = cause


def _claim(subscriber: Subscriber, event_ids: list[int]) -> list[int]:
    """Create or take the HandlerRun rows of ``event_ids`` that are not done yet."""
    if not event_ids:
        return []
    table = connection.ops.quote_name(HandlerRun._meta.db_table)
    placeholders = ", ".join(["(%s, %s, NULL, 1, '')"] * len(event_ids))
    params: list[int | str] = []
    for event_id in event_ids:
        params += [event_id, subscriber.name]
    with connection.cursor() as cursor:
        # ON CONFLICT … DO UPDATE … WHERE: a done run is neither returned nor touched. A
        # concurrent claim of the same row waits for our commit, then sees it done.
        cursor.execute(
            f"""
            INSERT INTO {table} (event_id, handler, done_at, attempts, last_error)
            VALUES {placeholders}
            ON CONFLICT (event_id, handler) DO UPDATE SET attempts = {table}.attempts + 1
            WHERE {table}.done_at IS NULL
            RETURNING event_id
            """,
            params,
        )
        return sorted(row[0] for row in cursor.fetchall())


def _mark_done(subscriber: Subscriber, event_ids: list[int]) -> None:
    HandlerRun.objects.filter(event_id__in=event_ids, handler=subscriber.name).update(
        done_at=timezone.now(), last_error=""
    )


def _record_failure(subscriber: Subscriber, event_ids: list[int], error: BaseException) -> None:
    """Keep the attempt and its error (outside the rolled-back transaction)."""
    text = "".join(traceback.format_exception_only(type(error), error))[-2000:]
    for event_id in event_ids:
        run, created = HandlerRun.objects.get_or_create(
            event_id=event_id,
            handler=subscriber.name,
            defaults={"attempts": 1, "last_error": text},
        )
        if not created and run.done_at is None:
            HandlerRun.objects.filter(pk=run.pk).update(attempts=run.attempts + 1, last_error=text)


def _run_atomic(subscriber: Subscriber, event_ids: list[int]) -> list[int]:
    """Claim, work and mark done in one transaction; returns the events it handled."""
    with transaction.atomic():
        owned = _claim(subscriber, event_ids)
        if not owned:
            return []
        events = list(Event.objects.filter(pk__in=owned).select_related("actor").order_by("id"))
        if subscriber.batch:
            subscriber.handler(events)
        else:
            for event in events:
                subscriber.handler(event)
        _mark_done(subscriber, owned)
    return owned


def _run_non_atomic(subscriber: Subscriber, event_ids: list[int]) -> list[int]:
    """For long handlers that commit as they go and are idempotent on their own."""
    done_before = set(
        HandlerRun.objects.filter(
            event_id__in=event_ids, handler=subscriber.name, done_at__isnull=False
        ).values_list("event_id", flat=True)
    )
    todo = [event_id for event_id in event_ids if event_id not in done_before]
    events = list(Event.objects.filter(pk__in=todo).select_related("actor").order_by("id"))
    if subscriber.batch:
        subscriber.handler(events)
    else:
        for event in events:
            subscriber.handler(event)
    for event in events:
        HandlerRun.objects.update_or_create(
            event_id=event.pk,
            handler=subscriber.name,
            defaults={"done_at": timezone.now(), "last_error": ""},
        )
    return [event.pk for event in events]


def _run_untracked(subscriber: Subscriber, event_ids: list[int]) -> int:
    """Run a subscriber whose runs are not recorded (registry.Subscriber.tracked)."""
    events = list(Event.objects.filter(pk__in=event_ids).order_by("id"))
    if subscriber.batch:
        subscriber.handler(events)
    else:
        for event in events:
            subscriber.handler(event)
    relay.events_mark_handled(event_ids=event_ids)
    return len(events)


def handlers_run(*, subscriber_name: str, event_ids: list[int]) -> int:
    """Run ``subscriber_name`` for ``event_ids``; returns how many events it handled now.

    A batch subscriber succeeds or fails as a whole. Otherwise each event runs on its
    own, so one bad event does not hold the others back; the failed ones are raised
    together (HandlersFailed) for the task to retry.
    """
    subscriber = subscriber_named(subscriber_name)
    if not subscriber.tracked:
        return _run_untracked(subscriber, event_ids)
    run = _run_atomic if subscriber.atomic else _run_non_atomic
    groups = [event_ids] if subscriber.batch else [[event_id] for event_id in event_ids]
    handled: list[int] = []
    failed: list[int] = []
    first_error: Exception | None = None
    for group in groups:
        try:
            handled += run(subscriber, group)
        except Exception as error:
            logger.exception("Subscriber %s failed for events %s", subscriber.name, group)
            _record_failure(subscriber, group, error)
            failed += group
            first_error = first_error or error
    relay.events_mark_handled(event_ids=event_ids)
    if first_error is not None:
        raise HandlersFailed(subscriber.name, failed, first_error)
    return len(handled)
