from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = "Feedback"

    def ready(self) -> None:
        # Subscribe this area's handlers to the domain events (events.registry).
        from feedback import handlers  # noqa: F401
