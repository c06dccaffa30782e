"""Full planner statistics on the path columns of households and persons (see ``core.db.path_statistics``)."""

from django.db import migrations

from minqing.core.db import path_statistics


class Migration(migrations.Migration):
    dependencies = [("registry", "0005_phone_format")]

    operations = [path_statistics(["registry_household", "registry_person"])]
