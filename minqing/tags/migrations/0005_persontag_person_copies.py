from django.db import migrations, models

# The links were written without the copies: fill them from the persons in one statement.
FILL_POSTGRESQL = """
UPDATE tags_persontag l SET birth_date = p.birth_date, sex = p.sex
FROM registry_person p WHERE p.id = l.person_id
"""
FILL_OTHER = """
UPDATE tags_persontag SET
  birth_date = (SELECT p.birth_date FROM registry_person p WHERE p.id = tags_persontag.person_id),
  sex = (SELECT p.sex FROM registry_person p WHERE p.id = tags_persontag.person_id)
"""


def fill(apps, schema_editor):
    sql = FILL_POSTGRESQL if schema_editor.connection.vendor == "postgresql" else FILL_OTHER
    schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0005_phone_format"),
        ("tags", "0004_tagprofile"),
    ]

    operations = [
        migrations.AddField(
            model_name="persontag",
            name="birth_date",
            field=models.DateField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="persontag",
            name="sex",
            field=models.CharField(blank=True, max_length=1),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
