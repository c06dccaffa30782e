"""Key-group chart benchmark: each chart of a one-tag search, before (the list's queryset) and after (the links).

Read-only: the session is set to read-only transactions and nothing is seeded, analysed or logged in.
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/minqing_bench .venv/bin/python bench/charts.py --runs 10

Per chart, user (county, township) and tag (common 老年人, rare 高龄独居): the view through RequestFactory
(the page level without session middleware, which would write), the general path, and the raw SQL of each.
"""

from __future__ import annotations

import argparse

from _common import database_label, replay, report, timed
from django.db import connection
from django.test import RequestFactory


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--tags", default="elderly,oldest-alone")
    args = parser.parse_args()
    with connection.cursor() as cursor:
        cursor.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")

    from minqing.accounts.models import User
    from minqing.search import chart_views, charts
    from minqing.search.filters import PersonSearch

    general = charts.group_links
    print(f"# key-group chart benchmark on {database_label()}, {args.runs} runs (p50/p95 ms)")
    rows = []
    for username in ("county", "township"):
        user = User.objects.get(username=username)
        for code in args.tags.split(","):
            for dim in ("area", "age", "sex", "tag"):
                params = {"tags_all": code, "dim": dim}

                def page(params=params, user=user):
                    request = RequestFactory().get("/charts/persons/", params)
                    request.user = user
                    assert chart_views.person_chart(request).status_code == 200

                def before(params=params, user=user):
                    charts.group_links = lambda filterset, user: None
                    try:
                        return charts.person_chart(PersonSearch(params, user=user), user, params["dim"])
                    finally:
                        charts.group_links = general

                label = f"{dim} {code} {username}"
                rows.append(
                    (f"{label}: before", timed(before, args.runs), timed(replay(before), args.runs), "")
                )
                rows.append(
                    (f"{label}: after (page)", timed(page, args.runs), timed(replay(page), args.runs), "")
                )
    report(rows)


if __name__ == "__main__":
    main()
