"""Account services check the target is one the actor manages, whoever calls them (page, admin, shell)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from minqing.accounts.models import User
from minqing.accounts.roles import Role
from minqing.accounts.selectors import manageable_users
from minqing.accounts.services import user_disable, user_unlock
from minqing.accounts.tests.factories import UserFactory, assign
from minqing.core.models import AuditEvent

SERVICES = [user_disable, user_unlock]


@pytest.fixture
def two_townships(users, tree):
    """A cadre of village V who also holds a role in township U (outside the data admin's township T)."""
    return assign(
        assign(UserFactory(username="twofold"), Role.VILLAGE_CADRE, tree.v), Role.VILLAGE_CADRE, tree.u
    )


def lock(user: User) -> None:
    User.objects.filter(pk=user.pk).update(locked_until=timezone.now() + timezone.timedelta(minutes=10))


def test_manageable_users_of_a_township_admin(users, two_townships):
    names = set(manageable_users(users.data_admin).values_list("username", flat=True))
    assert {"inside", "neighbour", "above", "gridder", "keeper"} <= names
    assert not names & {"leader", "desker", "doctor", "watcher", "root", "nobody", "twofold"}


def test_an_inactive_assignment_outside_does_not_count(users, tree):
    moved = assign(UserFactory(username="moved"), Role.VILLAGE_CADRE, tree.v)
    assign(moved, Role.VILLAGE_CADRE, tree.x)
    moved.assignments.filter(area=tree.x).update(is_active=False)
    assert manageable_users(users.data_admin).filter(pk=moved.pk).exists()


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize("target", ["county", "admin", "nobody", "two_townships"])
def test_township_admin_cannot_touch_users_outside_their_area(users, two_townships, service, target):
    user = two_townships if target == "two_townships" else getattr(users, target)
    lock(user)
    with pytest.raises(Http404):
        service(actor=users.data_admin, user=user)
    user.refresh_from_db()
    assert user.is_active and user.is_locked
    assert not AuditEvent.objects.filter(verb__startswith="account.").exists()


@pytest.mark.parametrize("service", SERVICES)
def test_users_without_the_manage_right_are_refused(users, service):
    with pytest.raises(PermissionDenied):
        service(actor=users.above, user=users.inside)
    with pytest.raises(PermissionDenied):
        service(actor=users.county, user=users.inside)  # the county leader views everything, manages nothing


def test_township_admin_disables_and_unlocks_inside_their_area(users):
    lock(users.inside)
    unlocked = user_unlock(actor=users.data_admin, user=users.inside)
    assert not unlocked.is_locked
    disabled = user_disable(actor=users.data_admin, user=users.inside.pk)  # a primary key works too
    assert not disabled.is_active and not User.objects.get(pk=users.inside.pk).is_active
    assert list(AuditEvent.objects.order_by("id").values_list("verb", flat=True)) == [
        "account.unlocked",
        "account.disabled",
    ]


def test_superuser_manages_everyone_but_not_themself(users):
    user_disable(actor=users.admin, user=users.county)
    assert not User.objects.get(pk=users.county.pk).is_active
    with pytest.raises(ValidationError):
        user_disable(actor=users.admin, user=users.admin)


def test_disabled_superuser_manages_nobody(users):
    User.objects.filter(pk=users.admin.pk).update(is_active=False)
    users.admin.refresh_from_db()
    assert not manageable_users(users.admin).exists()
    with pytest.raises(PermissionDenied):
        user_disable(actor=users.admin, user=users.inside)


# ----------------------------------------------------------------------------------------- the page


def action_url(user: User, action: str) -> str:
    return reverse("accounts:user_action", args=[user.pk, action])


@pytest.mark.parametrize("action", ["disable", "unlock"])
@pytest.mark.parametrize("target", ["county", "admin", "nobody", "two_townships"])
def test_page_answers_404_for_users_outside_the_area(client, users, two_townships, action, target):
    user = two_townships if target == "two_townships" else getattr(users, target)
    client.force_login(users.data_admin)
    assert client.post(action_url(user, action)).status_code == 404
    assert User.objects.get(pk=user.pk).is_active


@pytest.mark.parametrize("action", ["disable", "unlock"])
def test_page_answers_403_without_the_manage_right(client, users, action):
    client.force_login(users.above)
    assert client.post(action_url(users.inside, action)).status_code == 403
    assert User.objects.get(pk=users.inside.pk).is_active


def test_page_answers_404_for_unknown_user_or_action(client, users):
    client.force_login(users.data_admin)
    assert client.post(reverse("accounts:user_action", args=[999999, "disable"])).status_code == 404
    assert client.post(action_url(users.inside, "delete")).status_code == 404


def test_page_disables_and_unlocks_inside_the_area(client, users):
    lock(users.inside)
    client.force_login(users.data_admin)
    assert client.post(action_url(users.inside, "unlock")).status_code == 302
    assert not User.objects.get(pk=users.inside.pk).is_locked
    assert client.post(action_url(users.inside, "disable")).status_code == 302
    assert not User.objects.get(pk=users.inside.pk).is_active


def test_page_explains_why_an_admin_cannot_disable_themself(client, users):
    client.force_login(users.data_admin)
    response = client.post(action_url(users.data_admin, "disable"), follow=True)
    assert response.status_code == 200 and "不能停用自己的账号" in response.content.decode()
    assert User.objects.get(pk=users.data_admin.pk).is_active


def test_a_new_password_is_audited_without_the_password(db):
    from minqing.accounts.tests.factories import UserFactory
    from minqing.core.models import AuditEvent

    user = UserFactory(username="pw")
    user.set_password("Another-long-password-9")
    user.save()
    event = AuditEvent.objects.get(verb="account.password_changed")
    assert event.target_id == str(user.pk) and "Another" not in str(event.changes)
