"""The household page (一户一页) and the person page run a fixed list of queries, whatever the household holds.

Each test names the queries a page runs, table by table, for a village cadre (who may change and reveal)
and a county leader (who may only view), on a household with one and with twelve of everything: members,
houses, economy years, attachments, tags and history. An added query fails with the list that shows
where it came from. Left out is only the session write, which belongs to the session middleware (at most
once a minute, ``core/sessions.py``) and which a test transaction wraps in SAVEPOINT / RELEASE.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from minqing.core import audit
from minqing.core.scoping import can
from minqing.registry.models import Attachment, CustomField, EconomyYear, House, Household
from minqing.registry.tests.factories import PersonFactory
from minqing.tags.models import HouseholdTag, PersonTag, Tag
from minqing.tags.services import sync_catalog

#: The household page: session, user, the user's assignments (scope, memoised for the request), the
#: household with its area, grid, cadre and the user's change/reveal rights, its members, houses and
#: economy years, its history, the custom field list, the tag panel, the attachments.
HOUSEHOLD_PAGE = [
    "django_session",
    "accounts_user",
    "accounts_assignment",
    "registry_household",
    "registry_person",
    "registry_house",
    "registry_economyyear",
    "core_auditevent",
    "registry_customfield",
    "tags_tag",
    "assistance_pairing",  # the 结对帮扶 panel (assistance): pairings, then plans with their measures
    "assistance_assistanceplan",
    "registry_attachment",
]
#: The person page: the person with household, area, grid and rights; history; tag panel; attachments.
PERSON_PAGE = [
    "django_session",
    "accounts_user",
    "accounts_assignment",
    "registry_person",
    "core_auditevent",
    "tags_tag",
    "registry_attachment",
]
SESSION_WRITE = re.compile(r'^(SAVEPOINT|RELEASE SAVEPOINT|UPDATE "django_session")')
# The table of the first selected column, else the first one named (``SELECT 1 AS "a" FROM …`` probes).
TABLE = re.compile(r'^SELECT (?:DISTINCT )?"(\w+)"\.|\bFROM "(\w+)"')


class Page:
    """One request's queries (the session write left out) and the page it answered."""

    def __init__(self, client, url: str) -> None:
        client.get(url)  # the first request after the login saves the session
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        self.body = response.content.decode()
        self.sql = [q["sql"] for q in captured.captured_queries if not SESSION_WRITE.match(q["sql"])]
        self.tables = [self.table(sql) for sql in self.sql]

    @staticmethod
    def table(sql: str) -> str:
        match = TABLE.search(sql)
        return (match.group(1) or match.group(2)) if match else sql[:60]

    def assert_queries(self, expected: list[str]) -> None:
        assert self.tables == expected, "\n".join(
            f"{t}: {sql[:300]}" for t, sql in zip(self.tables, self.sql, strict=False)
        )


def fill(household: Household, users, n: int, start: int = 0) -> None:
    """Give ``household`` members ``start`` to ``start + n - 1``, each with a house, an economy year, an
    attachment, a person tag and a history event, and the household up to ``start + n`` tags."""
    members = [
        PersonFactory(household=household, relation="20", name=f"龙子{i}") for i in range(start, start + n)
    ]
    person_tags = list(Tag.objects.filter(target="person", is_active=True)[start : start + n])
    household_tags = list(Tag.objects.filter(target="household", is_active=True)[: start + n])
    for i, member in enumerate(members, start):
        House.objects.create(
            area=household.area, area_path=household.area_path, address=f"鱼塘村{i}号", household=household
        )
        EconomyYear.objects.create(
            household=household,
            area_path=household.area_path,
            year=2010 + i,
            population=3,
            wage_income=Decimal(12000 + i),
            net_per_capita=Decimal(4000),
        )
        Attachment.objects.create(
            household=household,
            person=member if i % 2 else None,
            area_path=household.area_path,
            grid_path=household.grid_path,
            file=f"attachments/{i}.pdf",
            original_name=f"证明{i}.pdf",
            content_type="application/pdf",
            size=1000 + i,
            uploaded_by=users.inside,
        )
        audit.record(
            actor=users.inside,
            verb="registry.person.updated",
            target=member,
            household_id=household.pk,
            changes={"电话": ["138****1111", "139****2222"]},
        )
        if i - start < len(person_tags):
            PersonTag.objects.create(
                tag=person_tags[i - start],
                person=member,
                area_path=member.area_path,
                grid_path=member.grid_path,
            )
    for tag in household_tags:
        HouseholdTag.objects.get_or_create(
            tag=tag,
            household=household,
            defaults={"area_path": household.area_path, "grid_path": household.grid_path},
        )


