"""Admin screens for every campaigns model. Touches and status history are read-only here."""

from django.contrib import admin

from campaigns.models import (
    Campaign,
    CampaignStatusChange,
    CampaignTouch,
    ChecklistItem,
    ReviewNote,
    SpendEntry,
)


class SpendEntryInline(admin.TabularInline):
    model = SpendEntry
    extra = 0
    fields = ("spent_on", "amount", "note", "created_by")
    raw_id_fields = ("created_by",)


class ChecklistItemInline(admin.TabularInline):
    model = ChecklistItem
    extra = 0
    raw_id_fields = ("owner",)


class ReviewNoteInline(admin.TabularInline):
    model = ReviewNote
    extra = 0
    raw_id_fields = ("author",)


class StatusChangeInline(admin.TabularInline):
    model = CampaignStatusChange
    extra = 0
    can_delete = False
    readonly_fields = ("from_status", "to_status", "actor", "comment", "created_at")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ("name", "type", "status", "start_date", "end_date", "marketing_owner", "budget")
    list_filter = ("status", "type")
    search_fields = ("name", "channel")
    date_hierarchy = "start_date"
    raw_id_fields = ("marketing_owner", "sales_coowner")
    filter_horizontal = ("target_accounts",)
    # The status moves through the campaign page so that every move is recorded.
    readonly_fields = ("status", "created_at", "updated_at")
    inlines = [SpendEntryInline, ChecklistItemInline, ReviewNoteInline, StatusChangeInline]


@admin.register(CampaignStatusChange)
class CampaignStatusChangeAdmin(admin.ModelAdmin):
    list_display = ("campaign", "from_status", "to_status", "actor", "created_at")
    list_filter = ("to_status",)
    readonly_fields = ("campaign", "from_status", "to_status", "actor", "comment", "created_at")

    def has_add_permission(self, request):
        return False


@admin.register(SpendEntry)
class SpendEntryAdmin(admin.ModelAdmin):
    list_display = ("campaign", "spent_on", "amount", "note")
    date_hierarchy = "spent_on"
    raw_id_fields = ("campaign", "created_by")


@admin.register(ChecklistItem)
class ChecklistItemAdmin(admin.ModelAdmin):
    list_display = ("title", "campaign", "owner", "due_date", "is_done")
    list_filter = ("is_done",)
    raw_id_fields = ("campaign", "owner")


@admin.register(ReviewNote)
class ReviewNoteAdmin(admin.ModelAdmin):
    list_display = ("campaign", "held_on", "author")
    raw_id_fields = ("campaign", "author")


@admin.register(CampaignTouch)
class CampaignTouchAdmin(admin.ModelAdmin):
    list_display = ("campaign", "lead", "kind", "occurred_at")
    list_filter = ("kind",)
    raw_id_fields = ("campaign", "lead")
    # Millions of rows: no full count on every page load.
    show_full_result_count = False
