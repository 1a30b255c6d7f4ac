"""Writes of the integrations area: webhook endpoints and their deliveries.

Deliveries: the after-commit subscriber to every domain event (integrations.handlers)
turns each event into one delivery row per endpoint that subscribed to its type and
whose owner may see its object. Sending is a Celery task on the ``webhooks`` queue,
started after that commit and by the sweep (beat, every 15 s), which also sends the
retries that are due. A 2xx answer is a success; anything else, or no answer within
WEBHOOKS_TIMEOUT_SECONDS, is retried on RETRY_DELAYS (exponential, with jitter, about a
day in all), always with the same ``webhook-id`` and body. An endpoint whose attempts
have all failed for WEBHOOKS_DISABLE_AFTER_HOURS is disabled and its owner told;
enabling it again sends what queued up meanwhile.
"""

import base64
import json
import logging
import random
import secrets
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

from celery import current_app
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.notifications import Notice, notify
from events.catalog import EVENT_TYPES
from events.models import Event
from events.relay import BROKER_ERRORS
from integrations import permissions, sending
from integrations.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from integrations.visibility import visible_events_q

logger = logging.getLogger(__name__)

SECRET_PREFIX = "whsec_"
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
SEND_TASK = "integrations.send_webhooks"
SEND_CHUNK = 20
SWEEP_LIMIT = 500


