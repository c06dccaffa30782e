from django.urls import path

from . import chart_views

app_name = "charts"
urlpatterns = [
    path("persons/", chart_views.person_chart, name="persons"),
]
