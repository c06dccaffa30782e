from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from minqing.core.pagination import paginate

from .forms import LoginForm
from .http import AuthedRequest
from .models import Assignment
from .selectors import manageable_users
from .services import user_disable, user_unlock


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


@login_required
def me(request: AuthedRequest) -> HttpResponse:
    return render(request, "accounts/me.html", {"assignments": request.user.active_assignments()})


@login_required
def user_list(request: AuthedRequest) -> HttpResponse:
    """Accounts of the data admin's area: roles, lock state, last login; disable or unlock."""
    if not (request.user.is_superuser or request.user.can("manage")):
        raise PermissionDenied
    users = manageable_users(request.user).prefetch_related(
        Prefetch(
            "assignments",
            queryset=Assignment.objects.filter(is_active=True).select_related("area", "department"),
        )
    )
    query = request.GET.get("q", "").strip()
    if query:
        users = users.filter(username__startswith=query) | users.filter(
            last_name__startswith=query[:1], first_name__startswith=query[1:]
        )
    page = paginate(request, users.order_by("username"))
    return render(request, "accounts/user_list.html", {"page": page, "q": query})


@require_POST
@login_required
def user_action(request: AuthedRequest, pk: int, action: str) -> HttpResponse:
    target = get_object_or_404(manageable_users(request.user), pk=pk)
    if action == "disable":
        user_disable(actor=request.user, user=target)
        messages.success(request, _("已停用 %(user)s 并结束其全部会话。") % {"user": target.username})
    elif action == "unlock":
        user_unlock(actor=request.user, user=target)
        messages.success(request, _("已解除 %(user)s 的锁定。") % {"user": target.username})
    return redirect("accounts:users")
