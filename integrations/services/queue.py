"""Handing deliveries to the ``webhooks`` Celery queue (the sweep is the safety net)."""

import logging

from celery import current_app

from events.relay import BROKER_ERRORS

logger = logging.getLogger(__name__)

# integrations.tasks registers the task under this name; it is looked up by name so
# that the services never import the tasks that call them.
SEND_TASK = "integrations.send_webhooks"
SEND_CHUNK = 50


def deliveries_dispatch(delivery_ids: list[int]) -> None:
    """Hand deliveries to the ``webhooks`` queue; with the broker down the sweep sends them."""
    task = current_app.tasks[SEND_TASK]
    for start in range(0, len(delivery_ids), SEND_CHUNK):
        try:
            task.apply_async(
                args=(delivery_ids[start : start + SEND_CHUNK],), queue="webhooks", retry=False
            )
        except BROKER_ERRORS:
            logger.warning("The broker is unavailable; the webhook sweep will send these.")
            return
