"""Pages of the kpis area: the executive dashboard and the two team views."""

from django.urls import path

from kpis import views

app_name = "kpis"
urlpatterns = [
    path("", views.executive, name="executive"),
    path("marketing/", views.marketing, name="marketing"),
    path("sales/", views.sales, name="sales"),
    path("<slug:dashboard>/<slug:panel>.csv", views.export_csv, name="export"),
]
