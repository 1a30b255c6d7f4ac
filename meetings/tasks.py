"""Celery entry points for the weekly meeting. Each task is a few lines around a service."""

from smtplib import SMTPException

from celery import shared_task
from django.db import OperationalError

from meetings import services

RETRYABLE = (OperationalError, SMTPException, OSError)


@shared_task(acks_late=True, autoretry_for=RETRYABLE, retry_backoff=True, max_retries=5)
def send_weekly_brief(week_start: str | None = None) -> int:
    """Build last week's brief (or the week of ``week_start``) and e-mail it to both teams.

    Safe to run twice: the brief is one row per week, and each person gets its e-mail
    once (see services.weekly_brief_send). A brief already sent is not rebuilt, so a
    retry never changes what people received.
    """
    brief = services.weekly_brief_for_task(week_start=week_start)
    return services.weekly_brief_send(brief_id=brief.pk)


@shared_task(
    name="feedback.tasks.send_weekly_brief",
    acks_late=True,
    autoretry_for=RETRYABLE,
    retry_backoff=True,
    max_retries=5,
)
def send_weekly_brief_under_old_name(week_start: str | None = None) -> int:
    """The task under its name from before the brief moved from feedback.

    A message queued (or a retry scheduled) under the old name just before a deploy
    still runs. Safe to remove one release later.
    """
    return send_weekly_brief(week_start)
