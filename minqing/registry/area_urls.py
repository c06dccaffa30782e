from django.urls import path

from .views import areas as views

app_name = (
    "areas"  # the area tree's pages keep their names (Area.get_absolute_url) though the registry serves them
)
urlpatterns = [
    path("", views.browser, name="browser"),
    path("<str:code>/", views.detail, name="detail"),
]
