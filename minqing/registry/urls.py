from django.urls import path

from . import views

app_name = "registry"
urlpatterns = [
    path("reveal/<str:model>/<int:pk>/<str:field>/", views.reveal, name="reveal"),
]
