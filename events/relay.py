"""After commit: hand committed events to the workers, in commit order, without losing any.

- ``events_relay`` runs on commit of the recording transaction. It only publishes one
  message (``events.relay_events``) naming the new events, so a request that recorded a
  thousand events pays for one message, not for their numbering and fan-out. With the
  broker down it logs and returns: the write has committed and its request answers as
  usual; the events wait in the table.
- ``events_dispatch`` (that task, on a worker) numbers committed events for the feed
  (``events_number``) and sends each event's after-commit subscribers to their queues.
- ``events_sweep`` (beat, every minute; ``manage.py relay_events``) dispatches whatever
  the relay missed — a broker outage, a process killed between commit and relay — and
  re-sends the handlers of events that stayed unhandled too long (a worker killed
  mid-task). Handler runs are idempotent (events.dispatch), so sending twice never acts
  twice.
"""

import logging
from collections import defaultdict
from datetime import datetime, timedelta

from celery import current_app
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Q
from django.utils import timezone
from kombu.exceptions import KombuError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from events.models import Event, EventSequence, HandlerRun
from events.registry import AFTER_COMMIT, subscribers_for

logger = logging.getLogger(__name__)

# events.tasks registers the tasks under these names. The relay looks them up on the
# Celery app instead of importing events.tasks, whose tasks import this module.
RUN_HANDLERS_TASK = "events.run_handlers"
RELAY_TASK = "events.relay_events"
NUMBER_BATCH = 10_000
RELAY_BATCH = 500
# Errors that mean "the broker cannot take messages now" (the Redis transport raises its
# own connection errors); anything else is a bug and propagates.
BROKER_ERRORS: tuple[type[BaseException], ...] = (
    KombuError,
    OSError,
    ConnectionError,
    TimeoutError,
    RedisConnectionError,
    RedisTimeoutError,
)


def _sequence_locked() -> EventSequence:
    """The sequence row, locked until the transaction ends (created on first use).

    A migration creates it; a test that flushes the database removes it, and the first
    step afterwards makes it again (a concurrent maker loses the insert, then locks).
    """
    try:
        return EventSequence.objects.select_for_update().get(pk=1)
    except EventSequence.DoesNotExist:
        try:
            with transaction.atomic():
                EventSequence.objects.create(pk=1)
        except IntegrityError:
            pass
        return EventSequence.objects.select_for_update().get(pk=1)


def events_number() -> int:
    """Give every committed, unnumbered event the next position, in id order.

    The sequence row is locked for the step, so steps run one at a time: a step sees
    every event committed before it took the lock, and events that commit later get
    higher positions in a later step. Positions therefore follow commit order and never
    appear behind a reader (events.models.Event). On SQLite the IMMEDIATE transaction
    takes the database's write lock, which serialises the same way.
    """
    numbered = 0
    while True:
        with transaction.atomic():
            sequence = _sequence_locked()
            batch_ids = list(
                Event.objects.filter(position__isnull=True)
                .order_by("id")
                .values_list("id", flat=True)[:NUMBER_BATCH]
            )
            if not batch_ids:
                return numbered
            last_id = batch_ids[-1]
            table = connection.ops.quote_name(Event._meta.db_table)
            with connection.cursor() as cursor:
                # One statement for the batch; UPDATE … FROM works on PostgreSQL and on
                # SQLite 3.33+. Table names come from the model, values are parameters.
                cursor.execute(
                    f"""
                    UPDATE {table} SET position = numbered.position
                    FROM (
                        SELECT id, %s + ROW_NUMBER() OVER (ORDER BY id) AS position
                        FROM {table} WHERE position IS NULL AND id <= %s
                    ) AS numbered
                    WHERE {table}.id = numbered.id
                    """,
                    [sequence.last_position, last_id],
                )
                count: int = cursor.rowcount
            EventSequence.objects.filter(pk=1).update(last_position=sequence.last_position + count)
            numbered += count
        if count < NUMBER_BATCH:
            return numbered


def _send(event_ids: list[int]) -> int:
    """Send the after-commit subscribers of ``event_ids``; returns the messages sent.

    Events with no after-commit subscriber are handled at once. Raises a BROKER_ERROR
    when the broker refuses a message.
    """
    events = list(Event.objects.filter(pk__in=event_ids).values_list("pk", "type"))
    by_subscriber: dict[str, list[int]] = defaultdict(list)
    queues: dict[str, str] = {}
    without_subscriber = []
    for event_id, event_type_name in events:
        subscribers = subscribers_for(event_type_name, AFTER_COMMIT)
        if not subscribers:
            without_subscriber.append(event_id)
        for subscriber in subscribers:
            by_subscriber[subscriber.name].append(event_id)
            queues[subscriber.name] = subscriber.queue
    if without_subscriber:
        Event.objects.filter(pk__in=without_subscriber, handled_at__isnull=True).update(
            handled_at=timezone.now()
        )
    task = current_app.tasks[RUN_HANDLERS_TASK]
    sent = 0
    for name, ids in by_subscriber.items():
        for start in range(0, len(ids), RELAY_BATCH):
            task.apply_async(
                args=(name, ids[start : start + RELAY_BATCH]),
                queue=queues[name],
                # Fail fast while the broker is down: the sweep sends it later, and the
                # request that recorded the event must not wait on the broker.
                retry=False,
            )
            sent += 1
    return sent


