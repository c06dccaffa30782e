from django.urls import path

from . import views

app_name = "areas"
urlpatterns = [
    path("", views.browser, name="browser"),
    path("<str:code>/", views.detail, name="detail"),
]
