"""List paging that costs the same on page 2 and on page 20,000: keyset (seek) paging, no counts.

A page is the ``size`` rows that follow (or precede) a boundary row in the queryset's ordering, read with
``WHERE (ordering keys) > (boundary values) ORDER BY … LIMIT size + 1`` — an index range scan, where
``OFFSET`` had to walk past every earlier row. The extra row tells whether there is a next page.

The URL of a list page:

- no cursor: the first page. ``?page=N`` alone (old links, bookmarks) is still read with ``OFFSET`` while
  ``N <= MAX_OFFSET_PAGE``; beyond that it is the first page, never an error;
- ``?after=<token>``: the rows after the last row shown; ``?before=<token>``: the rows before the first row
  shown (read in reverse order, then turned round); ``?before=`` with no token: the last page (末页);
- ``page`` is then only the number shown: ``N`` counts from the start, ``-K`` from the end (末页 is ``-1``).

A token is the ordering key values of the boundary row, signed (``django.core.signing``) with the list's
ordering in the salt: a token that was tampered with, is garbage, or belongs to another ordering is read as
"no cursor", so the first page. The ordering always ends in a unique key: ``pk`` is added when it does not.

Orderings that cannot be seeked (expressions, related fields, nullable columns, ``values_list`` rows) are
paged with ``OFFSET`` up to ``MAX_OFFSET_PAGE`` instead. Every list in the project seeks today.
"""

from __future__ import annotations

import datetime
import decimal
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from django.core import signing
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import connections
from django.db.models import F, Field, Q, QuerySet
from django.db.models.expressions import OrderBy
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan
from django.db.models.query import ModelIterable, ValuesIterable
from django.http import HttpRequest, QueryDict

PAGE_SIZE = 50
#: ``?page=N`` without a cursor is read with OFFSET up to this page; deeper numbers show the first page.
MAX_OFFSET_PAGE = 100
#: The page numbers shown are clamped to this size (they are only labels once a cursor is used).
MAX_SHOWN_NUMBER = 10_000_000
CURSOR_PARAMS = ("page", "after", "before")
SALT = "minqing.core.pagination"