@pytest.fixture
def catalog(db):
    sync_catalog()
    CustomField.objects.create(key="pv", label="是否安装光伏", kind="bool")
    CustomField.objects.create(key="crop", label="主要作物", kind="text", is_active=False)


@pytest.mark.parametrize("who", ["inside", "county"])
def test_household_page_runs_the_same_queries_for_one_or_twelve_of_everything(
    login, users, records, catalog, who
):
    client = login(getattr(users, who))
    url = reverse("registry:household", args=[records.hv.pk])
    fill(records.hv, users, 1)
    Page(client, url).assert_queries(HOUSEHOLD_PAGE)
    fill(records.hv, users, 11, start=1)
    page = Page(client, url)
    page.assert_queries(HOUSEHOLD_PAGE)
    body = page.body
    assert body.count('href="/persons/') >= 13 and body.count('data-testid="attachment-card"') == 12
    assert body.count("鱼塘村") >= 12 and "2021" in body and body.count("139****2222") == 12
    assert "是否安装光伏" in body and "主要作物" not in body
    # The rights came with the household: buttons for the cadre, none for the county leader.
    assert ('hx-post="/reveal/' in body) is (who == "inside")
    assert ('value="unset"' in body or "添加标签" in body) is (who == "inside")
    assert (reverse("registry:household_edit", args=[records.hv.pk]) in body) is (who == "inside")


def test_household_page_skips_the_custom_field_list_when_none_is_active(login, users, records, catalog):
    CustomField.objects.update(is_active=False)
    fill(records.hv, users, 3)
    page = Page(login(users.inside), reverse("registry:household", args=[records.hv.pk]))
    page.assert_queries([t for t in HOUSEHOLD_PAGE if t != "registry_customfield"])
    assert "是否安装光伏" not in page.body


@pytest.mark.parametrize("who", ["inside", "county"])
def test_person_page_runs_the_same_queries_whatever_the_person_carries(login, users, records, catalog, who):
    client = login(getattr(users, who))
    url = reverse("registry:person", args=[records.pv.pk])
    Page(client, url).assert_queries(PERSON_PAGE)
    fill(records.hv, users, 6)
    for i, tag in enumerate(Tag.objects.filter(target="person", kind="manual")[:3]):
        PersonTag.objects.get_or_create(
            tag=tag, person=records.pv, defaults={"area_path": records.pv.area_path, "grid_path": ""}
        )
        Attachment.objects.create(
            household=records.hv,
            person=records.pv,
            area_path=records.hv.area_path,
            grid_path=records.hv.grid_path,
            file=f"attachments/p{i}.pdf",
            original_name=f"残疾证{i}.pdf",
            content_type="application/pdf",
            size=10,
        )
        audit.record(actor=users.inside, verb="registry.person.updated", target=records.pv, changes={"x": i})
    page = Page(client, url)
    page.assert_queries(PERSON_PAGE)
    body = page.body
    assert body.count("残疾证") == 3 and body.count('data-tag="') == 3
    assert ('hx-post="/reveal/' in body) is (who == "inside")


def test_rights_read_with_the_record_are_those_can_answers(login, users, tree, records):
    """The EXISTS columns the pages read instead of ``can()`` give its answer, for every standard user."""
    in_grid = Household.objects.create(
        number="5206221022110002",
        area=tree.v2,
        area_path=tree.v2.code,
        grid=tree.vg1,
        grid_path=tree.vg1.code,
    )
    pages = {
        "household": [records.hv, records.hw, records.hx, in_grid],
        "person": [records.pv, records.pw, records.px, PersonFactory(household=in_grid)],
    }
    for name, user in vars(users).items():
        client = login(user)
        for route, targets in pages.items():
            for target in targets:
                response = client.get(reverse(f"registry:{route}", args=[target.pk]))
                if not can(user, target, "view"):
                    assert response.status_code == 404, (name, target)
                    continue
                assert response.context["can_change"] is can(user, target, "change"), (name, target)
                assert response.context["can_reveal"] is can(user, target, "reveal"), (name, target)
