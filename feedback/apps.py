from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = "Feedback"

    def ready(self) -> None:
        # Subscribe this area's handlers to the domain events (events.registry).
        from feedback import handlers  # noqa: F401
        from smarketing.slots import slot_fill

        # "Give feedback" on the pages of what feedback can be about (they never import us).
        for slot in ("lead.actions", "lead.row_actions", "campaign.actions"):
            slot_fill(slot, template="feedback/_give_feedback_button.html")