def new_secret() -> str:
    """``whsec_`` + base64 of 32 random bytes, as Standard Webhooks secrets are."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def _check_manager(actor: User) -> None:
    if not permissions.can_manage_webhooks(actor):
        raise PermissionDenied(_("Only managers and admins manage webhooks."))


def _check_owner(actor: User, endpoint: WebhookEndpoint) -> None:
    _check_manager(actor)
    if endpoint.owner_id != actor.pk and not permissions.is_admin(actor):
        raise PermissionDenied(_("Only the endpoint's owner or an admin may change it."))


def _clean_events(events: object) -> list[str]:
    if not isinstance(events, list | tuple) or not events:
        raise ValidationError({"events": _("Choose at least one event type.")})
    unknown = [name for name in events if name not in EVENT_TYPES]
    if unknown:
        raise ValidationError(
            {
                "events": _("Unknown event type(s): %(unknown)s. Types are: %(known)s.")
                % {"unknown": ", ".join(map(str, unknown)), "known": ", ".join(EVENT_TYPES)}
            }
        )
    return [name for name in EVENT_TYPES if name in events]  # catalogue order, no repeats


def _clean_url(url: str) -> str:
    url = (url or "").strip()
    if not url:
        raise ValidationError({"url": _("This field is required.")})
    if len(url) > 500:
        raise ValidationError({"url": _("Ensure this value has at most 500 characters.")})
    try:
        sending.url_check(url)
    except sending.UnsafeURL as error:
        raise ValidationError({"url": str(error)}) from error
    return url


@transaction.atomic
def endpoint_create(
    *, actor: User, url: str, events: list[str], description: str = ""
) -> tuple[WebhookEndpoint, str]:
    """Subscribe ``url`` to ``events``; returns the endpoint and its secret (shown once)."""
    _check_manager(actor)
    secret = new_secret()
    endpoint = WebhookEndpoint.objects.create(
        owner=actor,
        url=_clean_url(url),
        events=_clean_events(events),
        description=(description or "").strip()[:200],
        secret=secret,
    )
    return endpoint, secret


@transaction.atomic
def endpoint_update(
    *,
    endpoint: WebhookEndpoint,
    actor: User,
    url: str | None = None,
    events: list[str] | None = None,
    description: str | None = None,
    is_active: bool | None = None,
) -> WebhookEndpoint:
    """Change what an endpoint receives, or enable / disable it."""
    _check_owner(actor, endpoint)
    if url is not None:
        endpoint.url = _clean_url(url)
    if events is not None:
        endpoint.events = _clean_events(events)
    if description is not None:
        endpoint.description = description.strip()[:200]
    endpoint.updated_at = timezone.now()
    endpoint.save(update_fields=["url", "events", "description", "updated_at"])
    if is_active is True and not endpoint.is_active:
        endpoint_enable(endpoint=endpoint, actor=actor)
    elif is_active is False and endpoint.is_active:
        endpoint_disable(endpoint=endpoint, reason=_("Disabled by %(who)s.") % {"who": actor})
    endpoint.refresh_from_db()
    return endpoint


def endpoint_delete(*, endpoint: WebhookEndpoint, actor: User) -> None:
    """Delete an endpoint and its delivery log."""
    _check_owner(actor, endpoint)
    endpoint.delete()


@transaction.atomic
def endpoint_rotate_secret(
    *, endpoint: WebhookEndpoint, actor: User, now: datetime | None = None
) -> str:
    """A new secret (returned, shown once); the current one keeps signing beside it for
    WEBHOOKS_SECRET_OVERLAP_HOURS, so the receiver can switch without losing a message."""
    _check_owner(actor, endpoint)
    now = now or timezone.now()
    secret = new_secret()
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        previous_secret=endpoint.secret,
        previous_secret_expires_at=now + timedelta(hours=settings.WEBHOOKS_SECRET_OVERLAP_HOURS),
        secret=secret,
        updated_at=now,
    )
    endpoint.refresh_from_db()
    return secret


def signing_secrets(endpoint: WebhookEndpoint, now: datetime) -> list[str]:
    """The secrets that sign a message sent at ``now``: the current one, and the previous
    one while its overlap lasts."""
    found = [endpoint.secret]
    expires = endpoint.previous_secret_expires_at
    if endpoint.previous_secret and expires is not None and expires > now:
        found.append(endpoint.previous_secret)
    return found


def endpoint_enable(*, endpoint: WebhookEndpoint, actor: User) -> int:
    """Enable an endpoint and send what queued up while it was disabled (returns how many)."""
    _check_owner(actor, endpoint)
    now = timezone.now()
    with transaction.atomic():
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
            is_active=True, disabled_at=None, disabled_reason="", failing_since=None, updated_at=now
        )
        # A fresh schedule for what waited: each gets its full day of attempts again.
        queued = list(
            WebhookDelivery.objects.filter(
                endpoint=endpoint, status=WebhookDelivery.Status.PENDING
            ).values_list("pk", flat=True)
        )
        WebhookDelivery.objects.filter(pk__in=queued).update(
            attempts=0, first_attempt_at=None, next_attempt_at=now, locked_until=None
        )
        transaction.on_commit(lambda: deliveries_dispatch(queued))
    endpoint.refresh_from_db()
    return len(queued)


def endpoint_disable(
    *, endpoint: WebhookEndpoint, reason: str, now: datetime | None = None
) -> bool:
    """Disable an endpoint (its deliveries wait); False when it was disabled already."""
    now = now or timezone.now()
    changed = WebhookEndpoint.objects.filter(pk=endpoint.pk, is_active=True).update(
        is_active=False, disabled_at=now, disabled_reason=reason[:300], updated_at=now
    )
    return bool(changed)


# --- Deliveries -------------------------------------------------------------------------


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


def deliveries_dispatch(delivery_ids: list[int]) -> None:
    """Hand deliveries to the ``webhooks`` queue; with the broker down the sweep sends them."""
    task = current_app.tasks[SEND_TASK]
    for start in range(0, len(delivery_ids), SEND_CHUNK):
        try:
            task.apply_async(
                args=(delivery_ids[start : start + SEND_CHUNK],), queue="webhooks", retry=False
            )
        except BROKER_ERRORS:
            logger.warning("The broker is unavailable; the webhook sweep will send these.")
            return


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed attempt (with jitter)."""
    base = RETRY_DELAYS[min(attempts, len(RETRY_DELAYS)) - 1]
    return base * random.uniform(1 - JITTER, 1 + JITTER)


