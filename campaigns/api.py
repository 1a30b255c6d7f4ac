"""The campaigns API: campaigns (CRUD for marketing, read for others), touches, results.

Thin: reads start from ``selectors.campaign_list_visible_to`` (a campaign the caller may
not see is a 404, never a 403); writes are service calls; serializers only translate.
Scopes: ``campaigns:read`` for GET, ``campaigns:write`` otherwise.
"""

from typing import cast

from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from campaigns import analytics, lifecycle, permissions, selectors, services
from campaigns.models import Campaign, CampaignTouch, CampaignTouchKind
from leads.models import Account, Lead
from smarketing.api import ConditionalMixin, CursorPagination

CAMPAIGN_FIELDS = [
    "id",
    "name",
    "type",
    "channel",
    "status",
    "start_date",
    "end_date",
    "marketing_owner",
    "sales_coowner",
    "budget",
    "spend",
    "objective_mqls",
    "objective_sqls",
    "objective_pipeline",
    "objective_revenue",
    "target_accounts",
    "offer",
    "sales_follow_up",
    "description",
    "created_at",
    "updated_at",
]


@extend_schema_field(
    {
        "type": "string",
        "pattern": f"^({'|'.join(CampaignTouchKind.values)})$",
        "description": "What the lead did: " + ", ".join(CampaignTouchKind.values) + ".",
    }
)
class CampaignTouchKindField(serializers.ChoiceField):
    """The touch kind, documented as a pattern rather than an enum: several areas have a
    ``kind`` field with other values, and their enum components would collide by name."""

    def __init__(self, **kwargs):
        super().__init__(choices=CampaignTouchKind.choices, **kwargs)


class CampaignOutput(serializers.ModelSerializer):
    spend = serializers.DecimalField(
        max_digits=14, decimal_places=2, read_only=True, help_text="Sum of the spend entries."
    )

    class Meta:
        model = Campaign
        fields = CAMPAIGN_FIELDS
        read_only_fields = CAMPAIGN_FIELDS


class CampaignInput(serializers.Serializer):
    """The plan, as marketing writes it. The status changes through ``POST …/move/``."""

    name = serializers.CharField(max_length=200)
    type = serializers.ChoiceField(choices=Campaign.Type.choices)
    channel = serializers.CharField(max_length=100, required=False, allow_blank=True)
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    marketing_owner = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), required=False
    )
    sales_coowner = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), required=False, allow_null=True
    )
    budget = serializers.DecimalField(max_digits=14, decimal_places=2, required=False)
    objective_mqls = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    objective_sqls = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    objective_pipeline = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True
    )
    objective_revenue = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True
    )
    target_accounts = serializers.PrimaryKeyRelatedField(
        queryset=Account.objects.all(), many=True, required=False
    )
    offer = serializers.CharField(required=False, allow_blank=True)
    sales_follow_up = serializers.CharField(required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)

    def validate(self, attrs):
        if "status" in self.initial_data:
            raise serializers.ValidationError(
                {"status": [_("Changes only through a move: POST /api/v1/campaigns/{id}/move/.")]}
            )
        return attrs


class MoveInput(serializers.Serializer):
    action = serializers.ChoiceField(choices=list(lifecycle.ACTION_LABELS))
    comment = serializers.CharField(required=False, allow_blank=True)


class CampaignTouchOutput(serializers.ModelSerializer):
    email = serializers.EmailField(source="lead.email", read_only=True)
    kind = CampaignTouchKindField(read_only=True)

    class Meta:
        model = CampaignTouch
        fields = ["id", "campaign", "lead", "email", "kind", "occurred_at", "created_at"]
        read_only_fields = fields


class CampaignTouchInput(serializers.Serializer):
    """One touch: the lead by ``lead`` (id) or ``email``, its kind and when it happened."""

    lead = serializers.IntegerField(required=False, allow_null=True)
    email = serializers.EmailField(required=False, allow_null=True)
    kind = CampaignTouchKindField()
    occurred_at = serializers.DateTimeField()

    def validate(self, attrs):
        if not attrs.get("lead") and not attrs.get("email"):
            raise serializers.ValidationError({"lead": [_("Give the lead's id or e-mail.")]})
        return attrs


