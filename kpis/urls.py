"""Pages of the kpis area."""

from django.urls import path  # noqa: F401

app_name = "kpis"
urlpatterns: list = []