def _claim(delivery_id: int, now: datetime) -> bool:
    return bool(
        WebhookDelivery.objects.filter(
            Q(locked_until__isnull=True) | Q(locked_until__lt=now),
            pk=delivery_id,
            status=WebhookDelivery.Status.PENDING,
            next_attempt_at__lte=now,
            endpoint__is_active=True,
        ).update(locked_until=now + LEASE)
    )


def deliveries_send(delivery_ids: list[int], *, now: datetime | None = None) -> dict[str, int]:
    """Attempt each due delivery once. Claimed one by one (a lease), so two workers never
    send the same delivery at the same time. Returns counts by outcome."""
    counts: dict[str, int] = defaultdict(int)
    for delivery_id in delivery_ids:
        moment = now or timezone.now()
        if not _claim(delivery_id, moment):
            counts["skipped"] += 1
            continue
        delivery = WebhookDelivery.objects.select_related("endpoint__owner").get(pk=delivery_id)
        counts[_attempt(delivery, moment)] += 1
    return dict(counts)


def _attempt(delivery: WebhookDelivery, now: datetime) -> str:
    endpoint = delivery.endpoint
    headers = sending.signature_headers(
        message_id=delivery.message_id,
        body=delivery.body,
        secrets=signing_secrets(endpoint, now),
        moment=now,
    )
    outcome = sending.post(endpoint.url, body=delivery.body, headers=headers)
    disabled_now = False
    with transaction.atomic():
        WebhookAttempt.objects.create(
            delivery=delivery,
            attempted_at=now,
            status_code=outcome.status_code,
            duration_ms=outcome.duration_ms,
            response_excerpt=outcome.excerpt,
            error=outcome.error,
        )
        delivery.attempts += 1
        delivery.first_attempt_at = delivery.first_attempt_at or now
        delivery.last_attempt_at = now
        delivery.last_status_code = outcome.status_code
        delivery.last_duration_ms = outcome.duration_ms
        delivery.last_response = outcome.excerpt
        delivery.last_error = outcome.error
        delivery.locked_until = None
        if outcome.ok:
            result = "succeeded"
            delivery.status = WebhookDelivery.Status.SUCCEEDED
            delivery.succeeded_at = now
            delivery.next_attempt_at = None
            WebhookEndpoint.objects.filter(pk=endpoint.pk, failing_since__isnull=False).update(
                failing_since=None
            )
        else:
            result = "failed"
            WebhookEndpoint.objects.filter(pk=endpoint.pk, failing_since__isnull=True).update(
                failing_since=now
            )
            endpoint.refresh_from_db(fields=["failing_since", "is_active"])
            failing_since = endpoint.failing_since or now
            exhausted = delivery.attempts >= MAX_ATTEMPTS
            day = timedelta(hours=settings.WEBHOOKS_DISABLE_AFTER_HOURS)
            if failing_since <= now - day or (
                exhausted and failing_since <= delivery.first_attempt_at
            ):
                disabled_now = endpoint_disable(
                    endpoint=endpoint,
                    reason=_("Every delivery failed since %(since)s.")
                    % {"since": f"{failing_since:%Y-%m-%d %H:%M} UTC"},
                    now=now,
                )
                endpoint.is_active = False
            if exhausted and endpoint.is_active:
                delivery.status = WebhookDelivery.Status.FAILED
                delivery.next_attempt_at = None
            elif exhausted:
                delivery.next_attempt_at = now  # waits for the endpoint to be enabled
            else:
                delivery.next_attempt_at = now + retry_delay(delivery.attempts)
        delivery.save()
    if disabled_now:
        _notify_disabled(endpoint)
    return result


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
    _check_owner(actor, delivery.endpoint)
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
        WebhookDelivery.objects.filter(
            Q(locked_until__isnull=True) | Q(locked_until__lt=now),
            status=WebhookDelivery.Status.PENDING,
            next_attempt_at__lte=now,
            endpoint__is_active=True,
        )
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


def secret_hint(secret: str) -> str:
    return secret[: len(SECRET_PREFIX) + 4] + "…"
