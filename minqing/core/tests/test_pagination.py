"""Keyset paging (``core/pagination.py``): every row once and in order, forward and back, on every backend.

The lists are built with equal first ordering keys, so the tie-breakers do the work; the pager's links are
followed the way a browser would, from the HTML.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from html import unescape
from urllib.parse import parse_qs

import pytest
from django.db import connection, models
from django.db.models import F
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from minqing.core.models import AuditEvent
from minqing.core.pagination import (
    MAX_OFFSET_PAGE,
    PAGE_SIZE,
    decode_cursor,
    encode_cursor,
    ordering_keys,
    paginate,
)
from minqing.registry.models import EconomyYear, House, Household, Person

N = 120  # 50 + 50 + 20: two full pages and a short last one
NEXT = re.compile(r'href="\?([^"]*)" rel="next"')
PREV = re.compile(r'href="\?([^"]*)" rel="prev"')
HTMX = {"HTTP_HX_REQUEST": "true"}


def link(pattern: re.Pattern, body: str) -> str | None:
    found = pattern.search(body)
    return unescape(found.group(1)) if found else None


def flat(pages: list[list[str]]) -> list[str]:
    return [row for page in pages for row in page]


def follow(client, url: str, query: str, pattern: re.Pattern, shown, **extra) -> list[list[str]]:
    """The rows of every page from ``query`` on, following the ``pattern`` link until there is none."""
    pages = []
    while query is not None:
        response = client.get(f"{url}?{query}", **extra)
        assert response.status_code == 200
        body = response.content.decode()
        pages.append(shown(body))
        query = link(pattern, body)
        assert len(pages) < 20, "the pager goes round in circles"
    return pages


# ------------------------------------------------------------------------------------- households


@pytest.fixture
def households(tree):
    """N households in one group: the first ordering key (area_path) is the same for all."""
    Household.objects.bulk_create(
        Household(
            number=f"52062210221100{i:03d}",
            area=tree.v1,
            area_path=tree.v1.code,
            address=f"鱼塘村{i}号",
            head_name=f"户{i}",
            member_count=1,
        )
        for i in range(N)
    )
    return list(
        Household.objects.filter(area_path=tree.v1.code).order_by("number").values_list("number", flat=True)
    )


NUMBER = re.compile(r'<td data-label="户编号" class="small text-muted">(\d+)</td>')


def numbers(body: str) -> list[str]:
    return NUMBER.findall(body)


def test_households_forward_every_row_once_in_order(login, users, households):
    client = login(users.inside)
    pages = follow(client, reverse("registry:household_list"), "", NEXT, numbers)
    assert [len(p) for p in pages] == [50, 50, 20]
    assert flat(pages) == households


def test_households_backward_from_the_last_page(login, users, households):
    client = login(users.inside)
    body = client.get(reverse("registry:household_list"), {"before": ""}).content.decode()
    assert numbers(body) == households[-50:]  # 末页: the last full page
    # the list's count is known (共 120 户), so 末页 is numbered like the others
    assert "末页" in body and 'rel="next"' not in body and "第 3 / 3 页" in body
    pages = follow(client, reverse("registry:household_list"), "before=", PREV, numbers)
    # back at the start, page 1 is the page 1 read forward (it overlaps the page after it)
    assert pages == [households[70:], households[20:70], households[:50]]
    second = client.get(reverse("registry:household_list") + "?" + link(PREV, body)).content.decode()
    assert "第 2 / 3 页" in second
    assert link(NEXT, second) and "page=-1" in link(NEXT, second)


def test_household_pages_are_numbered_forward_and_back(login, users, households):
    client = login(users.inside)
    url = reverse("registry:household_list")
    second = client.get(url + "?" + link(NEXT, client.get(url).content.decode())).content.decode()
    assert "第 2 / 3 页" in second and numbers(second) == households[50:100]
    first = client.get(url + "?" + link(PREV, second)).content.decode()
    assert "第 1 / 3 页" in first and numbers(first) == households[:50] and 'rel="prev"' not in first


def test_tampered_or_foreign_tokens_show_the_first_page(login, users, households):
    client = login(users.inside)
    url = reverse("registry:household_list")
    token = parse_qs(link(NEXT, client.get(url).content.decode()))["after"][0]
    recent = parse_qs(link(NEXT, client.get(reverse("registry:recent")).content.decode()))["after"][0]
    for bad in ("garbage", token[:-2] + "xx", "A" + token, recent, token.split(":")[0], "%00", "::"):
        for param in ("after", "before"):
            response = client.get(url, {param: bad, "page": "7"})
            assert response.status_code == 200, (param, bad)
            assert numbers(response.content.decode()) == households[:50], (param, bad)


@pytest.mark.parametrize("page", ["5000", "101", "-3", "0", "abc", "99999999999999999999"])
def test_deep_or_bad_page_numbers_show_the_first_page(login, users, households, page):
    response = login(users.inside).get(reverse("registry:household_list"), {"page": page})
    assert response.status_code == 200
    assert numbers(response.content.decode()) == households[:50]


def test_old_page_links_still_work_by_offset(login, users, households):
    client = login(users.inside)
    body = client.get(reverse("registry:household_list"), {"page": "2"}).content.decode()
    assert numbers(body) == households[50:100] and "第 2 / 3 页" in body
    assert parse_qs(link(NEXT, body))["page"] == ["3"] and "after" in parse_qs(link(NEXT, body))
    third = client.get(reverse("registry:household_list") + "?" + link(NEXT, body)).content.decode()
    assert numbers(third) == households[100:]
    # past the end of a list that has shrunk: the last page
    shrunk = client.get(reverse("registry:household_list"), {"page": "9"}).content.decode()
    assert numbers(shrunk) == households[-50:] and "末页" in shrunk
    assert MAX_OFFSET_PAGE == 100


def test_links_keep_the_filters_and_drop_the_cursor(login, users, tree, households):
    client = login(users.inside)
    url = reverse("registry:household_list")
    first = client.get(url, {"area": tree.v1.code, "q": ""}).content.decode()
    query = parse_qs(link(NEXT, first), keep_blank_values=True)
    assert query["area"] == [tree.v1.code] and query["q"] == [""] and query["page"] == ["2"]
    second = client.get(f"{url}?{link(NEXT, first)}").content.decode()
    for pattern in (NEXT, PREV):
        query = parse_qs(link(pattern, second), keep_blank_values=True)
        assert query["area"] == [tree.v1.code]
        assert len(query.get("after", [])) + len(query.get("before", [])) == 1 and len(query["page"]) == 1


def test_pager_in_the_htmx_fragment(login, users, households):
    client = login(users.inside)
    pages = follow(client, reverse("registry:household_list"), "", NEXT, numbers, **HTMX)
    assert flat(pages) == households
    fragment = client.get(reverse("registry:household_list"), {"before": ""}, **HTMX).content.decode()
    assert "<html" not in fragment and 'data-testid="pager"' in fragment and "末页" in fragment


def test_search_and_gap_lists_page_through_every_row(login, users, households):
    """The search pages redirect to their canonical query string; paging through them still shows every row."""
    client = login(users.inside)
    pages = follow(client, reverse("search:households"), "", NEXT, numbers, follow=True)
    assert flat(pages) == households
    gap = follow(client, reverse("search:incomplete"), "list=no-grid", NEXT, numbers)
    assert flat(gap) == households


def test_one_query_per_page(users, households, django_assert_num_queries):
    rows = Household.objects.visible_to(users.inside, "view").order_by("area_path", "number")
    first = paginate(RequestFactory().get("/"), rows)
    request = RequestFactory().get("/", {"after": first.next_cursor, "page": "2"})
    with django_assert_num_queries(1):
        page = paginate(request, rows)
    assert [h.number for h in page] == households[50:100] and page.start_index == 51


def test_seek_sql_is_an_index_range(users, households):
    """PostgreSQL gets a row comparison; SQLite the expanded form with a redundant bound on the first key."""
    rows = Household.objects.visible_to(users.inside, "view").order_by("area_path", "number")
    first = paginate(RequestFactory().get("/"), rows)
    with CaptureQueriesContext(connection) as queries:
        paginate(RequestFactory().get("/", {"after": first.next_cursor}), rows)
    sql = queries[-1]["sql"]
    if connection.vendor == "postgresql":
        assert re.search(
            r'\("registry_household"\."area_path", "registry_household"\."number"\) > \(', sql
        ), sql
    else:
        assert '"registry_household"."area_path" >= ' in sql and " OR " in sql, sql
    assert "OFFSET" not in sql.upper()


# -------------------------------------------------------------------------------- the audit list


@pytest.fixture
def events(tree):
    """N audit events at the same moment (``-at`` ties everywhere), then some at other moments."""
    moment = timezone.now().replace(microsecond=123456)
    # The log is append-only: each row's moment is given when it is written (the first ten a little earlier).
    AuditEvent.objects.bulk_create(
        AuditEvent(
            verb="test.paging",
            area_path=tree.v.code,
            target_label=f"事件{i}",
            at=moment - datetime.timedelta(microseconds=i + 1) if i < 10 else moment,
        )
        for i in range(N)
    )
    return [e.target_label for e in AuditEvent.objects.filter(verb="test.paging").order_by("-at", "-id")]


LABEL = re.compile(r"(事件\d+)")


def labels(body: str) -> list[str]:
    return LABEL.findall(body)


def test_audit_descending_forward_and_back(login, users, events):
    client = login(users.supervisor)
    url = reverse("core:audit")
    forward = follow(client, url, "verb=test.paging", NEXT, labels)
    assert [len(p) for p in forward] == [50, 50, 20]
    assert flat(forward) == events
    backward = follow(client, url, "verb=test.paging&before=", PREV, labels)
    assert backward == [events[70:], events[20:70], events[:50]]


# ------------------------------------------------------------------------ keys, tokens, directions


def request(**query):
    return RequestFactory().get("/", query)


def walk(queryset, size=7) -> tuple[list, list]:
    """Every row going forward from the first page and going back from the last, with paginate itself."""
    forward, page = [], paginate(request(), queryset, size=size)
    forward += page.rows
    while page.has_next:
        page = paginate(request(after=page.next_cursor), queryset, size=size)
        forward += page.rows
    page = paginate(request(before=""), queryset, size=size)
    backward = page.rows
    while page.has_previous:
        page = paginate(request(before=page.previous_cursor), queryset, size=size)
        # page 1 is read forward, full: it may overlap the page after it
        if not page.has_previous and page.rows[-1] in backward:
            overlap = backward.index(page.rows[-1]) + 1
            assert backward[:overlap] == page.rows[-overlap:]
            backward = backward[overlap:]
        backward = page.rows + backward
    return forward, backward


@pytest.fixture
def people(tree):
    """Persons in two households, with many equal birth dates."""
    hv = Household.objects.create(
        number="P1", area=tree.v1, area_path=tree.v1.code, address="甲", head_name="甲"
    )
    hw = Household.objects.create(
        number="P2", area=tree.v2, area_path=tree.v2.code, address="乙", head_name="乙"
    )
    for i in range(40):
        Person.objects.create(
            household=hv if i % 2 else hw,
            area=tree.v1 if i % 2 else tree.v2,
            area_path=tree.v1.code if i % 2 else tree.v2.code,
            relation="20",
            name=f"人{i}",
            sex="1",
            birth_date=datetime.date(1960 + i % 4, 1, 1),
        )


@pytest.mark.parametrize(
    "ordering",
    [
        ("birth_date",),  # a date, pk added
        ("-birth_date",),
        ("area_path", "-birth_date"),  # mixed directions: the expanded OR form
        ("-area_path", "birth_date", "-id"),
        ("area_path", "household_id", "relation", "id"),  # the person list
    ],
)
def test_every_row_once_whatever_the_ordering(people, ordering):
    rows = Person.objects.order_by(*ordering)
    expected = list(rows.order_by(*ordering, "-pk" if ordering[-1].startswith("-") else "pk"))
    forward, backward = walk(rows)
    assert forward == expected and backward == expected


def test_values_rows_page_like_instances(people):
    rows = Person.objects.values("id", "name", "birth_date").order_by("-birth_date")
    expected = list(rows.order_by("-birth_date", "-id"))
    assert walk(rows) == (expected, expected)


def test_ordering_keys():
    def names(queryset):
        keys = ordering_keys(queryset)
        return keys and [k.order for k in keys]

    assert names(Household.objects.order_by("area_path", "number")) == [
        "area_path",
        "number",
    ]  # number is unique
    assert names(House.objects.all()) == ["area_path", "address", "id"]  # Meta.ordering, pk tie-breaker
    assert names(AuditEvent.objects.all()) == ["-at", "-id"]
    assert names(AuditEvent.objects.order_by(F("at").desc(), "-pk")) == ["-at", "-id"]
    assert names(Household.objects.order_by("-updated_at")) == ["-updated_at", "-id"]
    # not seekable: OFFSET paging
    assert names(EconomyYear.objects.all()) is None  # "household" orders by the household's own ordering
    assert names(House.objects.order_by("floor_area")) is None  # nullable
    assert names(Household.objects.order_by("area__name")) is None
    assert names(Household.objects.values_list("number").order_by("number")) is None


def test_offset_fallback_for_orderings_that_cannot_seek(tree):
    for i in range(3):
        House.objects.create(
            area=tree.v1, area_path=tree.v1.code, address=f"房{i}", floor_area=Decimal(10 + i)
        )
    rows = House.objects.order_by("floor_area")
    page = paginate(request(page="2"), rows, size=2)
    assert not page.seek and page.number == 2 and [h.address for h in page] == ["房2"]
    assert paginate(request(page="5000"), rows, size=2).number == 1


class Decimals(models.Model):  # noqa: DJ008 - never created: only its fields are used
    amount = models.DecimalField(max_digits=8, decimal_places=3)
    at = models.DateTimeField()
    day = models.DateField()

    class Meta:
        app_label = "core"
        managed = False


def test_tokens_round_trip_exact_values():
    values = [Decimal("12.345"), timezone.now().replace(microsecond=999999), datetime.date(2024, 2, 29), 7]
    row = Decimals(amount=values[0], at=values[1], day=values[2], id=values[3])
    queryset = Decimals.objects.order_by("amount", "-at", "day")
    keys = ordering_keys(queryset)
    token = encode_cursor(keys, queryset, row)
    assert decode_cursor(keys, queryset, token) == values
    assert decode_cursor(keys, queryset, token.replace(token[0], "x" if token[0] != "x" else "y", 1)) is None
    other = Decimals.objects.order_by("amount", "at", "day")
    assert decode_cursor(ordering_keys(other), other, token) is None  # a token of another ordering


def test_empty_list_and_a_single_page(db):
    page = paginate(request(), Household.objects.none())
    assert list(page) == [] and not page.has_next and not page.has_previous and page.start_index == 0
    assert paginate(request(before=""), Household.objects.none()).number == 1
    assert PAGE_SIZE == 50
