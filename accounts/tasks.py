"""Celery entry points of accounts: housekeeping only."""

from celery import shared_task

from accounts import idempotency


@shared_task(acks_late=True)
def purge_idempotency_keys() -> int:
    """Delete Idempotency-Keys past their 24 hours (beat, daily)."""
    return idempotency.idempotency_keys_purge()
