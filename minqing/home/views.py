"""The home page (我的工作台): where a user's work starts. It composes the apps below it."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from minqing.areas.selectors import root_areas


@login_required
def index(request: HttpRequest) -> HttpResponse:
    areas = root_areas(request.user, "view") or root_areas(request.user, "lookup")
    return render(request, "home/index.html", {"areas": areas})
