"""API plumbing shared by every app: the error format and pagination.

Token scopes are checked by accounts.authentication.HasScope (tokens live in accounts).
"""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404
from rest_framework import exceptions, pagination, status
from rest_framework.response import Response

from smarketing.errors import DomainError


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
