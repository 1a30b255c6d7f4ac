"""The KPI API: definitions with targets and actuals, the funnel, velocity, SLA compliance.

Read-only. Query parameters are validated by Input serializers (400 with field messages);
sales callers get their own team's numbers, whatever they ask for.
"""

from __future__ import annotations

import datetime as dt
from typing import TypedDict, cast

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from kpis import analytics, permissions, selectors
from kpis.forms import default_range, range_errors
from kpis.models import KpiDefinition
from kpis.periods import period_end, period_start
from kpis.selectors import Slice, local_midnight

FUNNEL_GROUP_BYS = ("month", "campaign", "source", "segment", "owner")
VELOCITY_GROUP_BYS = ("total", "month", "source", "segment", "region", "owner")


class _Window(TypedDict):
    since: dt.datetime
    until: dt.datetime
    slice: Slice


class RangeInput(serializers.Serializer):
    """``from`` (inclusive) and ``to`` (exclusive) local dates, plus the slice filters."""

    locals()["from"] = serializers.DateField(required=False)
    to = serializers.DateField(required=False)
    segment = serializers.CharField(required=False, allow_blank=True, default="")
    region = serializers.CharField(required=False, allow_blank=True, default="")
    # A field named like Field.source (the serializer's own attribute in the stubs):
    # DRF's metaclass takes declared fields off the class, so they never clash.
    source = serializers.CharField(required=False, allow_blank=True, default="")  # type: ignore[assignment]
    team = serializers.IntegerField(required=False, allow_null=True, default=None)
    campaign = serializers.IntegerField(required=False, allow_null=True, default=None)

    def validate(self, data):
        since, until = default_range()
        data["from"] = data.get("from") or since
        data["to"] = data.get("to") or until
        errors = range_errors(data["from"], data["to"])
        if errors:
            raise serializers.ValidationError({key: [str(value)] for key, value in errors.items()})
        return data


class FunnelQueryInput(RangeInput):
    group_by = serializers.ChoiceField(choices=FUNNEL_GROUP_BYS, required=False, default="month")
    view = serializers.ChoiceField(choices=("cohort", "period"), required=False, default="cohort")


class VelocityQueryInput(RangeInput):
    stage_from = serializers.ChoiceField(choices=selectors.STAGES, required=False, default="mql")
    stage_to = serializers.ChoiceField(choices=selectors.STAGES, required=False, default="customer")
    group_by = serializers.ChoiceField(choices=VELOCITY_GROUP_BYS, required=False, default="total")

    def validate(self, data):
        data = super().validate(data)
        order = list(selectors.STAGES)
        if order.index(data["stage_to"]) <= order.index(data["stage_from"]):
            raise serializers.ValidationError(
                {"stage_to": ["Must be a later stage than “stage_from”."]}
            )
        return data


class FunnelRowOutput(serializers.Serializer):
    group = serializers.CharField()
    mql = serializers.IntegerField()
    sal = serializers.IntegerField()
    sql = serializers.IntegerField()
    customer = serializers.IntegerField()
    mql_to_sal = serializers.FloatField(allow_null=True)
    sal_to_sql = serializers.FloatField(allow_null=True)
    sql_to_customer = serializers.FloatField(allow_null=True)


class FunnelOutput(serializers.Serializer):
    locals()["from"] = serializers.DateField()
    to = serializers.DateField()
    view = serializers.CharField()
    group_by = serializers.CharField()
    rows = FunnelRowOutput(many=True)
    total = FunnelRowOutput()


class DurationOutput(serializers.Serializer):
    group = serializers.CharField()
    count = serializers.IntegerField()
    median_hours = serializers.FloatField(allow_null=True)
    p90_hours = serializers.FloatField(allow_null=True)


class SpeedToLeadOutput(serializers.Serializer):
    decision = DurationOutput()
    first_touch = DurationOutput()


class VelocityOutput(serializers.Serializer):
    locals()["from"] = serializers.DateField()
    to = serializers.DateField()
    stage_from = serializers.CharField()
    stage_to = serializers.CharField()
    group_by = serializers.CharField()
    rows = DurationOutput(many=True)
    total = DurationOutput()
    speed_to_lead = SpeedToLeadOutput()


class SlaComplianceOutput(serializers.Serializer):
    locals()["from"] = serializers.DateField()
    to = serializers.DateField()
    marketing = serializers.FloatField(allow_null=True)
    sales = serializers.FloatField(allow_null=True)
    speed_to_lead_effect = FunnelRowOutput(many=True)


def _parse(serializer_class, request) -> dict:
    payload = serializer_class(data=request.query_params)
    payload.is_valid(raise_exception=True)
    return payload.validated_data


def _slice(data: dict, user) -> Slice:
    forced = permissions.forced_team_id(user)
    return Slice(
        segment=data["segment"],
        region=data["region"],
        source=data["source"],
        team_id=forced if forced is not None else data["team"],
        campaign_id=data["campaign"],
    )


def _bounds(data: dict) -> tuple[dt.datetime, dt.datetime]:
    return local_midnight(data["from"]), local_midnight(data["to"])


RANGE_PARAMETERS = [
    OpenApiParameter("from", str, description="First day, YYYY-MM-DD (inclusive)."),
    OpenApiParameter("to", str, description="Last day, YYYY-MM-DD (exclusive)."),
    OpenApiParameter("segment", str),
    OpenApiParameter("region", str),
    OpenApiParameter("source", str),
    OpenApiParameter("team", int, description="Owner's team id (sales users: always theirs)."),
    OpenApiParameter("campaign", int, description="Leads touched by this campaign."),
]


