from django.apps import AppConfig


class KpisConfig(AppConfig):
    name = "kpis"
    verbose_name = "Shared KPIs"

    def ready(self) -> None:
        # Subscribe this area's handlers to the domain events (events.registry).
        from kpis import handlers  # noqa: F401
