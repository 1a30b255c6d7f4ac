"""The integrations API: the changes feed and webhook endpoints (CRM sync, outbound).

Thin: reads come from integrations.selectors, writes from integrations.services.
"""

import json
from typing import Any, cast

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    OpenApiTypes,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import permissions as drf_permissions
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import ApiToken, User
from events.catalog import EVENT_TYPES
from integrations import selectors, services
from integrations.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from smarketing.api import ConditionalMixin, CursorPagination

# Every domain event type (one enum in the schema: EventTypeEnum).
EVENT_TYPE_CHOICES = list(EVENT_TYPES)
EVENT_AREAS = sorted({event_type.area for event_type in EVENT_TYPES.values()})
ERROR = inline_serializer(
    "ChangesError", {"detail": serializers.CharField(), "code": serializers.CharField()}
)


def _token_read_areas(request: Any) -> set[str] | None:
    """The event areas a token may read (``<area>:read``); None for a browser session."""
    token = request.auth
    if not isinstance(token, ApiToken):
        return None
    return {area for area in EVENT_AREAS if token.has_scope(f"{area}:read")}


class ReadsSomeArea(drf_permissions.BasePermission):
    """A token needs a read scope of at least one area that has events."""

    message = _("This API token needs a read scope of an area with events: %(scopes)s.") % {
        "scopes": ", ".join(f"{area}:read" for area in EVENT_AREAS)
    }

    def has_permission(self, request: Any, view: Any) -> bool:
        areas = _token_read_areas(request)
        return areas is None or bool(areas)


class ChangeObject(serializers.Serializer):
    kind = serializers.CharField()
    id = serializers.IntegerField()


class ChangeOutput(serializers.Serializer):
    cursor = serializers.CharField(help_text="Resume after this event: send it as `after`.")
    id = serializers.CharField(help_text="The event's id (the same in webhook deliveries).")
    type = serializers.ChoiceField(choices=EVENT_TYPE_CHOICES)
    occurred_at = serializers.DateTimeField()
    object = ChangeObject()
    # Named like Serializer.data in the stubs; DRF's metaclass takes declared fields off
    # the class, so the two never clash.
    data = serializers.DictField(help_text="The event's payload (docs/ARCHITECTURE.md).")  # type: ignore[assignment]


class ChangesOutput(serializers.Serializer):
    results = ChangeOutput(many=True)
    next = serializers.CharField(
        help_text="The cursor for the next request (`after`). When `results` is empty you "
        "are up to date: wait a little and ask again with the same cursor."
    )


class ChangesQuery(serializers.Serializer):
    after = serializers.CharField(required=False, allow_blank=True)
    limit = serializers.IntegerField(
        required=False, min_value=1, max_value=selectors.MAX_LIMIT, default=selectors.DEFAULT_LIMIT
    )
    types = serializers.CharField(required=False, allow_blank=True)


