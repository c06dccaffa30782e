"""Login security and account administration. Every state change is audited."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from minqing.core import audit

from .models import LoginAttempt, User, UsernameLock, UserSession
from .selectors import manageable_users

USERNAME_MAX = 150  # User.username's length: no account has a longer name
COUNTED, LAST = "counted", "last"


def _locked_message(until: datetime | None) -> str:
    until = timezone.localtime(until or timezone.now())
    return _("连续登录失败次数过多，账号已锁定，请于 %(time)s 后再试，或联系管理员解锁。") % {
        "time": time_format(until, "H:i")
    }


def _lock_row(username: str, known: User | None) -> QuerySet[User] | QuerySet[UsernameLock]:
    """The one row holding the failure count and lock of ``username``: the account's, or the name's."""
    if known is not None:
        return User.objects.filter(pk=known.pk)
    UsernameLock.objects.bulk_create([UsernameLock(username=username)], ignore_conflicts=True)
    return UsernameLock.objects.filter(username=username)


def _reserve(row: QuerySet[User] | QuerySet[UsernameLock], field: str = "failed_logins") -> str | None:
    """Take one of the ``LOGIN_MAX_FAILURES`` attempts before the password is checked; None when locked.

    ``field`` holds the count: ``failed_logins`` for passwords, ``otp_failures`` for second-factor codes
    (``otp.otp_verify``); both lock the same ``locked_until``.

    Each step is one conditional UPDATE, so parallel requests cannot all pass a check made before any of
    them counted: the database hands out at most the limit. The last attempt locks the row at once
    (``LAST``); if its password is right, the success lifts the lock again.
    """
    last = settings.LOGIN_MAX_FAILURES - 1
    for _attempt in range(5):  # a success resetting the count between the two updates: try again
        now = timezone.now()
        unlocked = row.filter(Q(locked_until__isnull=True) | Q(locked_until__lte=now))
        if unlocked.filter(**{f"{field}__lt": last}).update(**{field: F(field) + 1}):
            return COUNTED
        lock = now + timedelta(minutes=settings.LOGIN_LOCK_MINUTES)
        if unlocked.filter(**{f"{field}__gte": last}).update(**{field: 0, "locked_until": lock}):
            return LAST
        if row.filter(locked_until__gt=now).exists():
            break
    return None


def login_check(
    *, username: str, password: str, ip: str | None, user_agent: str = "", request: HttpRequest | None = None
) -> User:
    """Authenticate with lockout: 5 failures lock the name for 15 minutes. Logs every attempt.

    A name that is no account (or a disabled account) answers exactly like an account: the same
    messages, the same lockout, and a password hash computed all the same (Django's ``ModelBackend``
    hashes the password once for an unknown name), so neither the answer nor its time tells them apart.
    Raises ``ValidationError`` with a Chinese message.
    """
    username = (username or "").strip()[:USERNAME_MAX]
    known = User.objects.filter(username=username).first()
    ua = (user_agent or "")[:200]
    row = _lock_row(username, known)

    def log(success: bool, reason: str = "") -> None:
        LoginAttempt.objects.create(
            username=username, user=known, success=success, reason=reason, ip=ip, user_agent=ua
        )

    slot = _reserve(row)
    if slot is None:
        log(False, "locked")
        raise ValidationError(
            _locked_message(row.values_list("locked_until", flat=True).first()), code="locked"
        )
    user = authenticate(request, username=username, password=password)
    if user is None:
        reason = "unknown_user" if known is None else "bad_password" if known.is_active else "disabled"
        log(False, reason)
        if slot == LAST:
            if known is not None:
                audit.record(actor=known, verb="account.locked", target=known, area_path="", label=username)
            raise ValidationError(
                _locked_message(row.values_list("locked_until", flat=True).first()), code="locked"
            )
        raise ValidationError(_("用户名或密码不正确，请重新输入。注意区分大小写。"), code="invalid_login")
    row.update(failed_logins=0, locked_until=None)
    log(True)
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


def password_changed(*, user: User) -> int:
    """A new password ends every API token and session of ``user``, whoever set it (the user, an admin,
    ``manage.py changepassword``), and is audited (the request's address, when there is one, says from
    where). The page where users change their own password keeps them signed in with a new session
    (``views.PasswordChangeView``)."""
    ended = sessions_end(user=user)
    audit.record(actor=None, verb="account.password_changed", target=user, area_path="")
    return ended


def username_locks_purge() -> str:
    """Forget failures of names that are no account once their lock, if any, has run out (daily): the table
    of tried names cannot grow without bound, and a name is judged again from zero, like after a day."""
    deleted, _ = UsernameLock.objects.filter(
        Q(locked_until__isnull=True) | Q(locked_until__lt=timezone.now())
    ).delete()
    return f"{deleted} username lock(s) purged"


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
