"""API plumbing shared by every app: the error format, pagination, ETags and the schema.

Token scopes are checked by accounts.authentication.HasScope (tokens live in accounts);
``Idempotency-Key`` is applied to every write by accounts.idempotency (a middleware); the
schema's shared headers and errors are in smarketing.schema.
"""

import hashlib
import json
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.http import Http404, HttpResponse
from rest_framework import exceptions, pagination, status
from rest_framework.response import Response

from smarketing.errors import DomainError, PreconditionFailed


def validation_error_body(error: DjangoValidationError) -> dict[str, list[str]]:
    """Field messages of a Django ValidationError in DRF's shape ("__all__" → non_field_errors)."""
    if hasattr(error, "error_dict"):
        return {
            ("non_field_errors" if field == "__all__" else field): messages
            for field, messages in error.message_dict.items()
        }
    return {"non_field_errors": error.messages}


def exception_handler(exc, context):
    """Turn every business error into a 4xx with a readable body.

    - ValidationError (Django's or DRF's) → 400 ``{"field": ["message"], ...}``
    - PermissionDenied → 403, Http404 → 404 (DRF's own handling)
    - DomainError → its status (NotAllowed 400, Conflict 409) ``{"detail", "code"}``
    - IntegrityError → 409: a constraint caught a race that the service could not see.
    """
    # Imported here: rest_framework.views reads the API settings, which name this module.
    from rest_framework.views import exception_handler as drf_exception_handler

    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(validation_error_body(exc))
    elif isinstance(exc, PermissionDenied) and exc.args:
        exc = exceptions.PermissionDenied(str(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DomainError):
        return Response({"detail": exc.message, "code": exc.code}, status=exc.status_code)
    elif isinstance(exc, IntegrityError):
        return Response(
            {
                "detail": "The change conflicts with data saved at the same moment. "
                "Reload and try again.",
                "code": "conflict",
            },
            status=status.HTTP_409_CONFLICT,
        )
    return drf_exception_handler(exc, context)


class PageNumberPagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500


class CursorPagination(pagination.CursorPagination):
    """Stable pages over large, changing tables (CRM sync walks every lead)."""

    page_size_query_param = "page_size"
    max_page_size = 500
    ordering = "-id"


# --- ETags: conditional requests on single objects --------------------------------------

# The actions of a single object whose answers carry an ETag.
ETAG_ACTIONS = frozenset({"retrieve", "partial_update", "update", "destroy"})
WRITE_METHODS = frozenset({"PATCH", "PUT", "DELETE"})


def etag_for(data: Any) -> str:
    """A strong ETag of an object's API representation (its JSON, keys sorted)."""
    body = json.dumps(data, sort_keys=True, separators=(",", ":"), cls=DjangoJSONEncoder)
    return '"' + hashlib.sha256(body.encode()).hexdigest()[:32] + '"'


def etag_matches(header: str, current: str) -> bool:
    """Whether an If-Match / If-None-Match header names ``current`` (or is ``*``)."""
    if header.strip() == "*":
        return True
    # Weak comparison: a proxy may have marked our tag weak (W/"…") on the way.
    tags = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    return current in tags


class ConditionalMixin:
    """ETags for a viewset's single objects: GET and writes answer one; conditions apply.

    - GET of one object: ``ETag``; ``If-None-Match`` with the current tag → 304, no body.
    - PATCH/PUT/DELETE with ``If-Match``: the object is locked, and if the tag is not its
      current one (someone changed it since the client read it) → 412, nothing changed.
      The answer's ``ETag`` is the new version's.

    The tag is a hash of the object's API representation (``etag_serializer_class``,
    by default ``serializer_class``), so a GET and a PATCH of the same state agree.
    """

    etag_serializer_class: Any = None

    def _etag_of(self, obj: Any) -> str:
        serializer_class = self.etag_serializer_class or self.serializer_class  # type: ignore[attr-defined]
        return etag_for(
            serializer_class(obj, context=self.get_serializer_context()).data  # type: ignore[attr-defined]
        )

    def _if_match(self) -> str:
        request = self.request  # type: ignore[attr-defined]
        return request.headers.get("If-Match", "") if request.method in WRITE_METHODS else ""

    def dispatch(self, request, *args, **kwargs):
        if request.method in WRITE_METHODS and request.headers.get("If-Match"):
            # The check and the change in one transaction, the object locked between them.
            with transaction.atomic():
                return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]

    def get_object(self):
        obj = super().get_object()  # type: ignore[misc]
        condition = self._if_match()
        if condition:
            type(obj)._default_manager.select_for_update().filter(pk=obj.pk).exists()
            obj = super().get_object()  # type: ignore[misc]  # as it is now, under the lock
            current = self._etag_of(obj)
            if not etag_matches(condition, current):
                self._current_etag = current
                raise PreconditionFailed(
                    "This object changed since you read it (If-Match names an older "
                    "version). GET it again, re-apply your change, and send the new ETag."
                )
        return obj

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        if response.status_code == status.HTTP_412_PRECONDITION_FAILED and hasattr(
            self, "_current_etag"
        ):
            response["ETag"] = self._current_etag
        if getattr(self, "action", None) not in ETAG_ACTIONS or response.status_code != 200:
            return response
        data = getattr(response, "data", None)
        if not isinstance(data, dict | list):
            return response
        etag = etag_for(data)
        response["ETag"] = etag
        condition = request.headers.get("If-None-Match", "")
        if request.method in ("GET", "HEAD") and condition and etag_matches(condition, etag):
            not_modified = HttpResponse(status=status.HTTP_304_NOT_MODIFIED)
            not_modified["ETag"] = etag
            return not_modified
        return response
