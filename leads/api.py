"""The leads API (CRM sync): leads, their moves, history and touches, and bulk upsert.

Thin: every read starts from ``selectors.lead_list_visible_to`` (a lead the caller may
not see is a 404, never a 403), every write is a service call. Serializers only
translate; they never save. Scopes: ``leads:read`` for GET, ``leads:write`` otherwise.
"""

from typing import cast

from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiTypes,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import generics, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response

from accounts.models import User
from leads import lifecycle, mappings, selectors, services
from leads.filters import LeadFilter
from leads.models import Account, Lead, LeadStageChange, Stage, Touch, TouchKind
from smarketing.api import ConditionalMixin, CursorPagination
from smarketing.csv_export import csv_streaming_response

LEAD_FIELDS = [
    "id",
    *services.EDITABLE_FIELDS,
    "owner",
    "stage",
    "mql_at",
    "sal_at",
    "sql_at",
    "won_at",
    "expected_amount",
    "won_amount",
    "created_at",
    "updated_at",
]
# Only moves change these; a PATCH or POST that sends them is told where to go.
MOVE_ONLY_FIELDS = ("stage", "owner", "mql_at", "sal_at", "sql_at", "won_at", "won_amount")


class LeadOutput(serializers.ModelSerializer):
    class Meta:
        model = Lead
        fields = LEAD_FIELDS
        read_only_fields = LEAD_FIELDS


class LeadInput(serializers.Serializer):
    """A lead's record as marketing (or a CRM) writes it. Stage and owner change by moves."""

    email = serializers.EmailField(max_length=254)
    first_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    last_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    title = serializers.CharField(max_length=150, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=50, required=False, allow_blank=True)
    account = serializers.PrimaryKeyRelatedField(
        queryset=Account.objects.all(), required=False, allow_null=True
    )
    company = serializers.CharField(
        max_length=200,
        required=False,
        write_only=True,
        help_text="Input only: a company name or domain. Finds the account, or creates it, "
        "when `account` is not given.",
    )
    # A field named like Field.source (the serializer's own attribute in the stubs):
    # DRF's metaclass takes declared fields off the class, so they never clash.
    source = serializers.CharField(max_length=50, required=False, allow_blank=True)  # type: ignore[assignment]
    source_system = serializers.CharField(max_length=50, required=False, allow_blank=True)
    external_id = serializers.CharField(max_length=200, required=False, allow_blank=True)
    segment = serializers.CharField(max_length=50, required=False, allow_blank=True)
    region = serializers.CharField(max_length=50, required=False, allow_blank=True)
    score = serializers.IntegerField(min_value=0, max_value=100, required=False)

    def validate(self, attrs):
        sent = [name for name in MOVE_ONLY_FIELDS if name in self.initial_data]
        if sent:
            raise serializers.ValidationError(
                {
                    name: [_("Changes only through a move: POST /api/v1/leads/{id}/transitions/.")]
                    for name in sent
                }
            )
        return attrs


class LeadTransitionInput(serializers.Serializer):
    action = serializers.ChoiceField(choices=lifecycle.ACTIONS)
    reason_code = serializers.CharField(max_length=50, required=False, allow_blank=True)
    comment = serializers.CharField(required=False, allow_blank=True)
    amount = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        required=False,
        allow_null=True,
        help_text="The expected amount when qualifying to SQL, the won amount when winning.",
    )
    owner = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(),
        required=False,
        allow_null=True,
        help_text="Qualify to MQL only: the seller to hand over to, instead of the "
        "assignment rules.",
    )
    override_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="Qualify to MQL only: why a manager qualifies a lead that misses the "
        "MQL definition.",
    )
    from_stage = serializers.ChoiceField(
        choices=Stage.choices,
        required=False,
        help_text="Optional: the stage you believe the lead is in. If someone moved it "
        "meanwhile, the answer is 409 instead of a move from a stage you did not see.",
    )


