"""The database half of a backup: PostgreSQL through pg_dump/pg_restore, SQLite through the backup API.

Connection settings come from the connection's ``settings_dict`` (so tests dump their own test
database) and reach pg_dump/pg_restore through ``PG*`` environment variables: a password never appears
on a command line, where ``ps`` would show it.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.db import connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from .errors import OpsError

# The name of the database dump inside an archive, per vendor.
DUMP_NAMES = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3"}

# Django setting (or OPTIONS key) → libpq environment variable.
_PG_SETTINGS = {
    "HOST": "PGHOST",
    "PORT": "PGPORT",
    "USER": "PGUSER",
    "PASSWORD": "PGPASSWORD",
    "NAME": "PGDATABASE",
}
_PG_OPTIONS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
}
_TOOL_TIMEOUT = 24 * 3600


def default_connection() -> BaseDatabaseWrapper:
    conn = connections["default"]
    if conn.vendor not in DUMP_NAMES:
        raise OpsError(
            f"不支持的数据库类型：{conn.vendor}（只支持 PostgreSQL 和 SQLite）。",
            f"Unsupported database vendor {conn.vendor!r} (PostgreSQL and SQLite only).",
        )
    return conn


def database_size(conn: BaseDatabaseWrapper) -> int:
    """Bytes the database takes now: the upper bound used to estimate the size of its dump."""
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            cursor.execute("SELECT pg_database_size(current_database())")
        else:
            cursor.execute("SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()")
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def applied_migrations(conn: BaseDatabaseWrapper) -> list[tuple[str, str]]:
    return sorted(MigrationRecorder(conn).applied_migrations())


def known_migrations() -> set[tuple[str, str]]:
    """Every migration this code ships (on disk), whether applied or not."""
    return set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)


def find_tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise OpsError(
            f"找不到 {name}：请安装与数据库服务器版本一致的 PostgreSQL 客户端（postgresql-client）。",
            f"{name} was not found on PATH: install the PostgreSQL client matching the server version.",
        )
    return path


def pg_environment(conn: BaseDatabaseWrapper) -> dict[str, str]:
    """The process environment with the connection's settings as PG* variables (and none left over)."""
    env = dict(os.environ)
    settings_dict = conn.settings_dict
    options = settings_dict.get("OPTIONS") or {}
    pairs = [(var, settings_dict.get(key)) for key, var in _PG_SETTINGS.items()]
    pairs += [(var, options.get(key)) for key, var in _PG_OPTIONS.items()]
    for var, value in pairs:
        if value not in (None, ""):
            env[var] = str(value)
        elif var != "PGPASSWORD":  # a password from the environment (or ~/.pgpass) may still apply
            env.pop(var, None)
    return env


def _run(conn: BaseDatabaseWrapper, args: list[str], what: str) -> str:
    try:
        result = subprocess.run(  # noqa: S603 - fixed arguments, no shell
            args,
            env=pg_environment(conn),
            capture_output=True,
            text=True,
            timeout=_TOOL_TIMEOUT,
            check=False,
        )
    except OSError as error:
        raise OpsError(f"无法运行 {what}：{error}", f"Could not run {what}: {error}") from error
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip()[-2000:]
        raise OpsError(
            f"{what} 失败（退出码 {result.returncode}）：{detail}",
            f"{what} failed (exit code {result.returncode}).",
        )
    return result.stdout


def dump_database(conn: BaseDatabaseWrapper, target: Path) -> None:
    """Write a consistent dump of the database to ``target`` while the application keeps running."""
    if conn.vendor == "postgresql":
        pg_dump = find_tool("pg_dump")
        _run(conn, [pg_dump, "--format=custom", "--no-password", f"--file={target}"], "pg_dump")
        return
    # SQLite's online backup API copies a consistent snapshot, even with writers in other processes.
    conn.ensure_connection()
    destination = sqlite3.connect(target)
    try:
        conn.connection.backup(destination)
    finally:
        destination.close()


def pg_tables_in_dump(conn: BaseDatabaseWrapper, dump: Path) -> set[tuple[str, str]]:
    """(schema, table) of every table in a pg_dump custom-format file; fails when the file is unreadable."""
    listing = _run(conn, [find_tool("pg_restore"), "--list", str(dump)], "pg_restore --list")
    tables = set()
    for line in listing.splitlines():
        if line.startswith(";"):
            continue
        parts = line.split()
        # "215; 1259 16390 TABLE public accounts_user postgres"
        if len(parts) >= 6 and parts[3] == "TABLE":
            tables.add((parts[4], parts[5]))
    return tables


def check_dump(conn: BaseDatabaseWrapper, dump: Path) -> None:
    """Refuse a dump the database tools cannot read, before anything is changed."""
    if conn.vendor == "postgresql":
        if not pg_tables_in_dump(conn, dump):
            raise OpsError(
                "备份中的数据库转储没有任何数据表。", "The database dump in the archive holds no tables."
            )
        return
    try:
        source = sqlite3.connect(f"file:{dump}?mode=ro", uri=True)
        try:
            result = source.execute("PRAGMA integrity_check").fetchone()
        finally:
            source.close()
    except sqlite3.Error as error:
        result = (str(error),)
    if not result or result[0] != "ok":
        raise OpsError(
            f"备份中的 SQLite 数据库已损坏：{result}",
            f"The SQLite database in the archive is damaged: {result}",
        )


def restore_database(conn: BaseDatabaseWrapper, dump: Path) -> None:
    """Replace the configured database's contents with ``dump``: all or nothing."""
    if conn.vendor == "postgresql":
        _restore_postgresql(conn, dump)
        return
    # The backup API in reverse writes the live file in one write transaction: readers in other
    # processes see either the old database or the restored one, never a mix.
    conn.ensure_connection()
    source = sqlite3.connect(f"file:{dump}?mode=ro", uri=True)
    try:
        source.backup(conn.connection)
    except sqlite3.Error as error:
        raise OpsError(f"SQLite 恢复失败：{error}", f"SQLite restore failed: {error}") from error
    finally:
        source.close()


def _restore_postgresql(conn: BaseDatabaseWrapper, dump: Path) -> None:
    pg_restore = find_tool("pg_restore")
    archived = pg_tables_in_dump(conn, dump)
    name = str(conn.settings_dict["NAME"])
    conn.close()  # hold no locks while pg_restore drops and recreates the tables
    _run(
        conn,
        [
            pg_restore,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            "--no-password",
            f"--dbname={name}",
            str(dump),
        ],
        "pg_restore",
    )
    # Tables the archive does not know (created by migrations newer than the archive) would make the
    # following `migrate` fail with "relation already exists": they go, in one transaction.
    with transaction.atomic(using=conn.alias), conn.cursor() as cursor:
        cursor.execute(
            "SELECT schemaname, tablename FROM pg_tables WHERE schemaname = ANY(current_schemas(false))"
        )
        extra = sorted(set(cursor.fetchall()) - archived)
        for schema, table in extra:
            cursor.execute(
                f"DROP TABLE IF EXISTS {conn.ops.quote_name(schema)}.{conn.ops.quote_name(table)} CASCADE"
            )
