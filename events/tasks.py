"""Celery entry points of the outbox. Each task is a few lines around events.dispatch/relay."""

from celery import shared_task
from django.db import OperationalError

from events import dispatch, relay


@shared_task(
    name=relay.RUN_HANDLERS_TASK,
    bind=True,
    acks_late=True,
    # A worker killed mid-run: the broker hands the message to another worker. The run
    # is idempotent (dispatch), so running it again is safe.
    reject_on_worker_lost=True,
    max_retries=8,
)
def run_handlers(self, subscriber_name: str, event_ids: list[int]) -> int:
    """Run one after-commit subscriber for a batch of events; retry the ones that failed."""
    try:
        return dispatch.handlers_run(subscriber_name=subscriber_name, event_ids=event_ids)
    except dispatch.HandlersFailed as failure:
        raise self.retry(
            args=(subscriber_name, failure.event_ids),
            exc=failure.cause,
            countdown=min(600, 5 * 2**self.request.retries),
        ) from failure
    except OperationalError as error:  # the database went away: the same batch later
        raise self.retry(exc=error, countdown=min(600, 5 * 2**self.request.retries)) from error


@shared_task(
    name=relay.RELAY_TASK,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError, *relay.BROKER_ERRORS),
    retry_backoff=True,
    max_retries=8,
)
def relay_events(event_ids: list[int]) -> int:
    """Number events that just committed and send their subscribers to their queues."""
    return relay.events_dispatch(event_ids=event_ids)


@shared_task(acks_late=True)
def sweep_events() -> dict:
    """Relay what the relay missed and re-send unfinished handlers (beat, every minute)."""
    return relay.events_sweep()


@shared_task(acks_late=True)
def purge_events() -> int:
    """Delete handled events older than EVENTS_RETENTION_DAYS (beat, daily)."""
    return relay.events_purge()
