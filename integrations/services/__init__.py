"""Writes of the integrations area, by topic; every public service is importable from here.

- endpoints: webhook endpoints (subscribe, change, enable/disable, rotate the secret)
- deliveries: deliveries from events, sending with retries, "send again", purge
- queue: handing deliveries to the ``webhooks`` Celery queue
"""

from integrations.services.deliveries import (
    MAX_ATTEMPTS,
    RETRY_DELAYS,
    deliveries_create,
    deliveries_due,
    deliveries_purge,
    deliveries_send,
    delivery_retry,
    message_body,
    retry_delay,
)
from integrations.services.endpoints import (
    endpoint_create,
    endpoint_delete,
    endpoint_disable,
    endpoint_enable,
    endpoint_rotate_secret,
    endpoint_update,
    new_secret,
    secret_hint,
    signing_secrets,
)
from integrations.services.queue import SEND_CHUNK, SEND_TASK, deliveries_dispatch

__all__ = [
    "MAX_ATTEMPTS",
    "RETRY_DELAYS",
    "SEND_CHUNK",
    "SEND_TASK",
    "deliveries_create",
    "deliveries_dispatch",
    "deliveries_due",
    "deliveries_purge",
    "deliveries_send",
    "delivery_retry",
    "endpoint_create",
    "endpoint_delete",
    "endpoint_disable",
    "endpoint_enable",
    "endpoint_rotate_secret",
    "endpoint_update",
    "message_body",
    "new_secret",
    "retry_delay",
    "secret_hint",
    "signing_secrets",
]
