"""Full planner statistics on the path columns of the tag links (see ``core.db.path_statistics``)."""

from django.db import migrations

from minqing.core.db import path_statistics


class Migration(migrations.Migration):
    dependencies = [("tags", "0005_persontag_person_copies")]

    operations = [path_statistics(["tags_persontag", "tags_householdtag"])]
