"""Admin screens for every SLA model. Signed terms are read-only here too."""

from django.contrib import admin

from sla.models import (
    SLA,
    TERM_FIELDS,
    Breach,
    Signature,
    SLAClock,
    SLAVersion,
    SLAVersionChange,
    VersionStatus,
)


class SignatureInline(admin.TabularInline):
    model = Signature
    extra = 0
    can_delete = False
    readonly_fields = ("signer", "role", "fingerprint", "signed_at")

    def has_add_permission(self, request, obj=None):
        return False  # signatures are made by the signing service only


class VersionChangeInline(admin.TabularInline):
    model = SLAVersionChange
    extra = 0
    can_delete = False
    readonly_fields = ("from_status", "to_status", "actor", "comment", "created_at")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(SLA)
class SLAAdmin(admin.ModelAdmin):
    list_display = ("name", "marketing_team", "sales_team", "segment", "region", "created_at")
    search_fields = ("name",)


@admin.register(SLAVersion)
class SLAVersionAdmin(admin.ModelAdmin):
    list_display = ("__str__", "status", "valid_from", "valid_until", "activated_at", "ended_at")
    list_filter = ("status", "period")
    inlines = [SignatureInline, VersionChangeInline]
    readonly_fields = ("status", "fingerprint", "activated_at", "ended_at", "created_at")

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and (obj.status != VersionStatus.DRAFT or obj.signatures.exists()):
            # Changing a signed term would break the signatures: amend in the app instead.
            fields += list(TERM_FIELDS) + ["sla", "number"]
        return fields


@admin.register(Signature)
class SignatureAdmin(admin.ModelAdmin):
    list_display = ("version", "signer", "role", "signed_at", "fingerprint")
    readonly_fields = ("version", "signer", "role", "fingerprint", "signed_at")

    def has_add_permission(self, request):
        return False


@admin.register(SLAVersionChange)
class SLAVersionChangeAdmin(admin.ModelAdmin):
    list_display = ("version", "from_status", "to_status", "actor", "created_at")
    readonly_fields = ("version", "from_status", "to_status", "actor", "comment", "created_at")


@admin.register(SLAClock)
class SLAClockAdmin(admin.ModelAdmin):
    list_display = (
        "lead",
        "version",
        "handed_over_at",
        "decision_due_at",
        "decision",
        "decision_state",
        "first_touch_state",
        "persistence_state",
    )
    list_filter = ("decision_state", "first_touch_state", "persistence_state")
    raw_id_fields = ("lead",)


@admin.register(Breach)
class BreachAdmin(admin.ModelAdmin):
    list_display = ("kind", "side", "lead", "owner", "period_start", "due_at", "acknowledged_at")
    list_filter = ("side", "kind")
    raw_id_fields = ("lead", "clock", "owner")
    readonly_fields = ("detected_at", "notified_at")
