"""Writes for webhook deliveries: create them from events, send them, retry, purge.

The after-commit subscriber to every domain event (integrations.handlers) turns each
event into one delivery row per endpoint that subscribed to its type and whose owner may
see its object. Sending is a Celery task on the ``webhooks`` queue, started after that
commit and by the sweep (beat, every 15 s), which also sends the retries that are due.
A 2xx answer is a success; anything else, or no answer within WEBHOOKS_TIMEOUT_SECONDS,
is retried on RETRY_DELAYS (exponential, with jitter, about a day in all), always with
the same ``webhook-id`` and body. An endpoint whose attempts have all failed for
WEBHOOKS_DISABLE_AFTER_HOURS is disabled and its owner told; enabling it again sends
what queued up meanwhile.

A send claims its deliveries with one locking SELECT (SKIP LOCKED) and a lease, so two
workers never send the same one at once; the HTTP requests then go out in parallel
(WEBHOOKS_SEND_CONCURRENCY), with no database work in the threads, and the outcomes are
written in one transaction.
"""

import json
import logging
import random
from collections import defaultdict
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any, cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.notifications import Notice, notify
from events.models import Event
from integrations import sending
from integrations.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from integrations.services.endpoints import check_owner, endpoint_disable, signing_secrets
from integrations.services.queue import deliveries_dispatch
from integrations.visibility import visible_events_q

logger = logging.getLogger(__name__)

