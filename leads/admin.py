"""Admin screens for the leads area.

History (LeadStageChange) is read-only everywhere: no add, change or delete, even for
superusers, because it is the record of what happened. A lead's stage, owner and
first-reached times are read-only here too: they change only through the lifecycle moves
and reassignment, which write that history. Changing the owner in the admin goes through
``lead_reassign`` so it is recorded like any other reassignment.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError

from leads import lifecycle, services
from leads.models import (
    Account,
    AssignmentRule,
    Lead,
    LeadImport,
    LeadStageChange,
    ReasonCode,
    RoundRobinCursor,
    Touch,
)
from smarketing.errors import DomainError


class ReadOnlyAdminMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class LeadStageChangeInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = LeadStageChange
    fk_name = "lead"
    extra = 0
    can_delete = False
    fields = (
        "created_at",
        "action",
        "from_stage",
        "to_stage",
        "actor",
        "reason_code",
        "comment",
        "from_owner",
        "to_owner",
        "is_override",
        "amount",
    )
    readonly_fields = fields
    ordering = ["created_at", "id"]

    def has_view_permission(self, request, obj=None):
        return True


class TouchInline(admin.TabularInline):
    model = Touch
    extra = 0
    fields = ("occurred_at", "kind", "actor", "note")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False  # touches are logged by sellers (touch_log keeps first_touch_at right)


class LeadAdminForm(forms.ModelForm):
    class Meta:
        model = Lead
        fields = [*services.EDITABLE_FIELDS, "owner"]

    def clean(self):
        cleaned = super().clean()
        if (
            self.instance.pk
            and "owner" in self.changed_data
            and self.instance.stage not in lifecycle.SALES_STAGES
        ):
            self.add_error(
                "owner",
                "Only a lead that sales is working (MQL, SAL, SQL) changes owner, by reassignment.",
            )
        return cleaned


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin):
    form = LeadAdminForm
    list_display = [
        "email",
        "full_name",
        "account",
        "stage",
        "owner",
        "source",
        "score",
        "created_at",
    ]
    # Each free-text filter costs a SELECT DISTINCT over the whole table: keep them few.
    list_filter = ["stage", "source", "segment"]
    search_fields = ["email", "first_name", "last_name", "account__name", "external_id"]
    list_select_related = ["account", "owner"]
    raw_id_fields = ["owner", "account"]
    readonly_fields = [
        "stage",
        "stage_changed_at",
        "handed_over_at",
        "decided_at",
        "mql_at",
        "sal_at",
        "sql_at",
        "won_at",
        "first_touch_at",
        "expected_amount",
        "won_amount",
        "close_date",
        "created_at",
        "updated_at",
    ]
    date_hierarchy = "created_at"
    show_full_result_count = False  # no COUNT(*) over a million leads on each page
    inlines = [LeadStageChangeInline, TouchInline]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is None or obj.stage not in lifecycle.SALES_STAGES:
            fields.append("owner")  # only a handed-over lead has an owner to change
        return fields

    def save_model(self, request, obj, form, change):
        new_owner = form.cleaned_data.get("owner") if "owner" in form.changed_data else None
        if new_owner is not None:
            obj.owner_id = form.initial.get("owner")  # the reassignment moves it, not this save
        super().save_model(request, obj, form, change)
        if new_owner is not None:
            lead = Lead.objects.get(pk=obj.pk)
            try:
                services.lead_reassign(lead=lead, actor=request.user, new_owner=new_owner)
            except (ValidationError, DomainError, PermissionDenied) as error:
                text = (
                    error.message
                    if isinstance(error, DomainError)
                    else "; ".join(getattr(error, "messages", [str(error)]))
                )
                messages.error(request, f"Owner not changed: {text}")


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ["name", "domain", "industry", "size", "region", "target_tier"]
    list_filter = ["target_tier", "region", "industry"]
    search_fields = ["name", "domain"]


@admin.register(ReasonCode)
class ReasonCodeAdmin(admin.ModelAdmin):
    list_display = ["code", "label", "is_active", "position"]
    list_editable = ["label", "is_active", "position"]
    list_filter = ["is_active"]
    search_fields = ["code", "label"]

    def get_readonly_fields(self, request, obj=None):
        # History rows keep the code as text: renaming it would orphan them.
        return ["code"] if obj else []

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead; past moves still name the code


@admin.register(AssignmentRule)
class AssignmentRuleAdmin(admin.ModelAdmin):
    list_display = ["segment", "region", "team", "priority"]
    list_filter = ["team"]
    search_fields = ["segment", "region"]


@admin.register(Touch)
class TouchAdmin(admin.ModelAdmin):
    list_display = ["lead", "kind", "actor", "occurred_at"]
    list_filter = ["kind"]
    search_fields = ["lead__email", "note"]
    raw_id_fields = ["lead", "actor"]
    list_select_related = ["lead", "actor"]
    date_hierarchy = "occurred_at"


@admin.register(LeadStageChange)
class LeadStageChangeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "lead",
        "action",
        "from_stage",
        "to_stage",
        "actor",
        "reason_code",
        "created_at",
    ]
    list_filter = ["action", "to_stage", "reason_code"]
    search_fields = ["lead__email", "comment"]
    list_select_related = ["lead", "actor"]
    date_hierarchy = "created_at"
    show_full_result_count = False


@admin.register(LeadImport)
class LeadImportAdmin(admin.ModelAdmin):
    """CSV imports: who uploaded what, and how it went. Read-only; imports start on the page."""

    list_display = [
        "filename",
        "created_by",
        "status",
        "total_rows",
        "created_count",
        "updated_count",
        "unchanged_count",
        "error_count",
        "created_at",
    ]
    list_filter = ["status"]
    search_fields = ["filename", "created_by__username"]
    list_select_related = ["created_by"]
    exclude = ["content"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(RoundRobinCursor)
class RoundRobinCursorAdmin(admin.ModelAdmin):
    """Whose turn it is in each sales team; the hand-over moves it, people only read it."""

    list_display = ["team", "last_assigned"]
    list_select_related = ["team", "last_assigned"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
