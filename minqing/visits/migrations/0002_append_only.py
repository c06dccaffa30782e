"""PostgreSQL refuses UPDATE and DELETE on visit entries and their photos, with no exception (SQLite: skipped)."""

from django.db import migrations

TABLES = ("visits_visit", "visits_visitphoto")


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        from minqing.core.appendonly import append_only_sql

        for table in TABLES:
            schema_editor.execute(append_only_sql(table)[0], None)


def reverse(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        from minqing.core.appendonly import append_only_sql

        for table in TABLES:
            schema_editor.execute(append_only_sql(table)[1], None)


class Migration(migrations.Migration):
    dependencies = [
        ("visits", "0001_initial"),
    ]

    operations = [migrations.RunPython(forward, reverse)]
