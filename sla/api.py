"""The SLA API: agreements with their versions and terms, signing, breaches, acknowledging.

Thin: reads come from ``sla.selectors``, writes are service calls. Scopes: ``sla:read``
for GET, ``sla:write`` for POST. A breach the caller may not see is a 404, never a 403.
"""

from typing import cast

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response

from accounts.models import User
from sla import selectors, services
from sla.models import SLA, Breach, BreachKind, Side, Signature, SLAVersion
from sla.terms import terms_fingerprint
from smarketing.api import ConditionalMixin, PageNumberPagination


class SignatureOutput(serializers.ModelSerializer):
    signer = serializers.CharField(source="signer.username")

    class Meta:
        model = Signature
        fields = ["signer", "role", "fingerprint", "signed_at"]


class VersionOutput(serializers.ModelSerializer):
    terms = serializers.SerializerMethodField()
    signatures = SignatureOutput(many=True, read_only=True)
    current_fingerprint = serializers.SerializerMethodField()
    missing_signatories = serializers.SerializerMethodField()

    class Meta:
        model = SLAVersion
        fields = [
            "number",
            "status",
            "terms",
            "fingerprint",
            "current_fingerprint",
            "signatures",
            "missing_signatories",
            "created_at",
            "activated_at",
            "ended_at",
        ]

    def get_terms(self, version) -> dict:
        return version.terms()

    def get_current_fingerprint(self, version) -> str:
        """The SHA-256 of the canonical terms now: send it back to sign them."""
        return terms_fingerprint(version)

    def get_missing_signatories(self, version) -> list[str]:
        return selectors.missing_signatories(version)


class SLAOutput(serializers.ModelSerializer):
    marketing_team = serializers.CharField(source="marketing_team.name")
    sales_team = serializers.CharField(source="sales_team.name")
    versions = VersionOutput(many=True, read_only=True)

    class Meta:
        model = SLA
        fields = ["id", "name", "marketing_team", "sales_team", "segment", "region", "versions"]


class SignInput(serializers.Serializer):
    fingerprint = serializers.CharField(
        max_length=64,
        help_text="The current_fingerprint of the terms you reviewed; a mismatch is a 409.",
    )


class SLAViewSet(ConditionalMixin, viewsets.ReadOnlyModelViewSet):
    """SLAs with every version, its terms, fingerprint and signatures. Everyone may read."""

    scope_area = "sla"
    serializer_class = SLAOutput
    pagination_class = PageNumberPagination

    def get_queryset(self):
        return selectors.sla_list().prefetch_related(
            "versions__signatures__signer", "versions__extra_signatories"
        )

    @extend_schema(request=SignInput, responses=VersionOutput)
    @action(detail=True, methods=["post"], url_path=r"versions/(?P<number>[0-9]+)/sign")
    def sign(self, request, pk=None, number=None):
        """Sign version ``number`` of this SLA for the terms with the given fingerprint."""
        sla = self.get_object()
        version = get_object_or_404(SLAVersion, sla=sla, number=number)
        data = SignInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.version_sign(
            version=version, actor=request.user, fingerprint=data.validated_data["fingerprint"]
        )
        version.refresh_from_db()
        return Response(VersionOutput(version).data)


class BreachOutput(serializers.ModelSerializer):
    # Plain strings in the schema: "kind" and "side" enums of other areas share the names.
    kind = serializers.CharField(help_text="One of: " + ", ".join(BreachKind.values))
    side = serializers.CharField(help_text="marketing or sales")
    version = serializers.CharField(source="version.__str__")
    owner = serializers.CharField(source="owner.username", default=None)
    acknowledged_by = serializers.CharField(source="acknowledged_by.username", default=None)

    class Meta:
        model = Breach
        fields = [
            "id",
            "kind",
            "side",
            "version",
            "lead",
            "campaign",
            "owner",
            "period_start",
            "period_end",
            "due_at",
            "detected_at",
            "target",
            "actual",
            "acknowledged_at",
            "acknowledged_by",
            "acknowledgement",
        ]


class AcknowledgeInput(serializers.Serializer):
    comment = serializers.CharField(allow_blank=True, required=False, default="")


@extend_schema(
    parameters=[
        OpenApiParameter("side", str, description="marketing or sales"),
        OpenApiParameter("kind", str, description="One of: " + ", ".join(BreachKind.values)),
        OpenApiParameter("period", description="YYYY-MM or YYYY-Qn, by due time"),
        OpenApiParameter("acknowledged", enum=["yes", "no"]),
    ]
)
class BreachViewSet(
    ConditionalMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Breaches visible to the caller, newest first, with filters."""

    scope_area = "sla"
    serializer_class = BreachOutput
    pagination_class = PageNumberPagination

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return Breach.objects.none()
        # The API requires authentication (IsAuthenticated is the default permission).
        breaches = selectors.breach_list_visible_to(cast(User, self.request.user))
        if self.action != "list":
            return breaches
        params = self.request.query_params
        errors = {}
        if params.get("side", "") not in ("", *Side.values):
            errors["side"] = [_("Choose marketing or sales.")]
        if params.get("kind", "") not in ("", *BreachKind.values):
            errors["kind"] = [_("Unknown breach kind.")]
        if params.get("acknowledged", "").lower() not in ("", "yes", "no", "true", "false"):
            errors["acknowledged"] = [_("Use yes or no.")]
        if params.get("period"):
            try:
                selectors.period_range(params["period"])
            except ValueError:
                errors["period"] = [_("Use YYYY-MM or YYYY-Qn, e.g. 2026-11 or 2026-Q4.")]
        if errors:
            raise ApiValidationError(errors)
        return selectors.breach_filter(
            breaches,
            side=params.get("side", ""),
            kind=params.get("kind", ""),
            period=params.get("period", ""),
            acknowledged=params.get("acknowledged", ""),
        )

    @extend_schema(
        request=AcknowledgeInput,
        responses=inline_serializer("AcknowledgedBreach", {"id": serializers.IntegerField()}),
    )
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        """Acknowledge the breach with a comment (once)."""
        breach = self.get_object()
        data = AcknowledgeInput(data=request.data)
        data.is_valid(raise_exception=True)
        breach = services.breach_acknowledge(
            breach=breach, actor=request.user, comment=data.validated_data["comment"]
        )
        return Response(BreachOutput(breach).data)
