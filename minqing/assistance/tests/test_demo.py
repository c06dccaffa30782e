"""The demo's stationed cadre ends up with open pairings for the households named in their care."""

from io import StringIO

from django.core.management import call_command

from minqing.accounts.models import User
from minqing.assistance.models import Pairing
from minqing.registry.models import Household


def test_seed_demo_pairs_the_stationed_cadre(db):
    call_command("seed_demo", households=40, stdout=StringIO())
    stationed = User.objects.get(username="stationed")
    paired = Household.objects.filter(responsible_cadre=stationed)
    assert paired.count() == 20
    assert set(Pairing.objects.open().filter(cadre=stationed).values_list("household_id", flat=True)) == set(
        paired.values_list("pk", flat=True)
    )
    assert set(Household.objects.visible_to(stationed, "change")) == set(paired)
    call_command("seed_demo", households=40, stdout=StringIO())  # idempotent
    assert Pairing.objects.count() == 20
