from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from minqing.registry.models import Household, Person

from . import services
from .forms import TagActionForm, TagForm
from .models import Category, Tag
from .panels import tag_panel


@login_required
def catalog(request):
    """The tag catalog by category: what each tag means and whether a rule or a cadre sets it."""
    tags = Tag.objects.filter(is_active=True)
    groups = [(label, [t for t in tags if t.category == value]) for value, label in Category.choices]
    can_manage = request.user.is_superuser or request.user.can("manage")
    return render(
        request, "tags/catalog.html", {"groups": groups, "can_manage": can_manage, "total": len(tags)}
    )


@login_required
def tag_create(request):
    if not (request.user.is_superuser or request.user.can("manage")):
        raise PermissionDenied
    form = TagForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            tag = services.tag_create(actor=request.user, data=form.service_data())
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("已新增标签“%(name)s”。") % {"name": tag.name})
            return redirect("tags:catalog")
    return render(request, "tags/tag_form.html", {"form": form})


# --------------------------------------------------------------------------------------- manual tags


@login_required
@require_POST
def person_tags(request: HttpRequest, pk: int) -> HttpResponse:
    return _tag_action(request, get_object_or_404(Person.objects.visible_to(request.user, "view"), pk=pk))


@login_required
@require_POST
def household_tags(request: HttpRequest, pk: int) -> HttpResponse:
    return _tag_action(request, get_object_or_404(Household.objects.visible_to(request.user, "view"), pk=pk))


def _tag_action(request: HttpRequest, obj: Person | Household) -> HttpResponse:
    """Set or clear a manual tag; htmx gets the tag panel back (200, with the message on a refusal)."""
    error = _tag_apply(request.user, obj, TagActionForm(request.POST))
    if request.htmx:
        return HttpResponse(tag_panel(request, obj, error=error))
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("标签已更新。"))
    return redirect(obj)


def _tag_apply(user, obj, form: TagActionForm) -> str | None:
    """Call the tag service; a refusal the user can fix comes back as a message, PermissionDenied is a 403."""
    if not form.is_valid():
        return _("请选择要添加或移除的标签。")
    tag = Tag.objects.filter(code=form.cleaned_data["tag"], is_active=True).first()
    if tag is None:
        return _("未知的标签。")
    service = services.tag_set if form.cleaned_data["action"] == "set" else services.tag_unset
    try:
        service(actor=user, tag=tag, obj=obj)
    except ValidationError as exc:
        return exc.messages[0]
    return None
