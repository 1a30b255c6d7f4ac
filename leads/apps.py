from django.apps import AppConfig


class LeadsConfig(AppConfig):
    name = "leads"
    verbose_name = "Leads"

    def ready(self) -> None:
        # Subscribe this area's handlers to the domain events (events.registry).
        from leads import handlers  # noqa: F401