RESULT_EXAMPLE = inline_serializer(
    "CampaignResult",
    {
        "campaign": serializers.IntegerField(),
        "model": serializers.CharField(),
        "leads_influenced": serializers.IntegerField(),
        "leads_sourced": serializers.IntegerField(),
        "mqls": serializers.IntegerField(),
        "sals": serializers.IntegerField(),
        "sqls": serializers.IntegerField(),
        "customers": serializers.IntegerField(),
        "acceptance_rate": serializers.FloatField(allow_null=True),
        "spend": serializers.FloatField(),
        "pipeline": serializers.FloatField(),
        "revenue": serializers.FloatField(),
        "cost_per_mql": serializers.FloatField(allow_null=True),
        "cost_per_sql": serializers.FloatField(allow_null=True),
        "cost_per_customer": serializers.FloatField(allow_null=True),
        "roi": serializers.FloatField(allow_null=True),
    },
)


class CampaignViewSet(ConditionalMixin, viewsets.ModelViewSet):
    """Campaigns: marketing creates, edits and deletes; everyone else reads what they see."""

    scope_area = "campaigns"
    serializer_class = CampaignOutput

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation, no user
            return Campaign.objects.none()
        return (
            # The API requires authentication (IsAuthenticated is the default permission).
            selectors.campaign_list_visible_to(cast(User, self.request.user))
            .annotate(spend=Sum("spend_entries__amount"))
            .prefetch_related("target_accounts")
            .order_by("-start_date", "id")
        )

    def _input(self, partial: bool) -> dict:
        # "Not you" before "bad input": a seller gets 403 whatever the body says.
        if not permissions.can_edit_campaign(cast(User, self.request.user)):
            raise PermissionDenied(_("Only marketing can plan and edit campaigns."))
        serializer = CampaignInput(data=self.request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def _output(self, campaign: Campaign, status_code=status.HTTP_200_OK) -> Response:
        return Response(CampaignOutput(self.get_queryset().get(pk=campaign.pk)).data, status_code)

    @extend_schema(request=CampaignInput, responses={201: CampaignOutput})
    def create(self, request, *args, **kwargs):
        data = self._input(partial=False)
        campaign = services.campaign_create(
            actor=request.user, target_accounts=data.pop("target_accounts", ()), **data
        )
        return self._output(campaign, status.HTTP_201_CREATED)

    @extend_schema(request=CampaignInput, responses=CampaignOutput)
    def update(self, request, *args, **kwargs):
        campaign = self.get_object()
        data = self._input(partial=kwargs.get("partial", False))
        services.campaign_update(
            campaign=campaign,
            actor=request.user,
            target_accounts=data.pop("target_accounts", None),
            **data,
        )
        return self._output(campaign)

    def destroy(self, request, *args, **kwargs):
        campaign = self.get_object()
        services.campaign_delete(campaign=campaign, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=MoveInput, responses=CampaignOutput)
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        """Start, complete or cancel the campaign (planned → active → completed, or cancelled)."""
        campaign = self.get_object()
        data = MoveInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.campaign_move(campaign=campaign, actor=request.user, **data.validated_data)
        return self._output(campaign)

    @extend_schema(
        parameters=[
            OpenApiParameter("model", enum=list(selectors.MODELS), default=selectors.DEFAULT_MODEL),
            OpenApiParameter("since", str, description="ISO date-time; optional period start"),
            OpenApiParameter("until", str, description="ISO date-time; optional period end"),
        ],
        responses=RESULT_EXAMPLE,
    )
    @action(detail=True, methods=["get"])
    def results(self, request, pk=None):
        """Leads sourced and influenced, funnel, attribution under ``model``, costs and ROI."""
        campaign = self.get_object()
        query = ResultsQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        return Response(analytics.campaign_result(campaign, **query.validated_data))


class ResultsQuery(serializers.Serializer):
    model = serializers.ChoiceField(choices=list(selectors.MODELS), default=selectors.DEFAULT_MODEL)
    since = serializers.DateTimeField(required=False)
    until = serializers.DateTimeField(required=False)


def _visible_campaign(request, campaign_pk: int) -> Campaign:
    return get_object_or_404(selectors.campaign_list_visible_to(request.user), pk=campaign_pk)


class CampaignTouchListView(APIView):
    """A campaign's touches (newest first, cursor pages) and recording one."""

    scope_area = "campaigns"

    @extend_schema(responses=CampaignTouchOutput(many=True))
    def get(self, request, campaign_pk: int):
        campaign = _visible_campaign(request, campaign_pk)
        paginator = CursorPagination()
        touches = selectors.campaign_touches(campaign, request.user).order_by("-id")
        page = paginator.paginate_queryset(touches, request, view=self)
        return paginator.get_paginated_response(CampaignTouchOutput(page, many=True).data)

    @extend_schema(
        request=CampaignTouchInput, responses={201: CampaignTouchOutput, 200: CampaignTouchOutput}
    )
    def post(self, request, campaign_pk: int):
        """Record a touch; re-sending the same one answers 200 with the existing touch."""
        campaign = _visible_campaign(request, campaign_pk)
        serializer = CampaignTouchInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if data.get("lead"):
            lead = Lead.objects.filter(pk=data["lead"]).first()
            missing = {"lead": [_("No lead with id %(id)s.") % {"id": data["lead"]}]}
        else:
            lead = Lead.objects.filter(email__iexact=data["email"]).first()
            missing = {"email": [_("No lead with this e-mail.")]}
        if lead is None:
            raise serializers.ValidationError(missing)
        touch, created = services.campaign_touch_record(
            campaign=campaign,
            lead=lead,
            actor=request.user,
            kind=data["kind"],
            occurred_at=data["occurred_at"],
        )
        return Response(
            CampaignTouchOutput(touch).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class CampaignTouchBulkView(APIView):
    """Record a list of touches at once: all or nothing, errors by item index, idempotent."""

    scope_area = "campaigns"
    MAX_ITEMS = 10_000

    @extend_schema(
        request=CampaignTouchInput(many=True),
        responses=inline_serializer(
            "TouchBulkOutcome",
            {
                "received": serializers.IntegerField(),
                "created": serializers.IntegerField(),
                "already_recorded": serializers.IntegerField(),
            },
        ),
    )
    def post(self, request, campaign_pk: int):
        campaign = _visible_campaign(request, campaign_pk)
        if not isinstance(request.data, list):
            raise serializers.ValidationError(
                {"non_field_errors": [_("Send a JSON list of touches.")]}
            )
        if len(request.data) > self.MAX_ITEMS:
            raise serializers.ValidationError(
                {
                    "non_field_errors": [
                        _("At most %(n)s touches per request.") % {"n": self.MAX_ITEMS}
                    ]
                }
            )
        if not permissions.can_edit_campaign(request.user, campaign):
            raise PermissionDenied(_("Only marketing can record campaign touches."))
        errors: dict[str, dict] = {}
        items = []
        for index, raw in enumerate(request.data):
            serializer = CampaignTouchInput(data=raw if isinstance(raw, dict) else {})
            if not isinstance(raw, dict):
                errors[str(index)] = {"non_field_errors": [_("Each item must be an object.")]}
            elif not serializer.is_valid():
                errors[str(index)] = serializer.errors
            else:
                items.append((index, serializer.validated_data))
        if errors:
            return Response({"items": errors}, status=status.HTTP_400_BAD_REQUEST)
        try:
            outcome = services.campaign_touches_record_many(
                campaign=campaign, actor=request.user, items=[dict(item) for _i, item in items]
            )
        except services.TouchItemsInvalid as error:
            return Response(
                {
                    "items": {
                        str(items[position][0]): item_errors
                        for position, item_errors in error.item_errors.items()
                    }
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response(outcome, status=status.HTTP_200_OK)
