"""Celery entry points of the integrations area: a few lines around the services."""

from celery import shared_task

from integrations import services


@shared_task(name=services.SEND_TASK, acks_late=True)
def send_webhooks(delivery_ids: list[int]) -> dict[str, int]:
    """Attempt each of these deliveries once (the ones still due and not held)."""
    return services.deliveries_send(delivery_ids)


@shared_task(acks_late=True)
def sweep_webhooks() -> int:
    """Send the deliveries that are due: retries, and any a lost message left (beat, 15 s)."""
    due = services.deliveries_due()
    services.deliveries_dispatch(due)
    return len(due)


@shared_task(acks_late=True)
def purge_webhook_deliveries() -> int:
    """Delete finished deliveries older than EVENTS_RETENTION_DAYS (beat, daily)."""
    return services.deliveries_purge()
