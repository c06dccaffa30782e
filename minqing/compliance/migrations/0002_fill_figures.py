"""Fill the figures from the households and visits already stored (a deployment that had visits before)."""

from django.db import migrations


def fill(apps, schema_editor):
    # The set-based recount only reads the registry and the visit log and writes this app's tables.
    from minqing.compliance.rebuild import rebuild_all

    rebuild_all(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("compliance", "0001_initial"),
        ("visits", "0001_initial"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
