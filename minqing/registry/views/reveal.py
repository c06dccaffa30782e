from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from minqing.core import restricted, sensitive
from minqing.core.htmx import wants_fragment
from minqing.core.limits import LimitExceeded
from minqing.core.masking import sensitive_reveal

from ..models import Household, Person, Place
from ..models.households import MINORS

REVEALABLE = {"person": Person, "household": Household, "place": Place}
#: Why a value of a privacy class is not revealed (``core.restricted``); the service refuses it too.
REFUSED = {
    MINORS: _("未满十四周岁未成年人的身份证号、电话等信息，仅限有未成年人信息查看权限的人员查看。"),
}
REFUSED_DEFAULT = _("您没有查看这项信息的权限。")


@require_POST
@login_required
def reveal(request, model: str, pk: int, field: str):
    """htmx: swap a masked value for the clear one (audited); 429 past the hourly reveal limit; 403 for a
    value of a privacy class the user may not see on this record (a minor's ID number), with nothing written."""
    cls = REVEALABLE.get(model)
    if cls is None:
        return render(request, "404.html", status=404)
    obj = get_object_or_404(cls.objects.visible_to(request.user, "view"), pk=pk)
    privacy_class = restricted.class_of(cls, field) if sensitive.is_sensitive(cls, field) else None
    if privacy_class and not restricted.may_see(request.user, privacy_class, obj):
        message = REFUSED.get(privacy_class, REFUSED_DEFAULT)
        return _refused(request, message, status=403)
    try:
        value = sensitive_reveal(actor=request.user, obj=obj, field=field)
    except LimitExceeded as refused:
        return _refused(request, refused.message, status=429)
    return render(request, "registry/_revealed.html", {"value": value})


def _refused(request, message, *, status: int):
    template = "registry/_reveal_refused.html" if wants_fragment(request) else f"{status}.html"
    return render(request, template, {"message": message}, status=status)
