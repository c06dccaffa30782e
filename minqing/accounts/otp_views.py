"""Pages of the second factor: verify after the password, enrol an authenticator, renew recovery codes."""

from __future__ import annotations

import django_otp
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp.models import Device

from minqing.core.middleware import ip_of

from .forms import OTPForm
from .http import AuthedRequest
from .otp import (
    has_device,
    otp_verify,
    recovery_codes_renew,
    second_factor_pending,
    second_factor_required,
    totp_confirm,
    totp_pending,
    totp_qr_svg,
    totp_secret,
)
from .services import session_remember


def _next(request: AuthedRequest) -> str:
    """Where to go afterwards: a local ``next`` or the home page."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


def _verified(request: AuthedRequest, device: Device) -> None:
    """Mark the session as passed with ``device``, under a new key (as a login changes it)."""
    django_otp.login(request, device)
    request.session.cycle_key()
    session_remember(user=request.user, session_key=request.session.session_key)


@login_required
def otp_verify_view(request: AuthedRequest) -> HttpResponse:
    """The second step of the login: a code from the authenticator app or a recovery code."""
    if not second_factor_pending(request.user):
        return redirect(_next(request))
    if not has_device(request.user):
        return redirect("accounts:otp_setup")
    form = OTPForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = otp_verify(
                user=request.user,
                code=form.cleaned_data["code"],
                ip=ip_of(request),
                user_agent=request.META.get("HTTP_USER_AGENT", ""),
            )
        except ValidationError as error:
            if error.code != "locked":
                form.add_error("code", error.messages[0])
            else:  # locked: the half-open session ends; the login page shows why
                logout(request)
                messages.error(request, error.messages[0])
                return redirect("accounts:login")
        else:
            _verified(request, device)
            return redirect(_next(request))
    return render(request, "accounts/otp_verify.html", {"form": form, "next": _next(request)})


@login_required
def otp_setup_view(request: AuthedRequest) -> HttpResponse:
    """Enrol an authenticator app: QR code and secret, confirmed with a first code; then recovery codes.

    Only while the user has no device: with one, a password alone must not replace it (admin reset)."""
    user = request.user
    if not second_factor_required(user):
        messages.info(request, _("您的账号无需两步验证。"))
        return redirect("accounts:me")
    if has_device(user):
        if second_factor_pending(user):
            return redirect("accounts:otp_verify")
        messages.info(request, _("您已设置两步验证。如需更换手机，请联系数据管理员重置。"))
        return redirect("accounts:me")
    device = totp_pending(user=user)
    form = OTPForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = totp_confirm(user=user, device=device, code=form.cleaned_data["code"])
        except ValidationError as error:
            form.add_error("code", error.messages[0])
        else:
            _verified(request, device)
            context = {"codes": codes, "next": _next(request), "enrolled": True}
            return render(request, "accounts/otp_recovery.html", context)
    context = {
        "form": form,
        "qr_svg": totp_qr_svg(device),
        "secret": totp_secret(device),
        "next": _next(request),
    }
    return render(request, "accounts/otp_setup.html", context)


@require_POST
@login_required
def otp_recovery_view(request: AuthedRequest) -> HttpResponse:
    """Ten new recovery codes, shown once; the old ones stop working."""
    try:
        codes = recovery_codes_renew(user=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("accounts:me")
    return render(request, "accounts/otp_recovery.html", {"codes": codes, "next": "/", "enrolled": False})
