from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from minqing.core.middleware import ip_of

from .otp import CODE_MAX
from .ratelimit import login_attempt_allowed, rate_limited_message
from .services import login_check


class LoginForm(AuthenticationForm):
    """Django's login form with lockout and login logging."""

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is None or not password:
            return self.cleaned_data
        request = self.request  # None when the form is built outside a view
        if request is not None and not login_attempt_allowed(ip_of(request)):
            raise forms.ValidationError(rate_limited_message(), code="rate_limited")
        try:
            self.user_cache = login_check(
                username=username,
                password=password,
                ip=ip_of(request) if request is not None else None,
                user_agent=request.META.get("HTTP_USER_AGENT", "") if request is not None else "",
                request=request,
            )
        except ValidationError as error:
            raise forms.ValidationError(error.messages[0], code=error.code) from None
        return self.cleaned_data


class AdminLoginForm(LoginForm):
    """The admin site's login (``admin.site.login_form``): the same lockout and log, then staff only.

    Django's own admin form calls ``authenticate`` directly, which would let anyone try passwords there
    without a limit and without a trace.
    """

    error_messages = AdminAuthenticationForm.error_messages

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.user_cache is not None and not self.user_cache.is_staff:
            raise forms.ValidationError(
                self.error_messages["invalid_login"],
                code="invalid_login",
                params={"username": self.username_field.verbose_name},
            )
        return cleaned


class OTPForm(forms.Form):
    """One second-factor code: six digits from the authenticator app, or a recovery code."""

    code = forms.CharField(
        label=_("动态码"),
        max_length=CODE_MAX + 8,  # room for spaces and dashes people type; otp.normalise drops them
        error_messages={"required": _("请输入动态码。")},
    )
