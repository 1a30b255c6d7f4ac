"""Writes for webhook endpoints: subscribe, change, enable/disable, rotate the secret."""

import base64
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from events.catalog import EVENT_TYPES
from integrations import permissions, sending
from integrations.models import WebhookDelivery, WebhookEndpoint
from integrations.services.queue import deliveries_dispatch

SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    """``whsec_`` + base64 of 32 random bytes, as Standard Webhooks secrets are."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def check_manager(actor: User) -> None:
    if not permissions.can_manage_webhooks(actor):
        raise PermissionDenied(_("Only managers and admins manage webhooks."))


def check_owner(actor: User, endpoint: WebhookEndpoint) -> None:
    check_manager(actor)
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
    check_manager(actor)
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
    check_owner(actor, endpoint)
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
    check_owner(actor, endpoint)
    endpoint.delete()


@transaction.atomic
def endpoint_rotate_secret(
    *, endpoint: WebhookEndpoint, actor: User, now: datetime | None = None
) -> str:
    """A new secret (returned, shown once); the current one keeps signing beside it for
    WEBHOOKS_SECRET_OVERLAP_HOURS, so the receiver can switch without losing a message."""
    check_owner(actor, endpoint)
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
    check_owner(actor, endpoint)
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


def secret_hint(secret: str) -> str:
    return secret[: len(SECRET_PREFIX) + 4] + "…"
