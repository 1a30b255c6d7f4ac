"""Celery entry points for the SLA app. Each task is a few lines around a service."""

from functools import partial
from smtplib import SMTPException

from celery import shared_task
from django.db import OperationalError, transaction
from django.utils import timezone

from sla import services  # the module: services imports nothing from here


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def detect_breaches() -> int:
    """Record every breach due now, then queue one notification per breach not yet notified.

    Safe to run twice or twice at once: breaches are database-unique and each notification
    is claimed by a conditional UPDATE before it is sent.
    """
    breach_ids = services.breaches_detect(now=timezone.now())
    for breach_id in breach_ids:
        transaction.on_commit(partial(notify_breach.delay, breach_id))
    return len(breach_ids)


@shared_task(
    acks_late=True,
    autoretry_for=(SMTPException, OSError, OperationalError),
    retry_backoff=True,
    max_retries=5,
)
def notify_breach(breach_id: int) -> None:
    """Tell the responsible side about one breach (exactly once)."""
    services.breach_notify(breach_id=breach_id)
