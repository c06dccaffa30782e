from django.urls import path

from .views import attachments, households, houses, lookup, persons, places, reveal

app_name = "registry"
urlpatterns = [
    path("households/", households.household_list, name="household_list"),
    path("households/new/", households.household_create, name="household_create"),
    path("households/recent/", households.recent_updates, name="recent"),
    path("households/<int:pk>/", households.household_detail, name="household"),
    path("households/<int:pk>/edit/", households.household_edit, name="household_edit"),
    path("households/<int:pk>/members/new/", persons.member_add, name="member_add"),
    path("households/<int:pk>/split/", households.household_split_view, name="household_split"),
    path("households/<int:pk>/economy/", households.economy_edit, name="economy_edit"),
    path("households/<int:pk>/attachments/new/", attachments.attachment_upload, name="attachment_upload"),
    path("persons/", persons.person_list, name="person_list"),
    path("persons/<int:pk>/", persons.person_detail, name="person"),
    path("persons/<int:pk>/edit/", persons.person_edit, name="person_edit"),
    path("persons/<int:pk>/move/", persons.person_move_view, name="person_move"),
    path("houses/", houses.house_list, name="house_list"),
    path("houses/new/", houses.house_create, name="house_create"),
    path("houses/<int:pk>/", houses.house_detail, name="house"),
    path("houses/<int:pk>/edit/", houses.house_edit, name="house_edit"),
    path("places/", places.place_list, name="place_list"),
    path("places/new/", places.place_create, name="place_create"),
    path("places/<int:pk>/", places.place_detail, name="place"),
    path("places/<int:pk>/edit/", places.place_edit, name="place_edit"),
    path("attachments/<int:pk>/", attachments.attachment_download, name="attachment"),
    path("attachments/<int:pk>/thumb/", attachments.attachment_thumbnail, name="attachment_thumb"),
    path("attachments/<int:pk>/delete/", attachments.attachment_delete, name="attachment_delete"),
    path("reveal/<str:model>/<int:pk>/<str:field>/", reveal.reveal, name="reveal"),
    path("lookup/", lookup.lookup_page, name="lookup"),
    path("lookup/households/<int:pk>/", lookup.household_card, name="household_card"),
]
