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


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def import_leads_csv(import_id: int) -> None:
    """Import an uploaded CSV of leads in chunks, moving its progress bar as it goes.

    Safe to deliver twice: the import is claimed by a conditional UPDATE, and rows sent
    again by a retry are "unchanged" for the bulk upsert.
    """
    from leads import sync  # sync imports the models; keep this module light for Celery

    sync.lead_import_run(import_id=import_id)
