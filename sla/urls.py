"""Pages of the sla area."""

from django.urls import path

from sla import views

app_name = "sla"
urlpatterns = [
    path("", views.agreement, name="agreement"),
    path("new/", views.create, name="create"),
    path("<int:sla_pk>/diff/", views.diff, name="diff"),
    path("versions/<int:pk>/sign/", views.sign, name="sign"),
    path("versions/<int:pk>/amend/", views.amend, name="amend"),
    path("versions/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("compliance/", views.compliance, name="compliance"),
    path("breaches/<int:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
]
