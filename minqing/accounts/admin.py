from __future__ import annotations

# Imported for their side effect: they register the device pages, which are unregistered below.
import django_otp.plugins.otp_static.admin
import django_otp.plugins.otp_totp.admin  # noqa: F401
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from minqing.core import sensitive
from minqing.core.forms import SensitiveInputsMixin

from .http import AuthedRequest
from .models import Assignment, Department, LoginAttempt, User
from .otp import otp_reset
from .services import user_disable, user_unlock

# django-otp's device pages would show TOTP secrets and recovery codes (and let anyone with the
# permission add a device for someone else). Importing them above registers them; take them away:
# a lost phone is handled by "reset the second factor" (below and on the account pages), which is audited.
for _model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


class AssignmentInline(admin.TabularInline):
    model = Assignment
    extra = 0
    autocomplete_fields = ["area"]


class MaskedPhoneUserChangeForm(SensitiveInputsMixin, UserChangeForm):
    """The phone input starts empty with the masked number as its hint; left empty, the number stays."""


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = MaskedPhoneUserChangeForm
    inlines = [AssignmentInline]
    list_display = [
        "username",
        "last_name",
        "first_name",
        "phone_masked",
        "is_active",
        "locked_until",
        "last_login",
    ]

    @admin.display(description=_("手机号"))
    def phone_masked(self, obj: User) -> str:
        return sensitive.masked(obj, "phone")

    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (_("联系方式与安全"), {"fields": ("phone", "failed_logins", "otp_failures", "locked_until")}),
    )
    actions = ["disable_accounts", "unlock_accounts", "reset_second_factor"]

    @admin.action(description=_("停用所选账号并结束其会话"))
    def disable_accounts(self, request: AuthedRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            if user.pk != request.user.pk:
                user_disable(actor=request.user, user=user)
        messages.success(request, _("已停用所选账号并结束其全部会话。"))

    @admin.action(description=_("解除所选账号的锁定"))
    def unlock_accounts(self, request: AuthedRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            user_unlock(actor=request.user, user=user)

    @admin.action(description=_("重置所选账号的两步验证（下次登录时重新设置）"))
    def reset_second_factor(self, request: AuthedRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            if user.pk != request.user.pk:
                otp_reset(actor=request.user, user=user)
        messages.success(request, _("已重置所选账号的两步验证，其下次登录时需重新设置。"))


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "is_active"]
    search_fields = ["name", "code"]


@admin.register(LoginAttempt)
class LoginAttemptAdmin(admin.ModelAdmin):
    list_display = ["at", "username", "success", "reason", "ip"]
    list_filter = ["success", "reason"]
    search_fields = ["username", "ip"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: LoginAttempt | None = None) -> bool:
        return False
