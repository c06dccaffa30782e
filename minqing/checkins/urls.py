from django.urls import path

from . import views

app_name = "checkins"
urlpatterns = [
    path("", views.index, name="index"),
    path("check-in/", views.check_in, name="check_in"),
    path("report/", views.report, name="report"),
    path("report/export/", views.report_export, name="report_export"),
    path("rules/", views.rule_list, name="rules"),
    path("rules/<str:code>/", views.rule_edit, name="rule_edit"),
]
