from django.contrib import admin

from feedback.models import FeedbackComment, FeedbackItem, FeedbackStatusChange, Tag


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


class FeedbackStatusChangeInline(admin.TabularInline):
    """The history is append-only: shown, never edited."""

    model = FeedbackStatusChange
    extra = 0
    can_delete = False
    fields = ("created_at", "action", "from_status", "to_status", "actor", "answer")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class FeedbackCommentInline(admin.TabularInline):
    model = FeedbackComment
    extra = 0
    fields = ["created_at", "author", "text"]
    readonly_fields = ["created_at", "author"]
    raw_id_fields = ["author"]


@admin.register(FeedbackItem)
class FeedbackItemAdmin(admin.ModelAdmin):
    """Status and answer change through the board (feedback_transition), so they are read-only."""

    list_display = ["id", "kind", "status", "author", "lead", "campaign", "rating", "created_at"]
    list_filter = ["status", "kind", "created_at"]
    search_fields = ["text", "answer", "competitor", "author__username"]
    date_hierarchy = "created_at"
    raw_id_fields = ["author", "lead", "campaign", "account", "stage_change"]
    filter_horizontal = ["tags"]
    readonly_fields = [
        "status",
        "answer",
        "answered_by",
        "answered_at",
        "status_changed_at",
        "stage_change",
        "created_at",
        "updated_at",
    ]
    inlines = [FeedbackStatusChangeInline, FeedbackCommentInline]
    list_select_related = ["author", "lead", "campaign"]


@admin.register(FeedbackStatusChange)
class FeedbackStatusChangeAdmin(admin.ModelAdmin):
    list_display = ["item", "action", "from_status", "to_status", "actor", "created_at"]
    list_filter = ["action", "to_status"]
    raw_id_fields = ["item", "actor"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(FeedbackComment)
class FeedbackCommentAdmin(admin.ModelAdmin):
    list_display = ["item", "author", "created_at"]
    search_fields = ["text"]
    raw_id_fields = ["item", "author"]
