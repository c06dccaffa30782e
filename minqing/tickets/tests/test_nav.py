"""The menu shows 诉求工单 to every role that reads some requests, and to nobody else."""

import pytest
from django.urls import reverse

LINK = reverse("tickets:list")


@pytest.mark.parametrize(
    ("who", "shown"),
    [
        ("inside", True),
        ("above", True),
        ("stationed", True),
        ("desk", True),
        ("health", True),
        ("supervisor", True),
        ("county", True),
        ("nobody", False),
    ],
)
def test_menu_link(login, users, tree, who, shown):
    if who == "stationed":
        from minqing.accounts.roles import Role
        from minqing.accounts.tests.factories import UserFactory, assign

        user = assign(UserFactory(username="zhucun"), Role.STATIONED_CADRE, tree.v)
    else:
        user = getattr(users, who)
    body = login(user).get(reverse("home:index")).content.decode()
    assert (f'href="{LINK}"' in body) is shown
    assert login(user).get(LINK).status_code == (200 if shown else 403)
