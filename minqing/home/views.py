"""The home page (我的工作台): where a user's work starts. It composes the apps below it."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from minqing.registry.views.lookup import caller_search

from .selectors import home_for


@login_required
def index(request: HttpRequest) -> HttpResponse:
    home = home_for(request.user)
    context = {"home": home, "areas": home.areas}
    if home.mode == "desk":
        context.update(caller_search(request))
    return render(request, "home/index.html", context)
