"""``Idempotency-Key`` for every POST, PATCH, PUT and DELETE of the API: safe retries.

A client that did not get an answer (a timeout, a dropped connection) sends the request
again with the same key. If the first one acted, the retry gets its answer replayed —
the same status and body — and nothing happens twice.

- The same key with the same request (method, path, body) replays the stored answer,
  with ``Idempotent-Replayed: true``.
- The same key with another request is a 422: keys name one request.
- The same key while the first request still runs is a 409 (retry a moment later).
- Keys are per caller: per API token, or per signed-in user. They expire after
  IDEMPOTENCY_KEY_TTL_HOURS (24) and are purged daily.
- Only answers below 400 are kept: an error acted on nothing, so the key is released
  and a corrected retry may use it again.

How it stays exact: the key's row is inserted in the same transaction as the request's
own work, and its answer is written there too, so both commit or neither does. A
second request inserting the same key waits on PostgreSQL's unique index for the first
to finish; it waits at most IDEMPOTENCY_WAIT_MS and then answers 409. On SQLite, which
runs one write at a time, the second request waits for the first and replays it.

It is a middleware so that every app's API has it without a line of its own.
"""

import hashlib
import json
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from rest_framework import exceptions

from accounts.authentication import BearerTokenAuthentication
from accounts.models import IdempotencyKey

HEADER = "Idempotency-Key"
METHODS = frozenset({"POST", "PATCH", "PUT", "DELETE"})
# Visible ASCII, as in the IETF draft's examples (UUIDs, random strings).
KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,255}$")
# Headers of the first answer that a replay repeats.
KEPT_HEADERS = ("Content-Type", "Location", "ETag")
REPLAYED_HEADER = "Idempotent-Replayed"
LOCK_NOT_AVAILABLE = "55P03"


def _error(status: int, detail: str, code: str, **headers: str) -> JsonResponse:
    response = JsonResponse({"detail": detail, "code": code}, status=status)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def caller_scope(request: HttpRequest) -> str | None:
    """Whose keys these are: ``token:<id>`` or ``user:<id>``; None for an anonymous caller.

    An invalid token gives None: the request goes on unkeyed and the API answers 401.
    """
    try:
        found = BearerTokenAuthentication().authenticate(request)
    except exceptions.AuthenticationFailed:
        return None
    if found is not None:
        return f"token:{found[1].pk}"
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return None


def request_fingerprint(request: HttpRequest) -> str:
    digest = hashlib.sha256()
    digest.update(f"{request.method}\n{request.get_full_path()}\n".encode())
    digest.update(request.body)
    return digest.hexdigest()


def _replay(row: IdempotencyKey) -> HttpResponse:
    response = HttpResponse(bytes(row.response_body), status=row.response_status)
    for name, value in row.response_headers.items():
        response[name] = value
    response[REPLAYED_HEADER] = "true"
    return response


def _insert_claim(scope: str, key: str, fingerprint: str, now: datetime) -> IdempotencyKey:
    """Insert the key's row; raises IntegrityError (taken) or DatabaseError (still running)."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # A row that another transaction is inserting makes us wait on the unique
                # index until it ends: wait only a moment, then say "still running".
                cursor.execute("SET LOCAL lock_timeout = %s", [f"{settings.IDEMPOTENCY_WAIT_MS}ms"])
        row = IdempotencyKey.objects.create(
            scope=scope, key=key, fingerprint=fingerprint, response_status=0, created_at=now
        )
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = DEFAULT")
    return row


def _is_lock_timeout(error: DatabaseError) -> bool:
    return getattr(getattr(error, "__cause__", None), "pgcode", None) == LOCK_NOT_AVAILABLE


class IdempotencyKeyMiddleware:
    """Applies ``Idempotency-Key`` to unsafe requests under /api/ (see the module)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.headers.get(HEADER)
        if key is None or request.method not in METHODS or not request.path.startswith("/api/"):
            return self.get_response(request)
        if not KEY_PATTERN.match(key):
            return JsonResponse(
                {HEADER: ["Send 1 to 255 visible ASCII characters, e.g. a UUID."]}, status=400
            )
        scope = caller_scope(request)
        if scope is None:
            return self.get_response(request)
        return self._keyed(request, scope, key)

    def _keyed(self, request: HttpRequest, scope: str, key: str) -> HttpResponse:
        fingerprint = request_fingerprint(request)
        now = timezone.now()
        expired = now - timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS)
        with transaction.atomic():
            for _attempt in range(2):
                try:
                    row = _insert_claim(scope, key, fingerprint, now)
                    break
                except IntegrityError:
                    found = IdempotencyKey.objects.filter(scope=scope, key=key).first()
                    if found is None:
                        continue  # expired and purged meanwhile: claim it again
                    if found.created_at < expired:
                        IdempotencyKey.objects.filter(pk=found.pk).delete()
                        continue
                    if found.fingerprint != fingerprint:
                        return _error(
                            422,
                            "This Idempotency-Key was already used for another request "
                            "(method, path or body) in the last "
                            f"{settings.IDEMPOTENCY_KEY_TTL_HOURS} hours. Send a new key "
                            "with a new request.",
                            "idempotency_key_reused",
                        )
                    return _replay(found)
                except DatabaseError as error:
                    if not _is_lock_timeout(error):
                        raise
                    return _error(
                        409,
                        "A request with this Idempotency-Key is still running. Retry in a "
                        "moment to get its answer.",
                        "idempotency_key_in_use",
                        Retry_After="1",
                    )
            else:
                return _error(
                    409,
                    "This Idempotency-Key is being claimed by another request. Retry.",
                    "idempotency_key_in_use",
                    Retry_After="1",
                )
            response = self.get_response(request)
            if response.status_code >= 400 or response.streaming:
                # Nothing to replay: release the key (the view's own work, if any, stays
                # as it would without a key).
                IdempotencyKey.objects.filter(pk=row.pk).delete()
                return response
            headers: dict[str, Any] = {
                name: response[name] for name in KEPT_HEADERS if response.has_header(name)
            }
            IdempotencyKey.objects.filter(pk=row.pk).update(
                response_status=response.status_code,
                response_headers=json.loads(json.dumps(headers)),
                response_body=response.content,
            )
        return response


def idempotency_keys_purge(*, now: datetime | None = None) -> int:
    """Delete keys older than IDEMPOTENCY_KEY_TTL_HOURS; returns how many."""
    cutoff = (now or timezone.now()) - timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS)
    deleted, _detail = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
