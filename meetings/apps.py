from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = "Meetings"

    def ready(self) -> None:
        from smarketing.slots import slot_fill

        # The feedback pages link to the weekly briefs (feedback never imports us).
        slot_fill("feedback.subnav", template="meetings/_feedback_subnav_briefs.html")
