from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_POST

from minqing.core.htmx import wants_fragment
from minqing.core.limits import LimitExceeded
from minqing.core.masking import sensitive_reveal

from ..models import Household, Person, Place

REVEALABLE = {"person": Person, "household": Household, "place": Place}


@require_POST
@login_required
def reveal(request, model: str, pk: int, field: str):
    """htmx: swap a masked value for the clear one (audited); 429 past the hourly reveal limit."""
    cls = REVEALABLE.get(model)
    if cls is None:
        return render(request, "404.html", status=404)
    obj = get_object_or_404(cls.objects.visible_to(request.user, "view"), pk=pk)
    try:
        value = sensitive_reveal(actor=request.user, obj=obj, field=field)
    except LimitExceeded as refused:
        template = "registry/_reveal_refused.html" if wants_fragment(request) else "429.html"
        return render(request, template, {"message": refused.message}, status=429)
    return render(request, "registry/_revealed.html", {"value": value})
