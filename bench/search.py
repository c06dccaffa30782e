"""Search benchmark: condition search, key-group counts, name search and a distribution chart.

Usage (same database as bench/registry.py; seeds it once with the demo county):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/minqing_bench .venv/bin/python bench/search.py --households 1000000

(a) a township + two tags + age range search, first page; (b) the key-group counts of the whole county;
(c) a name search (pinyin initials and a name prefix); (d) the area distribution of one group — each
through the same selectors the pages use, beside the raw SQL of the same query.
"""

from __future__ import annotations

import argparse

from _common import database_label, ensure_seeded, get_ok, page_client, raw, replay, report, sql_of, timed


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    ensure_seeded(args.households)

    from minqing.accounts.models import User
    from minqing.registry.models import Person
    from minqing.search import charts, selectors
    from minqing.search.filters import PersonSearch, search_queryset
    from minqing.tags.models import Tag

    county = User.objects.get(username="county")
    township = User.objects.get(username="township")
    print(f"# search benchmark on {database_label()}: {Person.objects.count():,} persons, {args.runs} runs")
    rows = []

    # (a) township + two tags + age range, first page (and the capped count shown beside it).
    params = {"area": "520622102", "tags_all": "elderly,chronic", "age_min": "70", "age_max": "90"}
    qs = search_queryset(PersonSearch(params, user=township)).order_by("area_path", "household_id", "id")[:51]
    rows.append(
        (
            "(a) township+2 tags+age, first page",
            timed(lambda: list(qs.all()), args.runs),
            timed(raw(*sql_of(qs)), args.runs),
            "",
        )
    )
    full = search_queryset(PersonSearch(params, user=township))
    rows.append(
        (
            "(a) same, capped count",
            timed(lambda: selectors.capped_count(full), args.runs),
            timed(raw(*sql_of(full.values("pk")[:10001])), args.runs),
            f"n={selectors.capped_count(full)}",
        )
    )
    client = page_client("township")
    query = "&".join(f"{k}={v}" for k, v in params.items())
    rows.append(
        (
            "(a) same, whole search page",
            timed(get_ok(client, f"/search/?{query}"), args.runs),
            None,
            "rendered",
        )
    )

    # (b) key-group counts for the county leader (one grouped query per target).
    key_tags = list(Tag.objects.filter(is_key_group=True, target="person"))
    groups = lambda: selectors.key_groups(county)  # noqa: E731
    rows.append(
        (
            "(b) key-group counts, county",
            timed(groups, args.runs),
            timed(replay(groups), args.runs),
            f"{len(key_tags)} person groups + household groups",
        )
    )

    # (c) name searches.
    for label, q in (("(c) name search, initials 'lgm'", "lgm"), ("(c) name search, prefix '杨秀'", "杨秀")):
        qs = search_queryset(PersonSearch({"q": q}, user=county)).order_by("area_path", "household_id", "id")[
            :51
        ]
        rows.append(
            (label, timed(lambda qs=qs: list(qs.all()), args.runs), timed(raw(*sql_of(qs)), args.runs), "")
        )

    # (d) distribution chart of one group (独居老人) by area, whole county.
    group = {"tags_all": "living-alone"}
    for dim, label in (("area", "by area"), ("age", "by age band"), ("sex", "by sex")):
        chart = lambda dim=dim: charts.person_chart(PersonSearch(group, user=county), county, dim)  # noqa: E731
        rows.append(
            (
                f"(d) chart {label}, 独居老人, county",
                timed(chart, args.runs),
                timed(replay(chart), args.runs),
                "",
            )
        )
    report(rows)


if __name__ == "__main__":
    main()
