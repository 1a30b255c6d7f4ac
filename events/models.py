from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Event(models.Model):
    """Something that happened in the domain, recorded in the transaction that made it happen.

    The table is a transactional outbox: a row exists exactly when its change committed.
    After commit the relay hands it to the subscribers that run outside the transaction
    (``dispatched_at``), and ``handled_at`` says they have all finished.

    ``position`` is the order of commits, for readers of the changes feed. Ids come from
    a sequence at INSERT, so a transaction that commits late can hold a lower id than rows
    a reader already passed; positions are instead given after commit, by one serialised
    step (events.relay.events_number), so a later position never commits before an
    earlier one and paging on it skips nothing. See docs/ARCHITECTURE.md.
    """

    type = models.CharField(max_length=60)
    object_kind = models.CharField(max_length=30)
    object_id = models.BigIntegerField()
    # None: the system did it (a job, an integration's rule).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    occurred_at = models.DateTimeField(default=timezone.now)
    data = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    position = models.BigIntegerField(null=True, blank=True, unique=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(position__gt=0), name="event_position_positive"),
        ]
        indexes = [
            # The numbering step: committed events that have no position yet, by id.
            models.Index(
                fields=["id"], condition=Q(position__isnull=True), name="event_unnumbered_idx"
            ),
            # The sweep: events the relay has not handed over, or whose handlers did not finish.
            models.Index(
                fields=["occurred_at"],
                condition=Q(handled_at__isnull=True),
                name="event_unhandled_idx",
            ),
            # What happened to one object (a lead's events, the feed's visibility filter).
            models.Index(fields=["object_kind", "object_id"], name="event_object_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.object_kind}:{self.object_id}"


class EventSequence(models.Model):
    """The single row that serialises numbering, and how far the feed's history reaches.

    ``last_position`` is the highest position given. Events older than the retention are
    purged; ``purged_through`` is the highest position purged, so a feed cursor below it
    has missed events and is told so (410).
    """

    last_position = models.BigIntegerField(default=0)
    purged_through = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"events up to {self.last_position}"


class HandlerRun(models.Model):
    """One after-commit subscriber's run for one event: the idempotency key.

    Unique on (event, handler). For a subscriber whose work is in the database, the row
    is inserted in the same transaction as that work, so a redelivered task finds it and
    does nothing: at-least-once delivery, exactly-once effect.
    """

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="handler_runs")
    handler = models.CharField(max_length=150)
    done_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "handler"], name="handlerrun_once_per_event"),
        ]

    def __str__(self) -> str:
        return f"{self.handler} for event {self.event_id}"
