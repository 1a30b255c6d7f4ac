"""Pages of the CSV import, mounted at /leads/import/ (kept apart from leads/urls.py)."""

from django.urls import path

from leads.views import importing

app_name = "leads_import"
urlpatterns = [
    path("", importing.upload, name="upload"),
    path("template.csv", importing.template_csv, name="template"),
    path("samples/<slug:slug>.csv", importing.sample_csv, name="sample"),
    path("<int:pk>/", importing.detail, name="detail"),
    path("<int:pk>/progress/", importing.progress, name="progress"),
]
