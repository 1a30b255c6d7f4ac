from django.contrib import admin

from events.models import Event, HandlerRun


class ReadOnlyAdmin(admin.ModelAdmin):
    """The outbox is written by services only; the admin shows it to debug delivery."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "position",
        "type",
        "object_kind",
        "object_id",
        "actor",
        "occurred_at",
        "dispatched_at",
        "handled_at",
    )
    list_filter = ("type", "object_kind")
    search_fields = ("=object_id", "=id")
    date_hierarchy = "occurred_at"
    list_select_related = ("actor",)


@admin.register(HandlerRun)
class HandlerRunAdmin(ReadOnlyAdmin):
    list_display = ("event", "handler", "done_at", "attempts", "last_error")
    list_filter = ("handler",)
    list_select_related = ("event",)
