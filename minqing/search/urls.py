from django.urls import path

from . import views

app_name = "search"
urlpatterns = [
    path("search/", views.persons, name="persons"),
    path("search/households/", views.households, name="households"),
    path("search/saved/", views.saved_create, name="saved_create"),
    path("search/saved/<int:pk>/", views.saved_open, name="saved"),
    path("search/saved/<int:pk>/delete/", views.saved_delete, name="saved_delete"),
    path("groups/", views.groups, name="groups"),
    path("groups/incomplete/", views.incomplete, name="incomplete"),
    path("groups/<slug:code>/", views.group, name="group"),
]
