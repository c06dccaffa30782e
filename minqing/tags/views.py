from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from . import services
from .forms import TagForm
from .models import Category, Tag


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
