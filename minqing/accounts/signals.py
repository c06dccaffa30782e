from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.http import HttpRequest

from .models import User
from .services import password_changed, session_remember


@receiver(user_logged_in)
def remember_session(sender: type[User], request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        session_remember(user=user, session_key=request.session.session_key)


@receiver(post_save, sender=User)
def end_sessions_on_new_password(sender: type[User], instance: User, created: bool, **kwargs: Any) -> None:
    # set_password() keeps the raw password in _password until save() has stored the new hash, and only
    # then (so this save is storing it). A hash upgrade at login clears it before saving: not a change.
    if not created and getattr(instance, "_password", None) is not None:
        password_changed(user=instance)
