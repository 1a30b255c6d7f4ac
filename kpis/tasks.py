"""Celery entry points for KPIs. Each task is a few lines around a service."""

from celery import shared_task
from django.db import OperationalError

from kpis import services


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def snapshot_kpis() -> int:
    """Store yesterday's (and every earlier day's) aggregates; safe to run twice."""
    return services.snapshots_take().rows
