from django.contrib import admin

from meetings.models import WeeklyBrief


@admin.register(WeeklyBrief)
class WeeklyBriefAdmin(admin.ModelAdmin):
    list_display = ["week_start", "built_at", "built_by", "sent_at", "recipient_count"]
    readonly_fields = ["content", "rendered", "built_at", "built_by", "sent_at", "recipient_count"]