# After the first attempt: 30 s, 2 min, 10 min, 30 min, 1 h, 2 h, 4 h, 8 h, 9 h — ten
# attempts over about 24.7 hours (each delay ±10 % jitter, so endpoints that failed
# together do not all come back at the same second).
RETRY_DELAYS = tuple(
    timedelta(seconds=seconds) for seconds in (30, 120, 600, 1800, 3600, 7200, 14400, 28800, 32400)
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
JITTER = 0.1
# A sender holds a delivery this long: the timeout plus a margin.
LEASE = timedelta(seconds=60)
SWEEP_LIMIT = 500
UPDATED_FIELDS = [
    "status",
    "attempts",
    "next_attempt_at",
    "locked_until",
    "first_attempt_at",
    "last_attempt_at",
    "last_status_code",
    "last_duration_ms",
    "last_response",
    "last_error",
    "succeeded_at",
]


def message_body(event: Event) -> str:
    """The JSON a delivery sends: the feed's item, with Standard Webhooks' names."""
    return json.dumps(
        {
            "id": str(event.pk),
            "type": event.type,
            "timestamp": event.occurred_at,
            "object": {"kind": event.object_kind, "id": event.object_id},
            "data": event.data,
        },
        cls=DjangoJSONEncoder,
        separators=(",", ":"),
    )


def deliveries_create(events: Iterable[Event], *, now: datetime | None = None) -> list[int]:
    """One delivery per (event, endpoint subscribed to its type whose owner may see it).

    Set-based: one query for the endpoints, one visibility query per endpoint and one
    INSERT for the batch. Disabled endpoints get their deliveries too (they wait, and
    go when it is enabled again). Returns the ids of the deliveries to send now.
    """
    events = list(events)
    endpoints = list(WebhookEndpoint.objects.select_related("owner").filter(owner__is_active=True))
    if not events or not endpoints:
        return []
    now = now or timezone.now()
    bodies: dict[int, str] = {}
    rows = []
    for endpoint in endpoints:
        wanted = [event for event in events if event.type in endpoint.events]
        if not wanted:
            continue
        visible = visible_events_q(endpoint.owner, {event.object_kind for event in wanted})
        if visible is None:
            continue
        seen = set(
            Event.objects.filter(visible, pk__in=[event.pk for event in wanted]).values_list(
                "pk", flat=True
            )
        )
        for event in wanted:
            if event.pk not in seen:
                continue
            if event.pk not in bodies:
                bodies[event.pk] = message_body(event)
            rows.append(
                WebhookDelivery(
                    endpoint=endpoint,
                    event_id=event.pk,
                    event_type=event.type,
                    message_id=f"msg_{event.pk}",
                    body=bodies[event.pk],
                    next_attempt_at=now,
                    created_at=now,
                )
            )
    if not rows:
        return []
    # A redelivered batch finds its rows there already: once per (endpoint, event).
    WebhookDelivery.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    created = list(
        WebhookDelivery.objects.filter(
            event_id__in=[event.pk for event in events],
            status=WebhookDelivery.Status.PENDING,
            endpoint__is_active=True,
            attempts=0,
        ).values_list("pk", flat=True)
    )
    transaction.on_commit(lambda: deliveries_dispatch(created))
    return created


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed attempt (with jitter)."""
    base = RETRY_DELAYS[min(attempts, len(RETRY_DELAYS)) - 1]
    return base * random.uniform(1 - JITTER, 1 + JITTER)


def _due(now: datetime) -> Q:
    return Q(
        Q(locked_until__isnull=True) | Q(locked_until__lt=now),
        status=WebhookDelivery.Status.PENDING,
        next_attempt_at__lte=now,
        endpoint__is_active=True,
    )


def _claim(delivery_ids: list[int], now: datetime) -> list[int]:
    """Take the due ones among ``delivery_ids`` for LEASE; another sender skips them."""
    with transaction.atomic():
        claimed = list(
            WebhookDelivery.objects.filter(_due(now), pk__in=delivery_ids)
            .select_for_update(skip_locked=True, of=("self",))
            .values_list("pk", flat=True)
        )
        WebhookDelivery.objects.filter(pk__in=claimed).update(locked_until=now + LEASE)
    return claimed


def deliveries_send(delivery_ids: list[int], *, now: datetime | None = None) -> dict[str, int]:
    """Attempt each due delivery once; returns counts by outcome (and ``skipped``)."""
    now = now or timezone.now()
    claimed = _claim(delivery_ids, now)
    counts: dict[str, int] = defaultdict(int)
    counts["skipped"] = len(delivery_ids) - len(claimed)
    if not claimed:
        return dict(counts)
    deliveries = list(
        WebhookDelivery.objects.select_related("endpoint__owner")
        .filter(pk__in=claimed)
        .order_by("id")
    )
    requests = [
        (
            delivery.endpoint.url,
            delivery.body,
            sending.signature_headers(
                message_id=delivery.message_id,
                body=delivery.body,
                secrets=signing_secrets(delivery.endpoint, now),
                moment=now,
            ),
        )
        for delivery in deliveries
    ]
    workers = max(1, min(settings.WEBHOOKS_SEND_CONCURRENCY, len(requests)))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        outcomes = list(
            pool.map(lambda job: sending.post(job[0], body=job[1], headers=job[2]), requests)
        )
    disabled = _record(deliveries, outcomes, now)
    for endpoint in disabled:
        _notify_disabled(endpoint)
    for outcome in outcomes:
        counts["succeeded" if outcome.ok else "failed"] += 1
    return dict(counts)


def _record(
    deliveries: list[WebhookDelivery], outcomes: list[sending.Outcome], now: datetime
) -> list[WebhookEndpoint]:
    """Write the attempts and each delivery's next state; returns endpoints disabled now."""
    disabled: list[WebhookEndpoint] = []
    by_endpoint: dict[int, list[tuple[WebhookDelivery, sending.Outcome]]] = defaultdict(list)
    for delivery, outcome in zip(deliveries, outcomes, strict=True):
        by_endpoint[delivery.endpoint_id].append((delivery, outcome))
    with transaction.atomic():
        WebhookAttempt.objects.bulk_create(
            WebhookAttempt(
                delivery=delivery,
                attempted_at=now,
                status_code=outcome.status_code,
                duration_ms=outcome.duration_ms,
                response_excerpt=outcome.excerpt,
                error=outcome.error,
            )
            for delivery, outcome in zip(deliveries, outcomes, strict=True)
        )
        for pairs in by_endpoint.values():
            if _record_endpoint(pairs, now):
                disabled.append(pairs[0][0].endpoint)
        _save_states(deliveries)
    return disabled


def _save_states(deliveries: list[WebhookDelivery]) -> None:
    """One parameterised UPDATE per delivery, sent as a batch (executemany).

    bulk_update() builds a CASE per field over the whole batch; for 500 deliveries and
    eleven fields that was most of a send's time (bench/integrations.py).
    """
    fields = [
        cast("models.Field[Any, Any]", WebhookDelivery._meta.get_field(name))
        for name in UPDATED_FIELDS
    ]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(cast(str, field.column))} = %s" for field in fields)
    sql = f"UPDATE {quote(WebhookDelivery._meta.db_table)} SET {assignments} WHERE id = %s"
    params = [
        [field.get_db_prep_save(getattr(delivery, field.attname), connection) for field in fields]
        + [delivery.pk]
        for delivery in deliveries
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _record_endpoint(pairs: list[tuple[WebhookDelivery, sending.Outcome]], now: datetime) -> bool:
    """One endpoint's outcomes: its failing streak, its deliveries' next attempts, and
    whether it is disabled now (every attempt failed for a day)."""
    endpoint = pairs[0][0].endpoint
    receiving = any(outcome.ok for _delivery, outcome in pairs)
    if receiving:
        WebhookEndpoint.objects.filter(pk=endpoint.pk, failing_since__isnull=False).update(
            failing_since=None
        )
    else:
        WebhookEndpoint.objects.filter(pk=endpoint.pk, failing_since__isnull=True).update(
            failing_since=now
        )
        endpoint.refresh_from_db(fields=["failing_since", "is_active"])
    failing_since = endpoint.failing_since or now
    day = timedelta(hours=settings.WEBHOOKS_DISABLE_AFTER_HOURS)
    disable = False
    for delivery, outcome in pairs:
        delivery.attempts += 1
        delivery.first_attempt_at = delivery.first_attempt_at or now
        delivery.last_attempt_at = now
        delivery.last_status_code = outcome.status_code
        delivery.last_duration_ms = outcome.duration_ms
        delivery.last_response = outcome.excerpt
        delivery.last_error = outcome.error
        delivery.locked_until = None
        if outcome.ok:
            delivery.status = WebhookDelivery.Status.SUCCEEDED
            delivery.succeeded_at = now
            delivery.next_attempt_at = None
        elif not receiving and (
            failing_since <= now - day
            or (delivery.attempts >= MAX_ATTEMPTS and failing_since <= delivery.first_attempt_at)
        ):
            disable = True
    disabled_now = disable and endpoint_disable(
        endpoint=endpoint,
        reason=_("Every delivery failed since %(since)s.")
        % {"since": f"{failing_since:%Y-%m-%d %H:%M} UTC"},
        now=now,
    )
    active = endpoint.is_active and not disable
    for delivery, outcome in pairs:
        if outcome.ok:
            continue
        if delivery.attempts < MAX_ATTEMPTS:
            delivery.next_attempt_at = now + retry_delay(delivery.attempts)
        elif active:
            delivery.status = WebhookDelivery.Status.FAILED
            delivery.next_attempt_at = None
        else:
            delivery.next_attempt_at = now  # waits for the endpoint to be enabled
    return disabled_now


def _notify_disabled(endpoint: WebhookEndpoint) -> None:
    endpoint.refresh_from_db()
    stamp = endpoint.disabled_at.isoformat() if endpoint.disabled_at else ""
    try:
        notify(
            recipients=[endpoint.owner],
            notice=Notice(
                kind="webhook_disabled",
                subject=_("Webhook disabled: %(url)s") % {"url": endpoint.url},
                message=_(
                    "Deliveries to %(url)s failed for a day, so the endpoint is disabled. "
                    "Fix the receiver, then enable it: what queued up meanwhile is sent."
                )
                % {"url": endpoint.url},
                url=reverse("integrations:webhook_detail", args=[endpoint.pk]),
                dedupe_key=f"webhook-disabled:{endpoint.pk}:{stamp}",
            ),
        )
    except Exception:  # the mail server: the endpoint page shows it disabled anyway
        logger.warning("Could not notify the owner of webhook %s", endpoint.pk, exc_info=True)


@transaction.atomic
def delivery_retry(*, delivery: WebhookDelivery, actor: User) -> WebhookDelivery:
    """ "Send again": the same message (same ``webhook-id``), now, on a fresh schedule."""
    check_owner(actor, delivery.endpoint)
    if not delivery.endpoint.is_active:
        raise ValidationError(
            {"endpoint": _("This endpoint is disabled: enable it first, then send again.")}
        )
    now = timezone.now()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=WebhookDelivery.Status.PENDING,
        attempts=0,
        first_attempt_at=None,
        next_attempt_at=now,
        locked_until=None,
    )
    transaction.on_commit(lambda: deliveries_dispatch([delivery.pk]))
    delivery.refresh_from_db()
    return delivery


def deliveries_due(*, now: datetime | None = None, limit: int = SWEEP_LIMIT) -> list[int]:
    """Pending deliveries of enabled endpoints whose attempt is due and not held."""
    now = now or timezone.now()
    return list(
        WebhookDelivery.objects.filter(_due(now))
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:limit]
    )


def deliveries_purge(*, now: datetime | None = None) -> int:
    """Delete finished deliveries older than EVENTS_RETENTION_DAYS (pending ones stay)."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.EVENTS_RETENTION_DAYS)
    deleted, _detail = (
        WebhookDelivery.objects.filter(created_at__lt=cutoff)
        .exclude(status=WebhookDelivery.Status.PENDING)
        .delete()
    )
    return deleted