class LeadStageChangeOutput(serializers.ModelSerializer):
    class Meta:
        model = LeadStageChange
        fields = [
            "id",
            "action",
            "from_stage",
            "to_stage",
            "actor",
            "reason_code",
            "comment",
            "created_at",
        ]
        read_only_fields = fields


class LeadTransitionOutput(serializers.Serializer):
    stage_change = LeadStageChangeOutput()
    lead = LeadOutput()


class TouchOutput(serializers.ModelSerializer):
    class Meta:
        model = Touch
        fields = ["id", "kind", "actor", "note", "occurred_at", "created_at"]
        read_only_fields = fields


class TouchInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=TouchKind.choices)
    note = serializers.CharField(required=False, allow_blank=True)
    occurred_at = serializers.DateTimeField(
        required=False, help_text="When the attempt happened; now when left out."
    )


class LeadSyncItem(serializers.Serializer):
    """One lead in a bulk upsert (documentation of the shape; items are checked one by one)."""

    email = serializers.EmailField(required=False)
    first_name = serializers.CharField(required=False)
    last_name = serializers.CharField(required=False)
    title = serializers.CharField(required=False)
    phone = serializers.CharField(required=False)
    account = serializers.IntegerField(required=False, allow_null=True)
    company = serializers.CharField(
        required=False, help_text="A company name or domain: found or created as an account."
    )
    # A field named like Field.source (the serializer's own attribute in the stubs):
    # DRF's metaclass takes declared fields off the class, so they never clash.
    source = serializers.CharField(required=False)  # type: ignore[assignment]
    source_system = serializers.CharField(required=False)
    external_id = serializers.CharField(required=False)
    segment = serializers.CharField(required=False)
    region = serializers.CharField(required=False)
    score = serializers.IntegerField(required=False, min_value=0, max_value=100)
    stage = serializers.ChoiceField(
        choices=Stage.choices,
        required=False,
        help_text="What happened in the CRM: `sql` (with `expected_amount`), `customer` "
        "(with `won_amount`, optionally `close_date`) or `lost` (with `reason_code`), "
        "applied as that move by the integration. The lead's current stage moves nothing; "
        "a move not allowed from the lead's stage is this item's error.",
    )
    expected_amount = serializers.DecimalField(max_digits=14, decimal_places=2, required=False)
    won_amount = serializers.DecimalField(max_digits=14, decimal_places=2, required=False)
    close_date = serializers.DateField(required=False)
    reason_code = serializers.CharField(required=False)


class LeadBulkUpsertInput(serializers.Serializer):
    leads = LeadSyncItem(many=True, help_text=f"At most {services.MAX_BATCH} leads.")


