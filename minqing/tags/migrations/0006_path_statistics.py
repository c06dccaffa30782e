"""Full statistics on the tag links' path columns (PostgreSQL): see registry 0006_path_statistics."""

from django.db import migrations

TABLES = {"tags_persontag": ("area_path", "grid_path"), "tags_householdtag": ("area_path", "grid_path")}
TARGET = 1000


def set_statistics(apps, schema_editor, target=TARGET):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, columns in TABLES.items():
        for column in columns:
            schema_editor.execute(f"ALTER TABLE {table} ALTER COLUMN {column} SET STATISTICS {target}")
        schema_editor.execute(f"ANALYZE {table}")


def reset_statistics(apps, schema_editor):
    set_statistics(apps, schema_editor, target=-1)


class Migration(migrations.Migration):
    dependencies = [("tags", "0005_persontag_person_copies")]

    operations = [migrations.RunPython(set_statistics, reset_statistics)]
