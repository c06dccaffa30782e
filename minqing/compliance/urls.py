from django.urls import path

from . import views

app_name = "compliance"
urlpatterns = [
    path("", views.area_page, name="area"),
    path("due/", views.due_page, name="due"),
    path("cadres/<int:user_id>/", views.cadre_page, name="cadre"),
    path("rules/", views.rule_list, name="rules"),
    path("rules/new/", views.rule_create, name="rule_create"),
    path("rules/<int:pk>/edit/", views.rule_edit, name="rule_edit"),
    path("rules/<int:pk>/delete/", views.rule_delete, name="rule_delete"),
]