@dataclass
class Page:
    """One page of rows and what the pager needs: whether there are neighbours, their cursors, its number.

    ``number`` is the page's number counted from the start (1, 2, …), or ``None`` when the page was reached
    from the end (末页 and the pages before it), which ``from_end`` then counts (1 = the last page).
    """

    rows: list[Any]
    number: int | None
    size: int
    has_next: bool
    has_previous: bool = False
    from_end: int = 0
    next_cursor: str = ""
    previous_cursor: str = ""
    #: The list's other query parameters (filters), urlencoded with a trailing ``&``, or empty.
    params: str = ""
    #: False when the list is paged by OFFSET (an ordering that cannot be seeked): no cursors, no 末页.
    seek: bool = True
    #: How many rows the whole list has, when the caller counted them anyway (``with_total``): paging itself
    #: never counts. ``total_capped``: the count stopped at its cap, so there are more rows than ``total``.
    total: int | None = None
    total_capped: bool = False
    #: The counting word of the total ("户", "人"); the pager says "条" when it is empty.
    unit: str = ""

    def with_total(self, total: int, capped: bool = False, unit: str = "") -> Page:
        """This page, knowing the list's (possibly capped) row count that the caller already has."""
        self.total, self.total_capped, self.unit = total, capped, unit or self.unit
        return self

    @property
    def known_total(self) -> int | None:
        """The list's row count: given by the caller, or free on the last page read from the start."""
        if self.total is not None:
            return self.total
        if not self.has_next and self.number is not None and (self.rows or self.number == 1):
            return (self.number - 1) * self.size + len(self.rows)
        return None

    @property
    def page_count(self) -> int | None:
        """How many pages the list has (at least, when the count is capped), or ``None`` when unknown."""
        total = self.known_total
        if total is None:
            return None
        pages = max(1, -(-total // self.size))
        return max(pages, self.number or 0) if self.total_capped else pages

    @property
    def shown_number(self) -> int | None:
        """The page's number from the start, also for a page reached from the end when the count is exact."""
        if self.number is not None:
            return self.number
        pages = self.page_count
        if pages is None or self.total_capped or not self.from_end:
            return None
        return max(1, pages - self.from_end + 1)

    @property
    def next_page_number(self) -> int:
        """The ``page`` parameter of the next page's link (negative: counted from the end)."""
        if self.number is not None:
            return self.number + 1
        return -(self.from_end - 1)

    @property
    def previous_page_number(self) -> int:
        """The ``page`` parameter of the previous page's link (negative: counted from the end)."""
        if self.number is not None:
            return max(self.number - 1, 1)
        return -(self.from_end + 1)

    @property
    def first_query(self) -> str:
        return f"{self.params}page=1"

    @property
    def previous_query(self) -> str:
        """The query string of the previous page's link (the template escapes it)."""
        cursor = f"before={quote(self.previous_cursor)}&" if self.previous_cursor else ""
        return f"{self.params}{cursor}page={self.previous_page_number}"

    @property
    def next_query(self) -> str:
        cursor = f"after={quote(self.next_cursor)}&" if self.next_cursor else ""
        return f"{self.params}{cursor}page={self.next_page_number}"

    @property
    def last_query(self) -> str:
        """末页: ``before`` with no token."""
        return f"{self.params}before="

    @property
    def start_index(self) -> int:
        """The 1-based position of the first row; 0 for an empty page or one counted from the end."""
        if not self.rows or self.number is None:
            return 0
        return (self.number - 1) * self.size + 1

    def __iter__(self) -> Iterator[Any]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


def page_number(raw: str | None) -> int:
    """``?page=N`` of the API's OFFSET paging: 1 … 100,000, anything else is 1."""
    try:
        return max(1, min(int(raw or 1), 100_000))
    except ValueError:
        return 1


# ------------------------------------------------------------------------------------------ ordering


@dataclass(frozen=True)
class Key:
    """One column of the ordering: the name it is ordered by, its model field and its direction."""

    name: str
    field: Field
    descending: bool

    @property
    def order(self) -> str:
        return f"-{self.name}" if self.descending else self.name


def _key(queryset: QuerySet[Any, Any], item: Any) -> Key | None:
    if isinstance(item, str):
        if item in ("?", "-?"):
            return None
        name, descending = item.removeprefix("-"), item.startswith("-")
    else:
        ordered = item if isinstance(item, OrderBy) else None
        expression = ordered.expression if ordered is not None else item
        if type(expression) is not F or (ordered is not None and (ordered.nulls_first or ordered.nulls_last)):
            return None
        name, descending = str(getattr(expression, "name", "")), bool(ordered and ordered.descending)
    opts = queryset.model._meta
    if name == "pk":
        name = opts.pk.attname
    if "__" in name or name in queryset.query.annotations:
        return None
    try:
        field = opts.get_field(name)
    except FieldDoesNotExist:
        return None
    if not isinstance(field, Field) or not field.concrete or field.null:
        return None
    if field.is_relation and name != field.attname:  # "household" orders by the household's own ordering
        return None
    return Key(name, field, descending)


def ordering_keys(queryset: QuerySet[Any, Any]) -> list[Key] | None:
    """The queryset's ordering as seek keys ending in a unique column, or ``None`` when it cannot be seeked."""
    query = queryset.query
    if query.combinator or query.is_sliced or query.extra_order_by or query.distinct_fields:
        return None
    if queryset._iterable_class not in (ModelIterable, ValuesIterable):
        return None
    ordering = list(query.order_by) or list(queryset.model._meta.ordering if query.default_ordering else [])
    keys: list[Key] = []
    for item in ordering:
        key = _key(queryset, item)
        if key is None:
            return None
        if all(k.name != key.name for k in keys):
            keys.append(key)
    if not any(k.field.unique for k in keys):  # unique=True or the primary key: the ordering is total
        pk = queryset.model._meta.pk
        keys.append(Key(pk.attname, pk, keys[-1].descending if keys else False))
    fields = queryset.query.values_select
    if queryset._iterable_class is ValuesIterable and fields:
        if any(k.name not in fields and k.field.attname not in fields for k in keys):
            return None
    return keys


def _value(row: Any, key: Key) -> Any:
    if isinstance(row, dict):
        return row[key.name] if key.name in row else row[key.field.attname]
    return getattr(row, key.field.attname)


# ------------------------------------------------------------------------------------------- tokens


def _plain(value: Any) -> Any:
    """A JSON value that ``field.to_python`` turns back into ``value`` exactly (microseconds included)."""
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    return value


def _signer(keys: list[Key], queryset: QuerySet[Any, Any]) -> signing.Signer:
    return signing.Signer(salt=f"{SALT}:{queryset.model._meta.label}:{','.join(k.order for k in keys)}")


def encode_cursor(keys: list[Key], queryset: QuerySet[Any, Any], row: Any) -> str:
    return _signer(keys, queryset).sign_object([_plain(_value(row, k)) for k in keys])


def decode_cursor(keys: list[Key], queryset: QuerySet[Any, Any], token: str) -> list[Any] | None:
    """The key values of a token, or ``None`` when it is not one of ours for this ordering."""
    try:
        raw = _signer(keys, queryset).unsign_object(token)
        if not isinstance(raw, list) or len(raw) != len(keys):
            return None
        values = [k.field.to_python(v) for k, v in zip(keys, raw, strict=True)]
    except (signing.BadSignature, ValidationError, ValueError, TypeError, UnicodeError):
        return None
    return None if any(v is None for v in values) else values


# ---------------------------------------------------------------------------------------------- seek


def seek_condition(keys: list[Key], values: list[Any], *, forward: bool, using: str) -> Q:
    """Rows strictly after (``forward``) or before the row whose ordering keys are ``values``.

    All keys in one direction: a tuple lookup, which PostgreSQL writes as a row comparison
    ``(a, b, c) > (%s, %s, %s)`` (an index range). Backends without row comparisons (SQLite) and mixed
    directions get ``a > x OR (a = x AND (b > y OR …))`` plus the redundant ``a >= x`` that bounds the
    index range.
    """
    ups = [k.descending != forward for k in keys]  # True: the rows wanted have a greater value in this key
    first = keys[0].name
    if len(keys) == 1:
        return Q(**{f"{first}__{'gt' if ups[0] else 'lt'}": values[0]})
    bound = Q(**{f"{first}__{'gte' if ups[0] else 'lte'}": values[0]})
    if len(set(ups)) == 1:
        lookup = TupleGreaterThan if ups[0] else TupleLessThan
        condition = Q(lookup(Tuple(*(F(k.name) for k in keys)), list(values)))
        return condition if connections[using].features.supports_tuple_lookups else bound & condition
    condition = Q(**{f"{keys[-1].name}__{'gt' if ups[-1] else 'lt'}": values[-1]})
    for key, up, value in zip(keys[-2::-1], ups[-2::-1], values[-2::-1], strict=True):
        condition = Q(**{f"{key.name}__{'gt' if up else 'lt'}": value}) | (Q(**{key.name: value}) & condition)
    return bound & condition


def _reversed(keys: list[Key]) -> list[str]:
    return [k.name if k.descending else f"-{k.name}" for k in keys]


def seek_page(
    queryset: QuerySet[Any, Any],
    keys: list[Key],
    *,
    size: int,
    after: list[Any] | None = None,
    before: list[Any] | None = None,
    last: bool = False,
) -> tuple[list[Any], bool]:
    """``size`` rows after ``after``, before ``before``, on the last page (``last``) or the first page.

    Returns the rows in list order and whether there are more rows beyond them in the direction read
    (after them when reading forward, before them when reading backward or from the end).
    """
    backward = before is not None or last
    boundary = after if after is not None else before
    queryset = queryset.order_by(*(_reversed(keys) if backward else [k.order for k in keys]))
    if boundary is not None:
        queryset = queryset.filter(seek_condition(keys, boundary, forward=not backward, using=queryset.db))
    rows = list(queryset[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return (rows[::-1] if backward else rows), more


# --------------------------------------------------------------------------------------------- pages


def _shown_number(raw: str | None) -> int | None:
    try:
        number = int(raw or "")
    except ValueError:
        return None
    return max(-MAX_SHOWN_NUMBER, min(number, MAX_SHOWN_NUMBER)) or None


def other_params(query: QueryDict) -> str:
    """The list's own parameters (filters) for the pager's links: without page and cursor, ``&``-terminated."""
    kept = query.copy()
    for name in CURSOR_PARAMS:
        kept.pop(name, None)
    return f"{kept.urlencode()}&" if kept else ""


def _offset_page(queryset: QuerySet[Any, Any], number: int, size: int) -> tuple[list[Any], bool]:
    offset = (number - 1) * size
    rows = list(queryset[offset : offset + size + 1])
    return rows[:size], len(rows) > size


def paginate(request: HttpRequest, queryset: QuerySet[Any, Any], *, size: int = PAGE_SIZE) -> Page:
    """The page of ``queryset`` the request's ``after`` / ``before`` / ``page`` parameters ask for.

    One query per page (two when a cursor's rows have gone since the link was drawn: then the first or
    last page is shown). A bad token or page number is the first page, never an error.
    """
    query = request.GET
    params = other_params(query)
    shown = _shown_number(query.get("page"))
    plain_number = shown if shown is not None and 1 < shown <= MAX_OFFSET_PAGE else 1
    keys = ordering_keys(queryset)
    if keys is None:  # an ordering that cannot be seeked: bounded OFFSET paging
        rows, has_next = _offset_page(queryset, plain_number, size)
        return Page(
            rows, plain_number, size, has_next, has_previous=plain_number > 1, params=params, seek=False
        )
    queryset = queryset.order_by(*(k.order for k in keys))

    def page(
        rows: list[Any], number: int | None, *, has_next: bool, has_previous: bool, from_end: int = 0
    ) -> Page:
        return Page(
            rows,
            number,
            size,
            has_next,
            has_previous=has_previous,
            from_end=from_end,
            next_cursor=encode_cursor(keys, queryset, rows[-1]) if has_next and rows else "",
            previous_cursor=encode_cursor(keys, queryset, rows[0]) if has_previous and rows else "",
            params=params,
        )

    def last_page() -> Page:
        rows, more = seek_page(queryset, keys, size=size, last=True)
        return page(rows, None if more else 1, has_next=False, has_previous=more, from_end=1 if more else 0)

    def first_page() -> Page:
        rows, more = seek_page(queryset, keys, size=size)
        return page(rows, 1, has_next=more, has_previous=False)

    after, before = query.get("after"), query.get("before")
    if after:
        values = decode_cursor(keys, queryset, after)
        if values is None:
            return first_page()
        rows, more = seek_page(queryset, keys, size=size, after=values)
        if not rows:  # the rows after the boundary have gone
            return last_page()
        if shown is not None and shown < 0:  # counted from the end
            from_end = max(-shown, 2) if more else 1
            return page(rows, None, has_next=more, has_previous=True, from_end=from_end)
        return page(rows, max(shown or 2, 2), has_next=more, has_previous=True)
    if before is not None:
        if not before:
            return last_page()
        values = decode_cursor(keys, queryset, before)
        if values is None:
            return first_page()
        rows, more = seek_page(queryset, keys, size=size, before=values)
        if not more and len(rows) < size:  # back at the start: page 1 as it reads forward, full
            return first_page()
        if not more:
            return page(rows, 1, has_next=True, has_previous=False)
        if shown is not None and shown < 0:
            return page(rows, None, has_next=True, has_previous=True, from_end=max(-shown, 2))
        return page(rows, max(shown or 2, 2), has_next=True, has_previous=True)
    if plain_number == 1:
        return first_page()
    rows, has_next = _offset_page(queryset, plain_number, size)
    if not rows:  # an old link past the end of a list that has shrunk
        return last_page()
    return page(rows, plain_number, has_next=has_next, has_previous=True)
