from django.urls import path

from . import views

app_name = "tags"
urlpatterns = [
    path("", views.catalog, name="catalog"),
    path("new/", views.tag_create, name="create"),
    path("person/<int:pk>/", views.person_tags, name="person_tags"),
    path("household/<int:pk>/", views.household_tags, name="household_tags"),
]
