from django.apps import AppConfig


class SlaConfig(AppConfig):
    name = "sla"
    verbose_name = "SLAs"

    def ready(self) -> None:
        # Subscribe this area's handlers to the domain events (events.registry).
        from sla import handlers  # noqa: F401
