"""Registry benchmark: household list by area, the household page, lookups by ID number, phone and name.

Usage (a database of its own; the script seeds it once with the demo county):
    DATABASE_URL=sqlite:///var/bench-100k.sqlite3 .venv/bin/python bench/registry.py --households 100000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/minqing_bench .venv/bin/python bench/registry.py --households 1000000

Pages are measured through Django's test client (URL routing, scoping, queries and template rendering);
each is printed beside the raw SQL of the query behind it, executed with a plain cursor.
"""

from __future__ import annotations

import argparse
import random

from _common import (
    database_label,
    ensure_seeded,
    get_ok,
    page_client,
    query_count,
    raw,
    report,
    sql_of,
    timed,
)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=60)
    args = parser.parse_args()
    ensure_seeded(args.households)

    from minqing.accounts.models import User
    from minqing.demo.areas import FOCUS_VILLAGE
    from minqing.registry import selectors
    from minqing.registry.filters import HouseholdFilter
    from minqing.registry.models import Household, Person

    township = User.objects.get(username="township")
    county = User.objects.get(username="county")
    client = page_client("township")
    county_client = page_client("county")
    rng = random.Random(7)
    total = Household.objects.count()
    persons = Person.objects.count()
    print(
        f"# registry benchmark on {database_label()}: {total:,} households, {persons:,} persons, {args.runs} runs"
    )

    rows = []

    # 1. Household list filtered by area (village inside the township), first page.
    url = f"/households/?area={FOCUS_VILLAGE}"

    def rows_of(filterset):
        return filterset.qs.values(*selectors.ROW_FIELDS)[:51]  # exactly what the list page runs

    qs = rows_of(
        HouseholdFilter({"area": FOCUS_VILLAGE}, queryset=selectors.household_list(township), user=township)
    )
    rows.append(
        (
            "household list, one village (page)",
            timed(get_ok(client, url), args.runs),
            timed(raw(*sql_of(qs)), args.runs),
            f"{query_count(get_ok(client, url))} queries",
        )
    )
    rows.append(
        (
            "household list, one village (ORM query)",
            timed(lambda qs=qs: list(qs.all()), args.runs),
            timed(raw(*sql_of(qs)), args.runs),
            "",
        )
    )
    # County-wide first page: the biggest scope.
    qs = rows_of(HouseholdFilter({}, queryset=selectors.household_list(county), user=county))
    rows.append(
        (
            "household list, whole county (page)",
            timed(get_ok(county_client, "/households/"), args.runs),
            timed(raw(*sql_of(qs)), args.runs),
            "",
        )
    )
    rows.append(
        (
            "household list, whole county (ORM query)",
            timed(lambda qs=qs: list(qs.all()), args.runs),
            timed(raw(*sql_of(qs)), args.runs),
            "",
        )
    )

    # 2. The household page (一户一页), several households; query count must not grow with members.
    ids = list(Household.objects.filter(area_path__startswith="520622102").values_list("pk", flat=True)[:200])
    sample = rng.sample(ids, min(20, len(ids)))
    cursor_index = iter(range(10**9))

    def household_page():
        pk = sample[next(cursor_index) % len(sample)]
        return get_ok(client, f"/households/{pk}/")()

    def household_raw():
        pk = sample[next(cursor_index) % len(sample)]
        raw("SELECT * FROM registry_household WHERE id = %s", [pk])()
        raw("SELECT * FROM registry_person WHERE household_id = %s", [pk])()

    counts = {query_count(get_ok(client, f"/households/{pk}/")) for pk in sample[:5]}
    rows.append(
        (
            "household page",
            timed(household_page, args.runs),
            timed(household_raw, args.runs),
            f"queries per page: {sorted(counts)}",
        )
    )

    # 3. Exact lookups through the one search box.
    person = (
        Person.objects.filter(area_path__startswith="520622102")
        .exclude(id_number=None)
        .order_by("pk")[len(ids) // 2]
    )
    phone = (
        Household.objects.filter(area_path__startswith="520622102")
        .exclude(phone="")
        .order_by("pk")
        .values_list("phone", flat=True)[7]
    )
    name = (
        Household.objects.filter(area_path__startswith="520622102")
        .order_by("pk")
        .values_list("head_name", flat=True)[11]
    )
    for label, query in (
        ("lookup by ID number", person.id_number),
        ("lookup by phone", phone),
        ("lookup by head name", name),
    ):
        qs = rows_of(
            HouseholdFilter({"q": query}, queryset=selectors.household_list(township), user=township)
        )
        page_url = f"/households/?q={query}"
        rows.append(
            (
                label + " (page)",
                timed(get_ok(client, page_url), args.runs),
                timed(raw(*sql_of(qs)), args.runs),
                "",
            )
        )
        rows.append(
            (
                label + " (ORM query)",
                timed(lambda qs=qs: list(qs.all()), args.runs),
                timed(raw(*sql_of(qs)), args.runs),
                "",
            )
        )
    report(rows)


if __name__ == "__main__":
    main()
