from django.urls import include, path
from rest_framework.routers import DefaultRouter

from minqing.accounts.api import me, token
from minqing.areas.api import AreaViewSet

router = DefaultRouter()
router.register("areas", AreaViewSet, basename="area")

app_name = "api"
urlpatterns = [
    path("users/me/", me, name="me"),
    path("auth/token/", token, name="token"),
    path("", include(router.urls)),
]