def events_relay(*, event_ids: list[int]) -> bool:
    """Ask a worker to dispatch events that just committed; False if the broker is down.

    Never raises for a broker outage: the events wait in the table for the sweep.
    """
    try:
        current_app.tasks[RELAY_TASK].apply_async(
            args=(event_ids,),
            # Fail fast while the broker is down: the request that recorded the events
            # must not wait on it, and the sweep sends them later.
            retry=False,
        )
    except BROKER_ERRORS:
        logger.warning(
            "The broker is unavailable; %d event(s) wait in the outbox for the sweep.",
            len(event_ids),
        )
        return False
    return True


def events_dispatch(*, event_ids: list[int]) -> int:
    """Number committed events and send the subscribers of ``event_ids``; messages sent.

    The dispatch is claimed by a conditional UPDATE so that two relays (or a relay and
    the sweep) rarely both send; if both do, handler runs are idempotent anyway. A
    broker error releases the claim and propagates (the task retries, the sweep too).
    """
    events_number()
    claimed = Event.objects.filter(pk__in=event_ids, dispatched_at__isnull=True).update(
        dispatched_at=timezone.now()
    )
    if not claimed:
        return 0
    try:
        return _send(event_ids)
    except BROKER_ERRORS:
        Event.objects.filter(pk__in=event_ids, handled_at__isnull=True).update(dispatched_at=None)
        raise


def events_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Relay what the relay missed, and re-send handlers that never finished.

    - Events committed but never dispatched (broker down, process died after commit),
      once they are a few seconds old so the normal relay had its chance.
    - Events dispatched long ago whose handlers have not all finished (a worker killed
      mid-task, a message lost): dispatched again; finished handlers skip them.
    Returns how many events each step relayed.
    """
    now = now or timezone.now()
    numbered = events_number()
    grace = now - timedelta(seconds=settings.EVENTS_RELAY_GRACE_SECONDS)
    stuck = now - timedelta(seconds=settings.EVENTS_REDELIVER_AFTER_SECONDS)
    undispatched = list(
        Event.objects.filter(
            handled_at__isnull=True, dispatched_at__isnull=True, occurred_at__lte=grace
        )
        .order_by("id")
        .values_list("pk", flat=True)[: RELAY_BATCH * 20]
    )
    relayed = 0
    for start in range(0, len(undispatched), RELAY_BATCH):
        batch = undispatched[start : start + RELAY_BATCH]
        try:
            events_dispatch(event_ids=batch)
        except BROKER_ERRORS:
            logger.warning("The broker is unavailable; the outbox waits for the next sweep.")
            break
        relayed += len(batch)
    redelivered_ids = list(
        Event.objects.filter(handled_at__isnull=True, dispatched_at__lte=stuck)
        .order_by("id")
        .values_list("pk", flat=True)[: RELAY_BATCH * 20]
    )
    redelivered = 0
    if redelivered_ids:
        Event.objects.filter(pk__in=redelivered_ids).update(dispatched_at=now)
        try:
            _send(redelivered_ids)
            redelivered = len(redelivered_ids)
        except BROKER_ERRORS:
            logger.warning("The broker is unavailable; redelivery waits for the next sweep.")
    return {"numbered": numbered, "relayed": relayed, "redelivered": redelivered}


def events_mark_handled(*, event_ids: list[int]) -> int:
    """Set handled_at on the events whose tracked after-commit subscribers all finished."""
    done: dict[int, set[str]] = defaultdict(set)
    for event_id, handler in HandlerRun.objects.filter(
        event_id__in=event_ids, done_at__isnull=False
    ).values_list("event_id", "handler"):
        done[event_id].add(handler)
    finished = [
        event_id
        for event_id, event_type_name in Event.objects.filter(
            pk__in=event_ids, handled_at__isnull=True
        ).values_list("pk", "type")
        if {
            subscriber.name
            for subscriber in subscribers_for(event_type_name, AFTER_COMMIT)
            if subscriber.tracked
        }
        <= done[event_id]
    ]
    return Event.objects.filter(pk__in=finished).update(handled_at=timezone.now())


def events_purge(*, now: datetime | None = None) -> int:
    """Delete handled events older than the retention; remember how far the feed reaches.

    Unhandled events are kept whatever their age: work is never dropped.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.EVENTS_RETENTION_DAYS)
    with transaction.atomic():
        sequence = _sequence_locked()
        numbered = Event.objects.filter(position__isnull=False)
        # Only a prefix of the feed is purged, so "up to purged_through" always
        # means "gone": the first event that must stay bounds it.
        first_kept = (
            numbered.filter(Q(handled_at__isnull=True) | Q(occurred_at__gte=cutoff))
            .order_by("position")
            .values_list("position", flat=True)
            .first()
        )
        if first_kept is None:
            through = numbered.aggregate(top=Max("position"))["top"]
        else:
            through = first_kept - 1
        if not through or through <= sequence.purged_through:
            return 0
        doomed = Event.objects.filter(position__lte=through)
        HandlerRun.objects.filter(event__in=doomed).delete()
        deleted, _detail = doomed.delete()
        EventSequence.objects.filter(pk=1).update(purged_through=through)
    return deleted
