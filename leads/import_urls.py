"""Pages of the CSV import, mounted at /leads/import/ (kept apart from leads/urls.py)."""

from django.urls import path  # noqa: F401

app_name = "leads_import"
urlpatterns: list = []
