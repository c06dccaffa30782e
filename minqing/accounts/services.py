"""Login security and account administration. Every state change is audited."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from minqing.core import audit

from .models import LoginAttempt, User, UserSession
from .selectors import manageable_users


def _locked_message(user: User) -> str:
    until = timezone.localtime(user.locked_until)
    return _("连续登录失败次数过多，账号已锁定，请于 %(time)s 后再试，或联系管理员解锁。") % {
        "time": time_format(until, "H:i")
    }


def login_check(
    *, username: str, password: str, ip: str | None, user_agent: str = "", request: HttpRequest | None = None
) -> User:
    """Authenticate with lockout: 5 failures lock the account for 15 minutes. Logs every attempt.

    Raises ``ValidationError`` with a Chinese message that does not reveal whether the username exists.
    """
    username = (username or "").strip()
    known = User.objects.filter(username=username).first()
    ua = (user_agent or "")[:200]
    if known is not None and known.is_locked:
        LoginAttempt.objects.create(
            username=username, user=known, success=False, reason="locked", ip=ip, user_agent=ua
        )
        raise ValidationError(_locked_message(known), code="locked")
    user = authenticate(request, username=username, password=password)
    if user is None:
        reason = "bad_password" if known is not None else "unknown_user"
        if known is not None and not known.is_active:
            reason = "disabled"
        LoginAttempt.objects.create(
            username=username, user=known, success=False, reason=reason, ip=ip, user_agent=ua
        )
        if known is not None and known.is_active:
            User.objects.filter(pk=known.pk).update(failed_logins=F("failed_logins") + 1)
            known.refresh_from_db(fields=["failed_logins"])
            if known.failed_logins >= settings.LOGIN_MAX_FAILURES:
                known.locked_until = timezone.now() + timedelta(minutes=settings.LOGIN_LOCK_MINUTES)
                known.failed_logins = 0
                known.save(update_fields=["locked_until", "failed_logins"])
                audit.record(
                    actor=known, verb="account.locked", target=known, area_path="", label=known.username
                )
                raise ValidationError(_locked_message(known), code="locked")
        raise ValidationError(_("用户名或密码不正确，请重新输入。注意区分大小写。"), code="invalid_login")
    User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
    LoginAttempt.objects.create(username=username, user=user, success=True, ip=ip, user_agent=ua)
    return user


def session_remember(*, user: User, session_key: str | None) -> None:
    if session_key:
        UserSession.objects.get_or_create(session_key=session_key, defaults={"user": user})


def sessions_end(*, user: User) -> int:
    """End every session and API token of ``user``."""
    keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    Session.objects.filter(session_key__in=keys).delete()
    UserSession.objects.filter(user=user).delete()
    Token.objects.filter(user=user).delete()
    return len(keys)


def manageable(actor: User, user: User | int) -> User:
    """Re-read ``user`` (or a primary key) among the accounts ``actor`` manages, locked for the transaction.

    Without the manage right anywhere it is 403; a user outside the actor's accounts (above the actor's
    area, assigned elsewhere too, a superuser) does not exist for the actor: 404, as in the account pages.
    """
    if not (actor.is_active and actor.can("manage")):  # can() covers active superusers
        raise PermissionDenied(_("只有数据管理员可以管理账号。"))
    pk = user if isinstance(user, int) else user.pk
    row = manageable_users(actor).select_for_update().filter(pk=pk).first()
    if row is None:
        raise Http404
    return row


@transaction.atomic
def user_disable(*, actor: User, user: User | int) -> User:
    """Disable an account the actor manages and end its sessions at once."""
    user = manageable(actor, user)
    if user.pk == actor.pk:
        raise ValidationError(_("不能停用自己的账号。"))
    user.is_active = False
    user.save(update_fields=["is_active"])
    ended = sessions_end(user=user)
    audit.record(
        actor=actor, verb="account.disabled", target=user, area_path="", changes={"sessions_ended": ended}
    )
    return user


@transaction.atomic
def user_unlock(*, actor: User, user: User | int) -> User:
    """Lift the login lock of an account the actor manages."""
    user = manageable(actor, user)
    user.locked_until, user.failed_logins = None, 0
    user.save(update_fields=["locked_until", "failed_logins"])
    audit.record(actor=actor, verb="account.unlocked", target=user, area_path="")
    return user
