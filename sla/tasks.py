"""Celery entry points for the SLA app. Each task is a few lines around a service."""

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from sla import detection


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def detect_breaches() -> int:
    """Record every breach due now; their notices follow from the breach.created events.

    Safe to run twice or twice at once: breaches are database-unique, and an event is
    recorded only for the breach a run actually inserted.
    """
    return len(detection.breaches_detect(now=timezone.now()))