class FunnelView(APIView):
    """MQL → SAL → SQL → customer counts and conversions, by cohort or by period."""

    scope_area = "kpis"

    @extend_schema(
        parameters=[
            *RANGE_PARAMETERS,
            OpenApiParameter("group_by", str, enum=FUNNEL_GROUP_BYS),
            OpenApiParameter("view", str, enum=("cohort", "period")),
        ],
        responses=FunnelOutput,
    )
    def get(self, request):
        data = _parse(FunnelQueryInput, request)
        since, until = _bounds(data)
        rows = selectors.funnel(
            since=since,
            until=until,
            view=data["view"],
            group_by=data["group_by"],
            slice=_slice(data, request.user),
        ).rows
        frame = analytics.funnel_frame(rows)
        return Response(
            {
                "from": data["from"].isoformat(),
                "to": data["to"].isoformat(),
                "view": data["view"],
                "group_by": data["group_by"],
                "rows": analytics.records(frame),
                "total": {"group": "total", **analytics.funnel_total(frame)},
            }
        )


class VelocityView(APIView):
    """Median and 90th-percentile hours from one stage to a later one, and speed to lead."""

    scope_area = "kpis"

    @extend_schema(
        parameters=[
            *RANGE_PARAMETERS,
            OpenApiParameter("stage_from", str, enum=selectors.STAGES),
            OpenApiParameter("stage_to", str, enum=selectors.STAGES),
            OpenApiParameter("group_by", str, enum=VELOCITY_GROUP_BYS),
        ],
        responses=VelocityOutput,
    )
    def get(self, request):
        data = _parse(VelocityQueryInput, request)
        since, until = _bounds(data)
        slice_ = _slice(data, request.user)
        arguments: _Window = {"since": since, "until": until, "slice": slice_}
        rows = selectors.velocity(
            stage_from=data["stage_from"],
            stage_to=data["stage_to"],
            group_by=data["group_by"],
            **arguments,
        )
        total = selectors.velocity(
            stage_from=data["stage_from"], stage_to=data["stage_to"], **arguments
        )
        empty = {"group": "total", "count": 0, "median_hours": None, "p90_hours": None}
        speed = {}
        for to in ("decision", "first_touch"):
            found = selectors.speed_to_lead(to=to, **arguments)
            speed[to] = found[0] if found else empty
        return Response(
            {
                "from": data["from"].isoformat(),
                "to": data["to"].isoformat(),
                "stage_from": data["stage_from"],
                "stage_to": data["stage_to"],
                "group_by": data["group_by"],
                "rows": rows,
                "total": total[0] if total else empty,
                "speed_to_lead": speed,
            }
        )


class SlaComplianceView(APIView):
    """Share of SLA obligations met per side, and the speed-to-lead effect on conversion."""

    scope_area = "kpis"

    @extend_schema(parameters=RANGE_PARAMETERS, responses=SlaComplianceOutput)
    def get(self, request):
        data = _parse(RangeInput, request)
        since, until = _bounds(data)
        compliance = selectors.sla_compliance(since=since, until=until)
        effect = analytics.funnel_frame(
            selectors.speed_to_lead_effect(
                since=since, until=until, slice=_slice(data, request.user)
            )
        )
        return Response(
            {
                "from": data["from"].isoformat(),
                "to": data["to"].isoformat(),
                "marketing": compliance.get("marketing"),
                "sales": compliance.get("sales"),
                "speed_to_lead_effect": analytics.records(effect),
            }
        )


class KpiOwnerOutput(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField(source="__str__")
    team_kind = serializers.CharField()


class KpiOutput(serializers.ModelSerializer):
    owners = KpiOwnerOutput(many=True)
    current = serializers.SerializerMethodField()
    targets = serializers.SerializerMethodField()

    class Meta:
        model = KpiDefinition
        fields = [
            "id",
            "name",
            "description",
            "measure",
            "unit",
            "period",
            "filters",
            "is_shared",
            "owners",
            "current",
            "targets",
        ]

    def _actual(self, kpi: KpiDefinition, start: dt.date) -> float | None:
        slice_ = selectors.kpi_slice(kpi.filters, forced_team_id=self.context["forced_team_id"])
        value = selectors.kpi_actual(
            measure=kpi.measure,
            since=local_midnight(start),
            until=local_midnight(period_end(kpi.period, start)),
            slice=slice_,
        )
        return float(value) if value is not None else None

    def get_current(self, kpi: KpiDefinition) -> dict:
        """This period: its target, the exact actual (today included) and the attainment."""
        start = period_start(kpi.period, timezone.localdate())
        target = next((t for t in kpi.targets.all() if t.period_start == start), None)
        actual = self._actual(kpi, start)
        target_value = float(target.value) if target else None
        return {
            "period_start": start.isoformat(),
            "period_end": period_end(kpi.period, start).isoformat(),
            "target": target_value,
            "actual": actual,
            "attainment": (actual / target_value) if target_value and actual is not None else None,
        }

    def get_targets(self, kpi: KpiDefinition) -> list[dict]:
        """The last twelve targets with their actuals."""
        targets = sorted(kpi.targets.all(), key=lambda t: t.period_start)[-12:]
        return [
            {
                "period_start": target.period_start.isoformat(),
                "target": float(target.value),
                "actual": self._actual(kpi, target.period_start),
            }
            for target in targets
        ]


class KpiListView(generics.ListAPIView):
    """KPI definitions with their owners, targets and actual values."""

    scope_area = "kpis"
    serializer_class = KpiOutput

    def get_queryset(self):
        return KpiDefinition.objects.prefetch_related("owners__team", "targets").order_by(
            "position", "name"
        )

    def get_serializer_context(self):
        return {
            **super().get_serializer_context(),
            # The API requires authentication (IsAuthenticated is the default permission).
            "forced_team_id": permissions.forced_team_id(cast(User, self.request.user)),
        }
