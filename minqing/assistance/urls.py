from django.urls import path

from . import views

app_name = "assistance"

urlpatterns = [
    path("pairings/", views.pairing_list, name="pairings"),
    path("pairings/<int:pairing_id>/phone/", views.cadre_phone, name="cadre_phone"),
    path("mine/", views.my_households, name="mine"),
    path("households/<int:pk>/pairing/", views.pairing_page, name="pairing"),
    path("households/<int:pk>/plan/", views.plan_page, name="plan"),
    path("households/<int:pk>/plan/new/", views.plan_create, name="plan_create"),
    path("households/<int:pk>/plan/<int:plan_id>/edit/", views.plan_edit, name="plan_edit"),
    path("households/<int:pk>/plan/<int:plan_id>/measures/new/", views.measure_edit, name="measure_create"),
    path(
        "households/<int:pk>/plan/<int:plan_id>/measures/<int:measure_id>/",
        views.measure_edit,
        name="measure_edit",
    ),
]
