"""Subscribers of the integrations area: every domain event may be a webhook delivery."""

from events.catalog import EVENT_TYPES
from events.models import Event
from events.registry import after_commit
from integrations import services


@after_commit(*EVENT_TYPES, queue="webhooks", batch=True)
def webhook_deliveries_create(events: list[Event]) -> None:
    """Turn a batch of committed events into deliveries (sent after this commits)."""
    services.deliveries_create(events)
