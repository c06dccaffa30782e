from django.urls import path

from . import views

app_name = "visits"
urlpatterns = [
    path("", views.visit_list, name="list"),
    path("new/", views.visit_new, name="new"),
    path("household/<int:pk>/", views.household_visits, name="household"),
    path("<int:pk>/", views.visit_detail, name="detail"),
    path("<int:pk>/revise/", views.visit_revise, name="revise"),
    path("<int:pk>/withdraw/", views.visit_withdraw, name="withdraw"),
    path("<int:pk>/photos/<int:position>/", views.visit_photo, name="photo"),
    path("<int:pk>/photos/<int:position>/thumb/", views.visit_photo_thumb, name="photo_thumb"),
]
