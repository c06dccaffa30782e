"""Open pairings for the households that already name a 帮扶责任人 (kept before pairings had a history)."""

from django.db import migrations
from django.utils import timezone


def adopt(apps, schema_editor):
    Household = apps.get_model("registry", "Household")
    Pairing = apps.get_model("assistance", "Pairing")
    today = timezone.localdate()
    rows = (
        Household.objects.filter(responsible_cadre__isnull=False)
        .order_by("pk")
        .values_list("pk", "responsible_cadre_id", "area_path", "created_at")
    )
    batch = []
    for pk, cadre_id, area_path, created_at in rows.iterator(chunk_size=2000):
        started = timezone.localtime(created_at).date() if created_at else today
        batch.append(Pairing(household_id=pk, cadre_id=cadre_id, area_path=area_path, started_on=started))
        if len(batch) >= 2000:
            Pairing.objects.bulk_create(batch)
            batch = []
    Pairing.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [
        ("assistance", "0001_initial"),
        ("registry", "0011_land_not_negative_validators"),
    ]

    operations = [migrations.RunPython(adopt, migrations.RunPython.noop)]