class LeadBulkUpsertOutput(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    moved = serializers.IntegerField(help_text="Leads moved as the items' `stage` reported.")
    # Named like Serializer.errors in the stubs; DRF's metaclass takes declared fields off
    # the class, so the two never clash.
    errors = inline_serializer(  # type: ignore[assignment]
        "LeadBulkUpsertError",
        {
            "index": serializers.IntegerField(),
            "errors": serializers.DictField(
                child=serializers.ListField(child=serializers.CharField())
            ),
        },
        many=True,
    )


@extend_schema_view(
    list=extend_schema(
        summary="Leads you may see, newest first (cursor pagination)",
        parameters=[
            OpenApiParameter(
                "updated_since",
                OpenApiTypes.DATETIME,
                description="Only leads changed at or after this moment (ISO 8601), for "
                "incremental sync.",
            ),
            OpenApiParameter("page_size", OpenApiTypes.INT, description="Up to 500 (default 50)."),
        ],
    ),
    retrieve=extend_schema(summary="One lead"),
)
class LeadViewSet(
    ConditionalMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Leads the caller may see. Writes go through services, never serializer.save()."""

    scope_area = "leads"
    serializer_class = LeadOutput
    filterset_class = LeadFilter
    pagination_class = CursorPagination
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return Lead.objects.none()
        # The API requires authentication (IsAuthenticated is the default permission).
        return selectors.lead_list_visible_to(cast(User, self.request.user))

    @extend_schema(
        summary="Create a lead (marketing)",
        request=LeadInput,
        responses={201: LeadOutput},
    )
    def create(self, request):
        payload = LeadInput(data=request.data)
        payload.is_valid(raise_exception=True)
        lead = services.lead_create(actor=request.user, **payload.validated_data)
        return Response(LeadOutput(lead).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a lead's record (marketing); stage and owner change by moves",
        request=LeadInput(partial=True),
        responses={200: LeadOutput},
    )
    def partial_update(self, request, pk=None):
        lead = self.get_object()
        payload = LeadInput(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        lead = services.lead_update(lead=lead, actor=request.user, **payload.validated_data)
        return Response(LeadOutput(lead).data)

    @extend_schema(
        summary="Move a lead along the lifecycle",
        description="400 when the move does not exist from the lead's stage or a field is "
        "missing (reason code for reject/recycle/lose, amount for qualify to SQL and win); "
        "403 when your side may not make it; 409 when someone changed the lead first.",
        request=LeadTransitionInput,
        responses={201: LeadTransitionOutput},
        examples=[
            OpenApiExample("Accept", value={"action": "accept"}, request_only=True),
            OpenApiExample(
                "Reject",
                value={"action": "reject", "reason_code": "not_icp", "comment": "Too small."},
                request_only=True,
            ),
            OpenApiExample("Win", value={"action": "win", "amount": "12000.00"}, request_only=True),
        ],
    )
    @action(detail=True, methods=["post"], url_path="transitions")
    def transitions(self, request, pk=None):
        lead = self.get_object()
        payload = LeadTransitionInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        change = services.lead_transition(
            lead=lead, actor=request.user, expected_stage=data.pop("from_stage", None), **data
        )
        return Response(
            {"stage_change": LeadStageChangeOutput(change).data, "lead": LeadOutput(lead).data},
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        summary="A lead's stage changes and reassignments, oldest first",
        responses={200: LeadStageChangeOutput(many=True)},
        filters=False,
    )
    @action(detail=True, methods=["get"], url_path="history", pagination_class=None)
    def history(self, request, pk=None):
        lead = self.get_object()
        return Response(LeadStageChangeOutput(selectors.lead_history(lead), many=True).data)

    @extend_schema(
        methods=["GET"],
        summary="A lead's touches (sellers' contact attempts), oldest first",
        responses={200: TouchOutput(many=True)},
        filters=False,
    )
    @extend_schema(
        methods=["POST"],
        summary="Log a touch (the owner or a sales manager)",
        request=TouchInput,
        responses={201: TouchOutput},
    )
    @action(detail=True, methods=["get", "post"], url_path="touches", pagination_class=None)
    def touches(self, request, pk=None):
        lead = self.get_object()
        if request.method == "GET":
            return Response(TouchOutput(selectors.lead_touches(lead), many=True).data)
        payload = TouchInput(data=request.data)
        payload.is_valid(raise_exception=True)
        touch = services.touch_log(lead=lead, actor=request.user, **payload.validated_data)
        return Response(TouchOutput(touch).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Create or update up to 1,000 leads (CRM sync)",
        description=(
            "Each lead is matched by (`source_system`, `external_id`) when it has an external "
            "id, otherwise by `email` (case-insensitive); a lead without an external id whose "
            "e-mail matches is adopted by the new external id. Fields left out keep their "
            "value. Re-sending the same batch changes nothing (`unchanged`). A bad item is "
            "reported by its index with field messages and does not block the others; an "
            "item sent twice in one batch: the last one wins. `owner`, `id` and the other "
            "read-only fields are ignored. An item may report what happened in the CRM "
            "with `stage` (`sql`, `customer`, `lost` and what that move records): it is "
            "applied as the lifecycle move, with the integration as actor and the same "
            "rules as any move; one that is not possible from the lead's stage is the "
            "item's error, and the item is left out. A token of an integration's service "
            "account (marketing role) may apply sales' moves from SAL on."
        ),
        request=LeadBulkUpsertInput,
        responses={200: LeadBulkUpsertOutput},
        parameters=[
            OpenApiParameter(
                "mapping",
                OpenApiTypes.STR,
                description="Items in a CRM's field names: `salesforce`, `hubspot`, or a "
                "custom mapping (/leads/mappings/). Names it does not know are left out.",
            )
        ],
        filters=False,
    )
    @action(detail=False, methods=["post"], url_path="bulk-upsert", pagination_class=None)
    def bulk_upsert(self, request):
        # Deliberately not a nested serializer: DRF would validate 1,000 items field by
        # field before the service validates them again. The service reports per item.
        items = request.data.get("leads") if isinstance(request.data, dict) else None
        if not isinstance(items, list):
            raise ApiValidationError({"leads": [_('Send a list of leads: {"leads": [...]}.')]})
        slug = request.query_params.get("mapping")
        if slug:
            profile = services.mapping_resolve(slug)
            items = [
                mappings.item_translate(item, profile) if isinstance(item, dict) else item
                for item in items
            ]
        result = services.lead_upsert_many(actor=request.user, items=items)
        return Response(result.as_dict())


MAPPING_PARAMETER = OpenApiParameter(
    "mapping",
    OpenApiTypes.STR,
    description="A CRM's field names instead of ours: `salesforce`, `hubspot`, or a custom "
    "mapping a manager defined (/leads/mappings/). Columns it does not name are left out.",
)
# The export's columns: the record, the account's name, the owner's login.
EXPORT_COLUMNS = [
    ("id", "id"),
    *((name, name) for name in services.EDITABLE_FIELDS),
    ("company", "account__name"),
    ("stage", "stage"),
    ("owner", "owner_id"),
    ("owner_username", "owner__username"),
    ("mql_at", "mql_at"),
    ("sal_at", "sal_at"),
    ("sql_at", "sql_at"),
    ("won_at", "won_at"),
    ("expected_amount", "expected_amount"),
    ("won_amount", "won_amount"),
    ("close_date", "close_date"),
    ("created_at", "created_at"),
    ("updated_at", "updated_at"),
]
_LOOKUPS = {"account": "account_id", "company": "account__name"}


class LeadExportView(generics.GenericAPIView):
    """Every lead you may see, as a CSV streamed row by row, with the list's filters."""

    scope_area = "leads"
    filterset_class = LeadFilter
    pagination_class = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return Lead.objects.none()
        return selectors.lead_list_visible_to(cast(User, self.request.user))

    @extend_schema(
        operation_id="leads_export_csv",
        summary="Export leads as CSV (the list's filters; a CRM's column names with mapping)",
        description="Streamed, by id. Cells a spreadsheet would run as formulas (starting "
        "with =, +, -, @) are quoted. 400 for a bad filter or an unknown mapping.",
        parameters=[MAPPING_PARAMETER],
        responses={(200, "text/csv"): OpenApiTypes.STR},
    )
    def get(self, request):
        slug = request.query_params.get("mapping")
        if slug:
            profile = services.mapping_resolve(slug)
            pairs = mappings.export_columns(profile)
            header = [column for column, _target in pairs]
            lookups = [_LOOKUPS.get(target, target) for _column, target in pairs]
        else:
            header = [column for column, _lookup in EXPORT_COLUMNS]
            lookups = [_LOOKUPS.get(lookup, lookup) for _column, lookup in EXPORT_COLUMNS]
        leads = self.filter_queryset(self.get_queryset()).order_by("id")
        rows = leads.values_list(*lookups).iterator(chunk_size=2000)
        return csv_streaming_response("leads.csv", header, rows)
