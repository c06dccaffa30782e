from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from minqing.core.htmx import render_list
from minqing.core.pagination import paginate

from .forms import LoginForm
from .http import AuthedRequest
from .models import Assignment
from .otp import has_device, otp_reset, recovery_codes_left, second_factor_required
from .selectors import manageable_users
from .services import session_remember, user_disable, user_unlock


class PasswordChangeView(auth_views.PasswordChangeView):
    """Change one's own password. Every other session and API token ends (``services.password_changed``);
    this one continues under a new key, which is remembered so that disabling the account still ends it."""

    template_name = "accounts/password_change.html"
    success_url = "/accounts/me/"

    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
        response = super().form_valid(form)
        session_remember(user=form.user, session_key=self.request.session.session_key)
        return response


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_invalid(self, form: LoginForm) -> HttpResponse:  # type: ignore[override]
        if form.has_error(NON_FIELD_ERRORS, "rate_limited"):  # too many attempts from this address
            context = {"message": form.non_field_errors()[0]}
            return render(self.request, "accounts/rate_limited.html", context, status=429)
        return super().form_invalid(form)


@login_required
def me(request: AuthedRequest) -> HttpResponse:
    user = request.user
    enrolled = has_device(user)
    otp = {
        "required": second_factor_required(user),
        "enrolled": enrolled,
        "codes_left": recovery_codes_left(user) if enrolled else 0,
    }
    return render(request, "accounts/me.html", {"assignments": user.active_assignments(), "otp": otp})


@login_required
def user_list(request: AuthedRequest) -> HttpResponse:
    """Accounts of the data admin's area: roles, lock and 2FA state, last login; disable, unlock, reset 2FA."""
    if not (request.user.is_superuser or request.user.can("manage")):
        raise PermissionDenied
    enrolled = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
    users = (
        manageable_users(request.user)
        .annotate(otp_enrolled=Exists(enrolled))
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=Assignment.objects.filter(is_active=True).select_related("area", "department"),
            )
        )
    )
    query = request.GET.get("q", "").strip()
    if query:
        users = users.filter(username__startswith=query) | users.filter(
            last_name__startswith=query[:1], first_name__startswith=query[1:]
        )
    page = paginate(request, users.order_by("username"))
    return render_list(
        request, "accounts/user_list.html", "accounts/_user_rows.html", {"page": page, "q": query}
    )


@require_POST
@login_required
def user_action(request: AuthedRequest, pk: int, action: str) -> HttpResponse:
    """Disable, unlock or reset the second factor of an account. The service decides: 403 without the manage right, 404 outside it."""
    try:
        if action == "disable":
            target = user_disable(actor=request.user, user=pk)
            messages.success(request, _("已停用 %(user)s 并结束其全部会话。") % {"user": target.username})
        elif action == "unlock":
            target = user_unlock(actor=request.user, user=pk)
            messages.success(request, _("已解除 %(user)s 的锁定。") % {"user": target.username})
        elif action == "otp_reset":
            target = otp_reset(actor=request.user, user=pk)
            messages.success(
                request,
                _("已重置 %(user)s 的两步验证，其下次登录时需重新设置手机验证器。")
                % {"user": target.username},
            )
        else:
            raise Http404
    except ValidationError as error:
        messages.error(request, error.messages[0])
    return redirect("accounts:users")
