from django.urls import path

from . import views

app_name = "desk"
urlpatterns = [
    path("", views.desk, name="index"),
    path("file/", views.desk_file, name="file"),
]
