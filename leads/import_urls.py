"""Pages of the CSV import, mounted at /leads/import/ (kept apart from leads/urls.py)."""

from django.urls import path

from leads import import_views

app_name = "leads_import"
urlpatterns = [
    path("", import_views.upload, name="upload"),
    path("template.csv", import_views.template_csv, name="template"),
    path("<int:pk>/", import_views.detail, name="detail"),
    path("<int:pk>/progress/", import_views.progress, name="progress"),
]
