"""Celery entry points for leads. Each task is a few lines around a service."""

from celery import shared_task
from django.db import OperationalError

from leads import notifications


@shared_task(
    acks_late=True, autoretry_for=(OperationalError, OSError), retry_backoff=True, max_retries=5
)
def notify_handover(stage_change_id: int) -> None:
    """Tell a lead's new owner it is theirs (after a hand-over or a reassignment)."""
    notifications.notify_handover(stage_change_id=stage_change_id)
