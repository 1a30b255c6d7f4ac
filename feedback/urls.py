"""Pages of the feedback area."""

from django.urls import path

from feedback import views

app_name = "feedback"
urlpatterns = [
    path("", views.board, name="board"),
    path("new/", views.create, name="create"),
    path("queue/", views.queue, name="queue"),
    path("themes/", views.themes, name="themes"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/move/", views.move, name="move"),
    path("<int:pk>/comments/", views.comment, name="comment"),
    path("briefs/", views.brief_list, name="briefs"),
    path("briefs/build/", views.brief_build, name="brief_build"),
    path("briefs/<str:week>/", views.brief_detail, name="brief"),
    path("briefs/<str:week>/send/", views.brief_send, name="brief_send"),
]
