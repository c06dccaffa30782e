from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from .services import session_remember


@receiver(user_logged_in)
def remember_session(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        session_remember(user=user, session_key=request.session.session_key)
