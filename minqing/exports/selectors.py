"""Reads for exports: the rows of an export (search ∩ export scope), masking, a user's jobs."""

from __future__ import annotations

from collections.abc import Iterator

from django.db import connection
from django.db.models import QuerySet
from django.http import Http404, QueryDict
from django.utils.translation import gettext as _
from django_filters import BooleanFilter

from minqing.core import restricted
from minqing.core.scoping import ALL
from minqing.registry.models import Household, Person
from minqing.search.filters import HouseholdSearch, PersonSearch, search_queryset

from .columns import SHEETS
from .models import ExportJob

SEARCHES = {"persons": (PersonSearch, Person), "households": (HouseholdSearch, Household)}
CHUNK = 2000
# Parameters of the page, not of the search.
NOT_SEARCH = ("page", "after", "before", "dim", "csrfmiddlewaretoken")


def clean_params(raw: str) -> str:
    """The search query string without page-only parameters, normalised."""
    data = QueryDict(raw or "", mutable=True)
    for key in NOT_SEARCH:
        data.pop(key, None)
    return data.urlencode()


def describe_conditions(kind: str, params: str) -> list[tuple[str, str]]:
    """The search conditions as cadres read them: ("性别", "女"), ("具有任一标签", "elderly")…; blanks left out."""
    search, _model = SEARCHES[kind]
    described = []
    for key, values in QueryDict(params).lists():
        condition = search.base_filters.get(key)
        choices = condition.extra.get("choices") if condition is not None else None
        names = dict(choices() if callable(choices) else choices or [])
        for value in values:
            if value in ("", "unknown"):
                continue
            if isinstance(condition, BooleanFilter):
                names = {"true": _("是"), "false": _("否")}
            label = condition.label if condition is not None else key
            described.append((str(label), str(names.get(value, value))))
    return described


def export_rows(*, user, kind: str, params: str) -> QuerySet:
    """Exactly the rows of the search list, narrowed to where the user may export, in a stable order.

    The filterset starts from ``visible_to(user, "view")``; ``visible_to(user, "export")`` then drops what the
    user may see but not export. Invalid conditions give no rows (``search_queryset``).
    """
    search, _model = SEARCHES[kind]
    sheet = SHEETS[kind]
    rows = search_queryset(search(QueryDict(params), user=user))
    return rows.visible_to(user, "export").order_by(*sheet.order)


def may_reveal_all(*, user, kind: str, rows: QuerySet) -> bool:
    """True when every row of the export lies where the user may reveal (unmask) sensitive values.

    Anything less masks the whole file: one rule per file is easier to reason about than per-row masking.
    """
    _search, model = SEARCHES[kind]
    if user.scope_prefixes("reveal") is ALL:
        return True
    revealable = model.objects.visible_to(user, "reveal").values("pk")
    return not rows.order_by().exclude(pk__in=revealable).exists()


def hidden_classes(*, user, kind: str, rows: QuerySet) -> frozenset[str]:
    """The privacy classes (``core.restricted``: health, minors) the file may not show: those the user does
    not hold where every row lies. As with masking, one rule per file: a single row outside hides the
    column's values on the rows the class applies to (``columns.restricted_value``: minors' rows only)."""
    _search, model = SEARCHES[kind]
    hidden = set()
    for privacy_class in restricted.classes_of(model):
        if user.scope_prefixes(privacy_class) is ALL:
            continue
        allowed = model.objects.visible_to(user, privacy_class).values("pk")
        if rows.order_by().exclude(pk__in=allowed).exists():
            hidden.add(privacy_class)
    return frozenset(hidden)


def iterate(rows: QuerySet, *, related: list[str]) -> Iterator:
    """Rows in order, a chunk at a time, with ``related`` joined.

    PostgreSQL streams through a server-side cursor (``iterator(chunk_size=…)``). SQLite keeps an open read
    statement's implicit transaction until the statement ends, which would hold back the progress updates
    written meanwhile; so there we read the ordered ids first (small) and fetch the rows chunk by chunk.
    """
    if connection.vendor != "sqlite":
        yield from rows.select_related(*related).iterator(chunk_size=CHUNK)
        return
    ids = list(rows.values_list("pk", flat=True))
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        found = rows.model.objects.select_related(*related).in_bulk(chunk)
        yield from (found[pk] for pk in chunk if pk in found)


def jobs_of(user) -> QuerySet:
    """The user's own export jobs; none once the user may no longer export."""
    if not user.can("export"):
        return ExportJob.objects.none()
    return ExportJob.objects.owned_by(user)


def job_of(*, user, pk: int) -> ExportJob:
    """One of the user's jobs, or 404 (another user's job does not exist for this user)."""
    job = jobs_of(user).filter(pk=pk).first()
    if job is None:
        raise Http404
    return job