class ChangesView(APIView):
    """What changed, in commit order, from the domain events."""

    permission_classes = [drf_permissions.IsAuthenticated, ReadsSomeArea]

    @extend_schema(
        summary="The changes feed: every event you may see, in commit order",
        description=(
            "Page through what happened, oldest first, in the order the changes committed: "
            "send the `next` of each answer as `after` in the following request. Nothing "
            "is skipped or repeated, whatever writes happen meanwhile. Without `after` the "
            "feed starts at the oldest event kept (`EVENTS_RETENTION_DAYS`, 30 days). You "
            "see events about objects your user may see, of the areas your token's read "
            "scopes name (`leads:read`, `sla:read`, `campaigns:read`, `feedback:read`).\n\n"
            "400 for a malformed cursor or an unknown type; 403 for a type whose area your "
            "token may not read; 410 when the cursor is older than what the feed keeps "
            "(re-read the records, then start again without `after`)."
        ),
        parameters=[
            OpenApiParameter("after", OpenApiTypes.STR, description="A cursor (opaque)."),
            OpenApiParameter(
                "limit",
                OpenApiTypes.INT,
                description=f"1 to {selectors.MAX_LIMIT} (default {selectors.DEFAULT_LIMIT}).",
            ),
            OpenApiParameter(
                "types",
                OpenApiTypes.STR,
                description="Comma-separated event types, e.g. "
                "`lead.stage_changed,lead.handed_over`. Default: every type you may read.",
            ),
        ],
        responses={
            200: ChangesOutput,
            400: OpenApiResponse(description="A malformed cursor, limit or type."),
            403: OpenApiResponse(ERROR, description="A type of an area your token may not read."),
            410: OpenApiResponse(ERROR, description="The cursor is older than the feed keeps."),
        },
    )
    def get(self, request):
        query = ChangesQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        after = None
        if params.get("after"):
            try:
                after = selectors.cursor_decode(params["after"])
            except ValueError:
                raise ApiValidationError(
                    {"after": [_("This is not a cursor of this feed: send back a `next`.")]}
                ) from None
        areas = _token_read_areas(request)
        readable = selectors.event_types_readable(areas)
        types = readable
        if params.get("types"):
            asked = [name.strip() for name in params["types"].split(",") if name.strip()]
            unknown = [name for name in asked if name not in EVENT_TYPES]
            if unknown:
                raise ApiValidationError(
                    {"types": [_("Unknown event type(s): %s.") % ", ".join(unknown)]}
                )
            refused = sorted({EVENT_TYPES[name].area for name in asked if name not in readable})
            if refused:
                raise PermissionDenied(
                    _("This API token lacks the scope %s for these types.")
                    % ", ".join(f"“{area}:read”" for area in refused)
                )
            types = [name for name in EVENT_TYPES if name in asked]
        try:
            page = selectors.changes_page(
                user=cast(User, request.user), after=after, limit=params["limit"], types=types
            )
        except selectors.CursorExpired as error:
            return Response(
                {"detail": str(error), "code": "cursor_expired"}, status=status.HTTP_410_GONE
            )
        return HttpResponse(selectors.changes_json(page), content_type="application/json")


# --- Webhooks ---------------------------------------------------------------------------


class EndpointOutput(serializers.ModelSerializer):
    owner = serializers.IntegerField(source="owner_id")
    events = serializers.ListField(child=serializers.ChoiceField(choices=EVENT_TYPE_CHOICES))
    secret_hint = serializers.SerializerMethodField(
        help_text="The start of the secret, to tell secrets apart (the secret is shown once)."
    )
    previous_secret_expires_at = serializers.SerializerMethodField(
        help_text="After a rotation: until when the old secret signs too."
    )

    class Meta:
        model = WebhookEndpoint
        fields = [
            "id",
            "url",
            "description",
            "events",
            "owner",
            "is_active",
            "disabled_at",
            "disabled_reason",
            "failing_since",
            "secret_hint",
            "previous_secret_expires_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_secret_hint(self, endpoint: WebhookEndpoint) -> str:
        return services.secret_hint(endpoint.secret)

    def get_previous_secret_expires_at(self, endpoint: WebhookEndpoint) -> str | None:
        expires = endpoint.previous_secret_expires_at
        return expires.isoformat() if endpoint.previous_secret and expires else None


class EndpointCreatedOutput(EndpointOutput):
    secret = serializers.CharField(
        help_text="Shown once: verify the signatures of deliveries with it."
    )

    class Meta(EndpointOutput.Meta):
        fields = [*EndpointOutput.Meta.fields, "secret"]
        read_only_fields = fields


class EndpointInput(serializers.Serializer):
    url = serializers.CharField(max_length=500)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=EVENT_TYPE_CHOICES), allow_empty=False
    )
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)


class EndpointPatchInput(EndpointInput):
    is_active = serializers.BooleanField(
        required=False,
        help_text="false disables the endpoint (deliveries wait); true enables it and "
        "sends what queued up meanwhile.",
    )


class RotatedSecretOutput(serializers.Serializer):
    secret = serializers.CharField(help_text="The new secret, shown once.")
    previous_secret_expires_at = serializers.DateTimeField(
        help_text="The old secret signs beside the new one until then."
    )


