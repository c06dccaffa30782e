from django.urls import path

from . import views

app_name = "tags"
urlpatterns = [
    path("", views.catalog, name="catalog"),
    path("new/", views.tag_create, name="create"),
]
