"""Oversight benchmark: the supervisor's 查看与导出监督 page and the per-reveal limit count, at audit-log scale.

Inside one transaction that is rolled back at the end (the audit log is append-only: nothing is deleted),
``--rows`` reveal and export audit rows are written for ``--users`` users over the last 30 days, spread
over the county's villages (a heavy user gets a tenth of them). Then, warm, through the test client:
    the page as the county supervisor: first page, page 2, the last page, and a village supervisor's view;
    the page with none of those rows (before they are written: the empty case);
    the count ``core.limits.reveal_allowed`` runs before every reveal, for the heavy user and a light one;
each beside the raw SQL of the same statements.
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/minqing_bench .venv/bin/python bench/oversight.py --rows 300000
"""

from __future__ import annotations

import argparse
import logging
import math

from _common import database_label, get_ok, page_client, query_count, replay, report, timed
from django.db import connection, transaction

PAGE = 50


def write_rows(rows: int, users: int, villages: list[str], first_actor: int) -> None:
    """Reveal (90%) and export rows, actor ids ``first_actor…``, the first actor a tenth of all (heavy)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO core_auditevent (at, actor_id, actor_name, verb, target_type, target_id, target_label,
                                         area_path, changes, ip, prev_hash, row_hash)
            SELECT now() - (random() * interval '30 days'),
                   CASE WHEN g %% 10 = 0 THEN %s ELSE %s + 1 + (g %% %s) END,
                   'bench', CASE WHEN g %% 10 = 9 THEN 'export.persons' ELSE 'sensitive.revealed' END,
                   'registry.person', g::text, 'bench', (%s::text[])[1 + g %% %s], '{}'::jsonb, '127.0.0.1', '', ''
            FROM generate_series(1, %s) AS g
            """,
            [first_actor, first_actor, users - 1, villages, len(villages), rows],
        )
        cursor.execute("ANALYZE core_auditevent")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=300_000)
    parser.add_argument("--users", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    logging.getLogger("minqing.request").setLevel(logging.WARNING)  # one log line per request otherwise

    from minqing.accounts.models import User
    from minqing.accounts.roles import Role
    from minqing.accounts.tests.factories import UserFactory, assign
    from minqing.areas.models import Area
    from minqing.core import limits
    from minqing.core.models import AuditEvent

    print(f"# oversight benchmark on {database_label()}: {args.rows:,} audit rows, {args.users:,} users")
    with transaction.atomic():
        county = page_client("supervisor")
        url = "/audit/oversight/"
        empty = timed(get_ok(county, url), args.runs)
        villages = list(Area.objects.filter(level="village").values_list("code", flat=True))
        first_actor = (User.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000
        write_rows(args.rows, args.users, villages, first_actor)
        village = villages[len(villages) // 2]
        assign(
            UserFactory(username="bench-village-supervisor"), Role.SUPERVISOR, Area.objects.get(code=village)
        )
        local = page_client("bench-village-supervisor")
        last = math.ceil(args.users / PAGE)
        rows = [("page, county, no rows yet", empty, None, "")]
        for label, client, page in (
            ("page 1, county", county, 1),
            ("page 2, county", county, 2),
            (f"last page ({last}), county", county, last),
            ("page 1, one village", local, 1),
        ):
            fetch = get_ok(client, f"{url}?page={page}")
            rows.append(
                (label, timed(fetch, args.runs), timed(replay(fetch), args.runs), f"{query_count(fetch)} q")
            )
        for label, actor in (
            ("limit count, heavy user", first_actor),
            ("limit count, light user", first_actor + 1),
        ):
            count = AuditEvent.objects.filter(
                actor_id=actor, verb=limits.REVEAL_VERB, at__gte=limits.since(1)
            )
            rows.append((label, timed(count.count, args.runs), None, f"{count.count()} in the last hour"))
        report(rows)
        transaction.set_rollback(True)


if __name__ == "__main__":
    main()
