"""Admin screens for KPI definitions, targets and the snapshot history."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from kpis import services
from kpis.models import MEASURE_UNIT, KpiDefinition, KpiSnapshot, KpiTarget, SnapshotRun


class KpiDefinitionForm(forms.ModelForm):
    class Meta:
        model = KpiDefinition
        fields = [
            "name",
            "description",
            "measure",
            "filters",
            "unit",
            "period",
            "is_shared",
            "owners",
            "position",
        ]

    def clean(self):
        # ModelForm.clean() returns self.cleaned_data (its type says it may return None).
        super().clean()
        cleaned = self.cleaned_data
        # The owners rule lives in the service; the admin asks it before saving.
        try:
            services.owners_check(
                is_shared=cleaned.get("is_shared", False), owners=cleaned.get("owners") or []
            )
        except ValidationError as error:
            self.add_error("owners", error.message_dict["owners"])
        measure = cleaned.get("measure")
        if measure and cleaned.get("unit") and MEASURE_UNIT.get(measure) != cleaned["unit"]:
            self.add_error("unit", f"This measure is counted in {MEASURE_UNIT[measure]}.")
        try:
            services.filters_check(cleaned.get("filters") or {})
        except ValidationError as error:
            self.add_error("filters", error.message_dict["filters"])
        return cleaned


class KpiTargetInline(admin.TabularInline):
    model = KpiTarget
    extra = 1
    fields = ["period_start", "value", "set_by", "updated_at"]
    readonly_fields = ["set_by", "updated_at"]


@admin.register(KpiDefinition)
class KpiDefinitionAdmin(admin.ModelAdmin):
    form = KpiDefinitionForm
    list_display = ["name", "measure", "unit", "period", "is_shared", "position"]
    list_filter = ["measure", "period", "is_shared"]
    search_fields = ["name", "description"]
    filter_horizontal = ["owners"]
    inlines = [KpiTargetInline]


@admin.register(KpiTarget)
class KpiTargetAdmin(admin.ModelAdmin):
    list_display = ["kpi", "period_start", "value", "set_by", "updated_at"]
    list_filter = ["kpi"]
    date_hierarchy = "period_start"


@admin.register(SnapshotRun)
class SnapshotRunAdmin(admin.ModelAdmin):
    list_display = ["as_of", "time_zone", "rows", "started_at", "finished_at"]
    readonly_fields = ["as_of", "time_zone", "rows", "started_at", "finished_at"]

    def has_add_permission(self, request):
        return False


@admin.register(KpiSnapshot)
class KpiSnapshotAdmin(admin.ModelAdmin):
    """Read-only: snapshots are written by the daily job only."""

    list_display = ["day", "measure", "group", "value", "run"]
    list_filter = ["measure"]
    search_fields = ["group"]
    date_hierarchy = "day"
    readonly_fields = ["day", "measure", "group", "value", "run"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
