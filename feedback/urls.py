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
]
