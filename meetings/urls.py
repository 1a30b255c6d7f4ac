"""Pages of the weekly meeting."""

from django.urls import path

from meetings import views

app_name = "meetings"
urlpatterns = [
    path("briefs/", views.brief_list, name="briefs"),
    path("briefs/build/", views.brief_build, name="brief_build"),
    path("briefs/<str:week>/", views.brief_detail, name="brief"),
    path("briefs/<str:week>/send/", views.brief_send, name="brief_send"),
]
