"""The API's routes: every app's viewsets on one router (composition, like minqing/urls.py)."""

from django.urls import include, path, re_path
from rest_framework.routers import DefaultRouter

from minqing.accounts.api import me, token
from minqing.api.errors import not_found
from minqing.areas.api import AreaViewSet
from minqing.assistance.api import PairingViewSet, PlanViewSet
from minqing.checkins.api import CheckInViewSet
from minqing.compliance import api as compliance_api
from minqing.desk.api import DeskCallerView
from minqing.registry.api import HouseholdViewSet, HouseViewSet, PersonViewSet, PlaceViewSet
from minqing.registry.lookup_api import CallerByPhoneView, CallerLookupView
from minqing.tickets.api import CategoryTreeView, TicketViewSet
from minqing.visits.api import VisitViewSet

router = DefaultRouter()
router.register("areas", AreaViewSet, basename="area")
router.register("households", HouseholdViewSet, basename="household")
router.register("persons", PersonViewSet, basename="person")
router.register("houses", HouseViewSet, basename="house")
router.register("places", PlaceViewSet, basename="place")
router.register("visits", VisitViewSet, basename="visit")
router.register("checkins", CheckInViewSet, basename="checkin")
router.register("pairings", PairingViewSet, basename="pairing")
router.register("plans", PlanViewSet, basename="plan")
router.register("tickets", TicketViewSet, basename="ticket")

app_name = "api"
urlpatterns = [
    path("users/me/", me, name="me"),
    path("auth/token/", token, name="token"),
    path("lookup/", CallerLookupView.as_view(), name="lookup"),
    path("callers/<str:phone>/", CallerByPhoneView.as_view(), name="caller"),
    path("desk/callers/<str:phone>/", DeskCallerView.as_view(), name="desk-caller"),
    path("ticket-categories/", CategoryTreeView.as_view(), name="ticket-categories"),
    path("compliance/", compliance_api.summary, name="compliance"),
    path("compliance/due/", compliance_api.due_list, name="compliance-due"),
    path("", include(router.urls)),
    path("", include("minqing.search.api")),
    re_path(r"^(?P<path>(?s:.*)/)$", not_found),  # last: any other address under /api/v1/ is a JSON 404
]
