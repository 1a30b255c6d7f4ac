from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = "Domain events"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Register the outbox's tasks in every process (web included): the relay sends
        # events.run_handlers by name.
        from events import tasks  # noqa: F401
