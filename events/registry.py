"""Who reacts to which event: subscribers, declared where they live.

An app above subscribes to events recorded below it (docs/ARCHITECTURE.md); the app that
records an event never imports the ones that react. Each app declares its handlers with
the decorators below in its ``handlers.py``, which its ``AppConfig.ready()`` imports.

- ``@in_transaction(...)``: runs inside the recording transaction, before it commits, for
  what must commit (or fail) together with the change — starting an SLA clock at the
  hand-over, refusing a hand-over that misses the MQL definition by raising
  ValidationError (the whole change rolls back).
- ``@after_commit(...)``: runs later, once per event, from a Celery task on the given
  queue (notifications, e-mails, cache invalidation, imports). Delivery is at least once;
  the HandlerRun row makes its database work happen once (events.dispatch).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.conf import settings

from events.catalog import event_type

Handler = TypeVar("Handler", bound=Callable[..., Any])

IN_TRANSACTION = "in_transaction"
AFTER_COMMIT = "after_commit"


@dataclass(frozen=True)
class Subscriber:
    name: str  # "<module>.<function>": stable, it is the idempotency key of every run
    handler: Callable[..., Any]
    event_types: frozenset[str]
    phase: str
    queue: str = "default"
    # A batch handler is called once with every event of a delivery (set-based work);
    # otherwise once per event, each in its own transaction.
    batch: bool = False
    # Whether the handler's work and its HandlerRun row commit together. A long handler
    # that commits as it goes (an import) says False and is idempotent on its own.
    atomic: bool = True
    # Whether each run is recorded (HandlerRun) to act once. An untracked subscriber is
    # for work that is harmless to repeat and harmless to miss once (bumping a cache
    # generation that also expires on its own): it runs without any bookkeeping.
    tracked: bool = True


@dataclass
class _Registry:
    by_name: dict[str, Subscriber] = field(default_factory=dict)

    def add(self, subscriber: Subscriber) -> None:
        for name in subscriber.event_types:
            event_type(name)  # fail at start-up on a name outside the catalogue
        queues = settings.SMARKETING_QUEUES
        if subscriber.queue not in queues:
            raise ValueError(f"Unknown queue “{subscriber.queue}”; queues are {queues}.")
        existing = self.by_name.get(subscriber.name)
        if existing is not None and existing.handler is not subscriber.handler:
            raise ValueError(f"Two subscribers are named “{subscriber.name}”.")
        self.by_name[subscriber.name] = subscriber

    def for_type(self, event_type_name: str, phase: str) -> list[Subscriber]:
        return [
            subscriber
            for subscriber in self.by_name.values()
            if subscriber.phase == phase and event_type_name in subscriber.event_types
        ]


registry = _Registry()


def _subscriber_name(handler: Callable[..., Any]) -> str:
    return f"{handler.__module__}.{handler.__qualname__}"


def in_transaction(*event_types: str) -> Callable[[Handler], Handler]:
    """Run the decorated ``handler(event)`` inside the transaction that records the event."""

    def register(handler: Handler) -> Handler:
        registry.add(
            Subscriber(
                name=_subscriber_name(handler),
                handler=handler,
                event_types=frozenset(event_types),
                phase=IN_TRANSACTION,
            )
        )
        return handler

    return register


def after_commit(
    *event_types: str,
    queue: str = "default",
    batch: bool = False,
    atomic: bool = True,
    tracked: bool = True,
) -> Callable[[Handler], Handler]:
    """Run the decorated handler after the event commits, from a Celery task.

    ``handler(event)``, or ``handler(events)`` with ``batch=True``.
    """

    def register(handler: Handler) -> Handler:
        registry.add(
            Subscriber(
                name=_subscriber_name(handler),
                handler=handler,
                event_types=frozenset(event_types),
                phase=AFTER_COMMIT,
                queue=queue,
                batch=batch,
                atomic=atomic,
                tracked=tracked,
            )
        )
        return handler

    return register


def subscribers_for(event_type_name: str, phase: str) -> list[Subscriber]:
    return registry.for_type(event_type_name, phase)


def subscriber_named(name: str) -> Subscriber:
    try:
        return registry.by_name[name]
    except KeyError:
        raise LookupError(f"No subscriber named “{name}”.") from None
