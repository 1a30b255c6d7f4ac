"""The OpenAPI schema's class: drf-spectacular's, plus what every operation shares.

Separate from smarketing.api because DRF's settings import that module while
rest_framework.generics is still loading, and drf-spectacular's schema imports it.
"""

from typing import Any

from drf_spectacular import openapi
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, inline_serializer
from rest_framework import serializers

from smarketing.api import ETAG_ACTIONS, ConditionalMixin

ERROR_OUTPUT = inline_serializer(
    "Error", {"detail": serializers.CharField(), "code": serializers.CharField()}
)
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="Optional, recommended for retries: a unique value per request (a UUID). "
    "Sending the same request again with the same key replays the first answer without "
    "acting twice; another request with the key is a 422; while the first still runs, "
    "409. Per token (or signed-in user), kept 24 hours. Only answers below 400 are kept.",
)
IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="The ETag you have: 304 without a body when the object has not changed.",
)
IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="The ETag you read: the change applies only if the object is still that "
    "version, else 412 and nothing changes.",
)
ETAG_HEADER = OpenApiParameter(
    "ETag",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[200],
    description="The version of the object in this answer (for If-Match / If-None-Match).",
)
REPLAYED_HEADER = OpenApiParameter(
    "Idempotent-Replayed",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=True,
    description="`true` when this answer is the replay of an earlier request with the "
    "same Idempotency-Key (nothing was done again).",
)
UNSAFE_METHODS = frozenset({"POST", "PATCH", "PUT", "DELETE"})


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's schema plus the API-wide headers and errors.

    Every write documents ``Idempotency-Key`` and its 409 / 422; every single-object
    GET and write of a ConditionalMixin view documents ETag, If-None-Match (304) and
    If-Match (412).
    """

    def _conditional(self) -> bool:
        return isinstance(self.view, ConditionalMixin) and (
            getattr(self.view, "action", None) in ETAG_ACTIONS
        )

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        if self.method in UNSAFE_METHODS:
            parameters += [IDEMPOTENCY_KEY, REPLAYED_HEADER]
        if self._conditional():
            parameters.append(IF_NONE_MATCH if self.method == "GET" else IF_MATCH)
            if self.method != "DELETE":
                parameters.append(ETAG_HEADER)
        return parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)

        def add(code: str, description: str, body: Any = ERROR_OUTPUT) -> None:
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(body, description=description), code, direction=direction
                )

        if self.method in UNSAFE_METHODS:
            add(
                "409",
                "Conflict: someone changed the data first, or a request with this "
                "Idempotency-Key is still running (retry in a moment).",
            )
            add("422", "This Idempotency-Key was used for another request.")
        if self._conditional():
            if self.method == "GET":
                add("304", "Not modified: the ETag in If-None-Match is current.", None)
            else:
                add("412", "Precondition failed: If-Match names an older version.")
        return responses
