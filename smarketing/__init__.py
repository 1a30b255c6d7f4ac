"""Smarketing: one system of record for sales and marketing."""

# Load the Celery app whenever Django starts, so @shared_task binds to it.
from smarketing.celery import app as celery_app

__all__ = ("celery_app",)