class AttemptOutput(serializers.ModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = ["attempted_at", "status_code", "duration_ms", "response_excerpt", "error"]
        read_only_fields = fields


class DeliveryOutput(serializers.ModelSerializer):
    payload = serializers.SerializerMethodField(help_text="The JSON body sent.")
    attempt_log = AttemptOutput(many=True, read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "event_id",
            "event_type",
            "message_id",
            "status",
            "attempts",
            "next_attempt_at",
            "last_attempt_at",
            "last_status_code",
            "last_duration_ms",
            "last_response",
            "last_error",
            "created_at",
            "succeeded_at",
            "payload",
            "attempt_log",
        ]
        read_only_fields = fields

    def get_payload(self, delivery: WebhookDelivery) -> dict[str, Any]:
        return cast(dict[str, Any], json.loads(delivery.body))


class DeliveryPagination(CursorPagination):
    ordering = "-id"


@extend_schema_view(
    list=extend_schema(summary="Your webhook endpoints (an admin sees all)"),
    retrieve=extend_schema(summary="One webhook endpoint"),
    destroy=extend_schema(summary="Delete an endpoint and its delivery log"),
)
class WebhookEndpointViewSet(ConditionalMixin, viewsets.ModelViewSet):
    """Webhook endpoints: managers and admins subscribe URLs to domain events."""

    scope_area = "webhooks"
    serializer_class = EndpointOutput
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return WebhookEndpoint.objects.none()
        return selectors.endpoint_list_visible_to(cast(User, self.request.user))

    @extend_schema(
        summary="Subscribe a URL to event types (managers and admins)",
        description="The answer holds the secret, once: keep it to verify signatures. "
        "400 for a private, loopback or link-local address (SSRF), an unknown event type "
        "or a bad URL; 403 for people who are not managers.",
        request=EndpointInput,
        responses={201: EndpointCreatedOutput},
        examples=[
            OpenApiExample(
                "Hand-overs to a CRM",
                value={
                    "url": "https://crm.example.com/hooks/smarketing",
                    "events": ["lead.handed_over", "lead.stage_changed"],
                    "description": "Salesforce sync",
                },
                request_only=True,
            )
        ],
    )
    def create(self, request, *args, **kwargs):
        payload = EndpointInput(data=request.data)
        payload.is_valid(raise_exception=True)
        endpoint, secret = services.endpoint_create(actor=request.user, **payload.validated_data)
        data = EndpointCreatedOutput(endpoint).data
        data["secret"] = secret
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change an endpoint, or enable / disable it",
        request=EndpointPatchInput(partial=True),
        responses={200: EndpointOutput},
    )
    def partial_update(self, request, *args, **kwargs):
        endpoint = self.get_object()
        payload = EndpointPatchInput(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        endpoint = services.endpoint_update(
            endpoint=endpoint, actor=request.user, **payload.validated_data
        )
        return Response(EndpointOutput(endpoint).data)

    def destroy(self, request, *args, **kwargs):
        services.endpoint_delete(endpoint=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="A new secret; the old one keeps signing beside it for 24 hours",
        request=None,
        responses={200: RotatedSecretOutput},
    )
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request, pk=None):
        endpoint = self.get_object()
        secret = services.endpoint_rotate_secret(endpoint=endpoint, actor=request.user)
        return Response(
            {
                "secret": secret,
                "previous_secret_expires_at": endpoint.previous_secret_expires_at,
            }
        )

    @extend_schema(
        summary="The delivery log of an endpoint, newest first",
        parameters=[
            OpenApiParameter(
                "status", OpenApiTypes.STR, enum=WebhookDelivery.Status.values, required=False
            ),
            OpenApiParameter("page_size", OpenApiTypes.INT, description="Up to 500 (50)."),
        ],
        responses={200: DeliveryOutput(many=True)},
        filters=False,
    )
    @action(detail=True, methods=["get"], pagination_class=DeliveryPagination)
    def deliveries(self, request, pk=None):
        endpoint = self.get_object()
        wanted = request.query_params.get("status", "")
        if wanted and wanted not in WebhookDelivery.Status.values:
            raise ApiValidationError(
                {"status": [_("Choose one of %s.") % ", ".join(WebhookDelivery.Status.values)]}
            )
        page = self.paginate_queryset(selectors.delivery_log(endpoint, status=wanted))
        return self.get_paginated_response(DeliveryOutput(page, many=True).data)

    @extend_schema(
        summary="Send a delivery again (same webhook-id), now",
        description="400 when the endpoint is disabled (enable it first).",
        request=None,
        responses={202: DeliveryOutput},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"deliveries/(?P<delivery_id>[0-9]+)/retry",
    )
    def retry(self, request, pk=None, delivery_id=None):
        endpoint = self.get_object()
        delivery = get_object_or_404(endpoint.deliveries, pk=delivery_id)
        delivery = services.delivery_retry(delivery=delivery, actor=request.user)
        delivery = selectors.delivery_log(endpoint).get(pk=delivery.pk)
        return Response(DeliveryOutput(delivery).data, status=status.HTTP_202_ACCEPTED)
