"""PostgreSQL refuses UPDATE and DELETE on the audit log, except the retention purge (SQLite: skipped)."""

from django.db import migrations

# Frozen here: the purge's transaction-local switch and the legal minimum age of a purged row.
PURGE_SETTING = "minqing.audit_purge"
MIN_AGE_DAYS = 180


def _sql():
    from minqing.core import hashchain

    return hashchain.append_only_sql(
        "core_auditevent", purge_setting=PURGE_SETTING, time_column="at", min_age_days=MIN_AGE_DAYS
    )


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_sql()[0], None)


def reverse(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_sql()[1], None)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_auditevent_hash_chain"),
    ]

    operations = [migrations.RunPython(forward, reverse)]
