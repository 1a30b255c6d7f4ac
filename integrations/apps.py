from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = "Integrations: changes feed and webhooks"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Subscribers (webhook deliveries for every domain event) and Celery tasks.
        from integrations import handlers, tasks  # noqa: F401
