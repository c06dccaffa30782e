"""Person links copy their person's household (``PERSON_COPIES``), and the scope index carries it.

At 1,000,000 households (18.5 M person links) on PostgreSQL the fill and the index rebuild take a few
minutes: see docs/operations.md, "Upgrades that rewrite big tables".
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

FILL_POSTGRESQL = """
UPDATE tags_persontag l SET household_id = p.household_id
FROM registry_person p WHERE p.id = l.person_id
"""
FILL_OTHER = """
UPDATE tags_persontag SET
  household_id = (SELECT p.household_id FROM registry_person p WHERE p.id = tags_persontag.person_id)
"""


def fill(apps, schema_editor):
    sql = FILL_POSTGRESQL if schema_editor.connection.vendor == "postgresql" else FILL_OTHER
    schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0007_gap_indexes"),
        ("tags", "0009_persontag_age_idx"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The index goes first: the fill would otherwise update it row by row.
        migrations.RemoveIndex(model_name="persontag", name="persontag_scope_idx"),
        migrations.AddField(
            model_name="persontag",
            name="household",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="registry.household",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="persontag",
            index=models.Index(
                fields=["tag", "area_path", "person"], include=("household",), name="persontag_scope_idx"
            ),
        ),
    ]
