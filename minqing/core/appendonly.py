"""The PostgreSQL trigger that makes a hash-chained table append-only (``core.hashchain``; SQLite: none)."""

from __future__ import annotations


def append_only_sql(
    table: str, *, purge_setting: str | None = None, time_column: str = "", min_age_days: int = 0
) -> tuple[str, str]:
    """(forward, reverse) SQL of a trigger refusing UPDATE and DELETE on ``table`` (PostgreSQL).

    One exception when ``purge_setting`` is given: DELETE of rows older than ``min_age_days`` inside a
    transaction that ran ``SET LOCAL <purge_setting> = 'on'`` (the retention purge). Without it, no row is
    ever deleted (the visit log). TRUNCATE is not a row event; only the table owner may run it, so the
    application should not connect as the owner in production.
    """
    function = f"{table}_append_only"
    purge = (
        ""
        if purge_setting is None
        else f"""    IF TG_OP = 'DELETE' AND current_setting('{purge_setting}', true) = 'on' THEN
        IF OLD.{time_column} < now() - interval '{int(min_age_days)} days' THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION '{table} is append-only: row % is younger than {int(min_age_days)} days and cannot be purged',
            OLD.id USING ERRCODE = 'restrict_violation';
    END IF;
"""
    )
    forward = f"""
CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
{purge}    RAISE EXCEPTION '{table} is append-only: % refused', TG_OP USING ERRCODE = 'restrict_violation';
END
$$;
CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION {function}();
"""
    reverse = f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}; DROP FUNCTION IF EXISTS {function}();"
    return forward, reverse
