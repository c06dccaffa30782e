"""Typing for views behind ``login_required``: there ``request.user`` is a saved, active ``User``."""

from __future__ import annotations

from django.http import HttpRequest

from .models import User


class AuthedRequest(HttpRequest):
    """Annotation only (never instantiated): an ``HttpRequest`` whose user is signed in.

    Use it for views decorated with ``login_required`` (or admin actions), so that ``request.user``
    can be handed to services that take ``actor: User`` without a cast.
    """

    user: User
