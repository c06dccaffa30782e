from django.urls import path

from . import actions, views

app_name = "tickets"
urlpatterns = [
    path("", views.ticket_list, name="list"),
    path("new/", views.ticket_new, name="new"),
    path("route/", views.route_preview, name="route"),
    path("stats/", views.ticket_stats, name="stats"),
    path("<int:pk>/", views.ticket_detail, name="detail"),
    path("<int:pk>/accept/", actions.accept, name="accept"),
    path("<int:pk>/reply/", actions.reply, name="reply"),
    path("<int:pk>/resolve/", actions.resolve, name="resolve"),
    path("<int:pk>/escalate/", actions.escalate, name="escalate"),
    path("<int:pk>/return/", actions.return_ticket, name="return"),
    path("<int:pk>/review-return/", actions.review_return, name="review_return"),
    path("<int:pk>/dispatch/", actions.dispatch, name="dispatch"),
    path("<int:pk>/extension/", actions.request_extension, name="request_extension"),
    path("<int:pk>/extension/decide/", actions.decide_extension, name="decide_extension"),
    path("<int:pk>/visit-back/", actions.visit_back, name="visit_back"),
    path("<int:pk>/archive/", actions.archive, name="archive"),
    path("<int:pk>/supervise/", actions.supervise, name="supervise"),
]
