"""Two-factor login: who must pass it, enrolment, verification with lockout, recovery codes, reset.

With ``OTP_REQUIRED`` on, a user who may reveal, export or manage somewhere, a superuser and a staff
member (the admin site) must enter a code from a phone authenticator app (TOTP, django-otp's
``otp_totp``) or one of ten one-time recovery codes (``otp_static``) after the password. Until then the
session is "password only": ``middleware.SecondFactorMiddleware`` lets it reach nothing but the
verify, enrol and logout pages, and the API token endpoint asks for the code in its body.

Wrong codes count on ``User.otp_failures`` with the password lockout's atomic reservation
(``services._reserve``): the fifth wrong code locks the account for ``LOGIN_LOCK_MINUTES``, and only a
right code (not a right password) resets the count, so logging in again gives no new guesses.
"""

from __future__ import annotations

from base64 import b32encode

import segno
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp import devices_for_user, user_has_device
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from minqing.core import audit

from .models import LoginAttempt, User
from .services import LAST, _locked_message, _reserve, manageable, sessions_end

SENSITIVE_ACTIONS = ("reveal", "export", "manage")
RECOVERY_CODES = 10
CODE_MAX = 16  # longer than any TOTP code (8 digits) or recovery code (8 letters and digits)
TOTP_NAME = "手机验证器"
RECOVERY_NAME = "恢复码"


def second_factor_required(user: User) -> bool:
    """True when ``user`` must pass the second factor: ``OTP_REQUIRED`` and a sensitive right or staff."""
    if not settings.OTP_REQUIRED or not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or user.is_staff or any(user.can(action) for action in SENSITIVE_ACTIONS)


def second_factor_pending(user: User) -> bool:
    """Signed in with the password but not (yet) with the second factor that is required of them.

    ``is_verified`` comes from django-otp's ``OTPMiddleware``; without it the user counts as unverified.
    """
    if not second_factor_required(user):
        return False
    is_verified = getattr(user, "is_verified", None)
    return not (callable(is_verified) and is_verified())


def has_device(user: User) -> bool:
    """The user has enrolled (a confirmed authenticator or recovery codes)."""
    return bool(user_has_device(user, confirmed=True))


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def normalise(code: str) -> str:
    """Codes as people type them: spaces and dashes dropped, letters lower case (recovery codes)."""
    return "".join(ch for ch in (code or "") if ch not in " -\t").lower()[:CODE_MAX]


def _match(user: User, code: str) -> Device | None:
    """The confirmed device accepting ``code`` (a recovery code is used up), under row locks."""
    if not code:
        return None
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=True, for_verify=True):
            if device.verify_token(code):
                return device
    return None


def otp_verify(*, user: User, code: str, ip: str | None, user_agent: str = "") -> Device:
    """Check a second-factor code of ``user``; every attempt is logged and counted towards the lockout.

    Raises ``ValidationError`` with code ``locked`` (now or already locked) or ``otp_invalid``. A used
    recovery code is audited with the number left.
    """
    row = User.objects.filter(pk=user.pk)

    def log(success: bool, reason: str) -> None:
        LoginAttempt.objects.create(
            username=user.username,
            user=user,
            success=success,
            reason=reason,
            ip=ip,
            user_agent=(user_agent or "")[:200],
        )

    slot = _reserve(row, "otp_failures")
    if slot is None:
        log(False, "otp_locked")
        raise ValidationError(
            _locked_message(row.values_list("locked_until", flat=True).first()), code="locked"
        )
    device = _match(user, normalise(code))
    if device is None:
        log(False, "bad_otp")
        if slot == LAST:
            audit.record(actor=user, verb="account.locked", target=user, area_path="", label=user.username)
            raise ValidationError(
                _locked_message(row.values_list("locked_until", flat=True).first()), code="locked"
            )
        raise ValidationError(
            _("动态码不正确或已使用过，请输入手机验证器上当前显示的动态码，或一个未用过的恢复码。"),
            code="otp_invalid",
        )
    row.update(otp_failures=0, locked_until=None)
    log(True, "otp")
    if isinstance(device, StaticDevice):
        audit.record(
            actor=user,
            verb="account.otp_recovery_used",
            target=user,
            area_path="",
            changes={"recovery_codes_left": recovery_codes_left(user)},
        )
    return device


def totp_pending(*, user: User) -> TOTPDevice:
    """The authenticator being enrolled: the user's unconfirmed one (the same secret on reload) or a new one."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)
    return device


def totp_secret(device: TOTPDevice) -> str:
    """The secret in base32, grouped by four letters, for typing into an app by hand."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def totp_qr_svg(device: TOTPDevice) -> str:
    """The ``otpauth://`` URL as an inline SVG QR code (no script, no style attribute: CSP-safe)."""
    return str(segno.make(device.config_url, error="m").svg_inline(scale=5, border=2, svgclass="otp-qr"))


def recovery_codes_new(*, user: User) -> list[str]:
    """Ten new one-time recovery codes; the old ones stop working. Shown once, stored as django-otp does."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _i in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


@transaction.atomic
def totp_confirm(*, user: User, device: TOTPDevice, code: str) -> list[str]:
    """Confirm the authenticator being enrolled with its first code; returns the new recovery codes.

    Only while the user has no confirmed device: a password alone must never replace a second factor.
    """
    locked = User.objects.select_for_update().get(pk=user.pk)  # one enrolment at a time per user
    if has_device(locked):
        raise ValidationError(_("您已设置两步验证。如需更换手机，请联系数据管理员重置。"), code="enrolled")
    pending = TOTPDevice.objects.select_for_update().filter(pk=device.pk, user=user, confirmed=False).first()
    if pending is None:  # replaced meanwhile (enrolment started again in another tab)
        raise ValidationError(_("设置已过期，请刷新页面后重新扫描二维码。"), code="expired")
    device = pending
    if not device.verify_token(normalise(code)):
        raise ValidationError(
            _("动态码不正确。请确认手机时间准确，并输入验证器上当前显示的6位数字。"), code="otp_invalid"
        )
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    codes = recovery_codes_new(user=user)
    audit.record(actor=user, verb="account.otp_enrolled", target=user, area_path="")
    return codes


@transaction.atomic
def recovery_codes_renew(*, user: User) -> list[str]:
    """New recovery codes for a user who has enrolled (the old ones stop working)."""
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise ValidationError(_("请先设置手机验证器。"), code="not_enrolled")
    codes = recovery_codes_new(user=user)
    audit.record(actor=user, verb="account.otp_recovery_renewed", target=user, area_path="")
    return codes


@transaction.atomic
def otp_reset(*, actor: User, user: User | int) -> User:
    """Delete the second factor of an account the actor manages (a lost phone); it enrols at next login.

    403 without the manage right, 404 for an account outside it (``services.manageable``). Every session
    and API token of the account ends, so none keeps running on the removed factor.
    """
    user = manageable(actor, user)
    if user.pk == actor.pk:
        raise ValidationError(_("不能重置自己的两步验证，请联系其他管理员。"))
    deleted = 0
    for model in (TOTPDevice, StaticDevice):
        devices = model.objects.filter(user=user)
        deleted += devices.count()
        devices.delete()
    User.objects.filter(pk=user.pk).update(otp_failures=0)
    ended = sessions_end(user=user)
    audit.record(
        actor=actor,
        verb="account.otp_reset",
        target=user,
        area_path="",
        changes={"devices_deleted": deleted, "sessions_ended": ended},
    )
    return user
