"""Two-factor login (OTP_REQUIRED on): the gate on every page and API route, verify, enrol, recovery codes."""

from urllib.parse import quote

import pytest
from django.contrib import admin
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from minqing.accounts.models import LoginAttempt, User
from minqing.core.models import AuditEvent

from .otp_helpers import PASSWORD, code_of, enrol, login_verified, wrong_code

VERIFY, SETUP = "/accounts/otp/", "/accounts/otp/setup/"
PAGES = ["/", "/households/", "/persons/", "/accounts/me/", "/accounts/users/", "/audit/", "/admin/"]
API = ["/api/v1/users/me/", "/api/v1/households/", "/api/v1/areas/", "/api/schema/"]


@pytest.fixture(autouse=True)
def _otp_on(settings):
    settings.OTP_REQUIRED = True


def password_login(client, username):
    response = client.post(reverse("accounts:login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return response


def test_routes_exist():
    assert reverse("core:audit") == "/audit/"
    assert reverse("registry:person_list") == "/persons/"


def test_password_only_reaches_no_page_and_no_api(client, users):
    enrol(users.inside)
    password_login(client, "inside")
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == f"{VERIFY}?next={quote(url, safe='')}", url
    for url in API:
        response = client.get(url)
        assert response.status_code == 403, url
        assert response.json()["code"] == "otp_required", url
    response = client.post(reverse("registry:household_create"), {"address": "x"})
    assert response.status_code == 302 and response["Location"] == VERIFY
    response = client.get("/households/", headers={"HX-Request": "true"})
    assert response.status_code == 200 and response["HX-Redirect"] == VERIFY and response.content == b""
    assert client.get(VERIFY).status_code == 200


def test_without_a_device_every_page_leads_to_enrolment(client, users):
    password_login(client, "inside")
    response = client.get("/households/")
    assert response.status_code == 302 and response["Location"] == f"{SETUP}?next=%2Fhouseholds%2F"
    assert client.get(VERIFY)["Location"] == SETUP


def test_a_right_code_opens_the_session_under_a_new_key(client, users):
    device, _codes = enrol(users.inside)
    password_login(client, "inside")
    before = client.session.session_key
    response = client.post(VERIFY, {"code": code_of(device), "next": "/households/"})
    assert response.status_code == 302 and response["Location"] == "/households/"
    assert client.session.session_key != before
    for url in PAGES[:-1]:  # the admin site is for staff
        assert client.get(url).status_code in (200, 403), url
    assert client.get("/households/").status_code == 200
    assert client.get("/api/v1/users/me/").status_code == 200
    assert LoginAttempt.objects.filter(user=users.inside, success=True, reason="otp").count() == 1
    assert client.post(VERIFY, {"code": code_of(device, 1)})["Location"] == "/"  # already verified


def test_the_same_code_is_not_accepted_twice(client, users):
    device, _codes = enrol(users.inside)
    code = code_of(device)
    password_login(client, "inside")
    assert client.post(VERIFY, {"code": code}).status_code == 302
    client.logout()
    password_login(client, "inside")
    response = client.post(VERIFY, {"code": code})
    assert response.status_code == 200 and "动态码不正确或已使用过" in response.content.decode()


def test_a_recovery_code_works_once_and_is_audited(client, users):
    _device, codes = enrol(users.inside, codes=True)
    assert len(codes) == 10 and len(set(codes)) == 10
    password_login(client, "inside")
    response = client.post(VERIFY, {"code": codes[0].upper()})
    assert response.status_code == 302 and response["Location"] == "/"
    event = AuditEvent.objects.get(verb="account.otp_recovery_used")
    assert event.actor == users.inside and event.changes == {"recovery_codes_left": 9}
    client.logout()
    password_login(client, "inside")
    assert client.post(VERIFY, {"code": codes[0]}).status_code == 200
    assert client.get("/").status_code == 302
    assert client.post(VERIFY, {"code": codes[1]}).status_code == 302


def test_wrong_codes_lock_the_account_and_a_new_login_gives_no_new_guesses(client, users, settings):
    device, _codes = enrol(users.inside)
    password_login(client, "inside")
    for _i in range(settings.LOGIN_MAX_FAILURES - 1):
        response = client.post(VERIFY, {"code": wrong_code(device)})
        assert response.status_code == 200 and "动态码不正确" in response.content.decode()
    client.logout()
    password_login(client, "inside")  # the right password does not reset the count of wrong codes
    assert User.objects.get(pk=users.inside.pk).otp_failures == settings.LOGIN_MAX_FAILURES - 1
    response = client.post(VERIFY, {"code": wrong_code(device)})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")
    assert not client.session.get("_auth_user_id")  # the half-open session ended
    user = User.objects.get(pk=users.inside.pk)
    assert user.is_locked and user.otp_failures == 0
    assert AuditEvent.objects.filter(verb="account.locked", target_id=str(user.pk)).exists()
    response = client.post(reverse("accounts:login"), {"username": "inside", "password": PASSWORD})
    assert response.status_code == 200 and "账号已锁定" in response.content.decode()
    assert LoginAttempt.objects.filter(user=user, reason="bad_otp").count() == settings.LOGIN_MAX_FAILURES


def test_a_right_code_resets_the_count(client, users, settings):
    device, _codes = enrol(users.inside)
    password_login(client, "inside")
    client.post(VERIFY, {"code": wrong_code(device)})
    assert User.objects.get(pk=users.inside.pk).otp_failures == 1
    assert client.post(VERIFY, {"code": code_of(device)}).status_code == 302
    assert User.objects.get(pk=users.inside.pk).otp_failures == 0


@pytest.mark.parametrize("name", ["desk", "health", "supervisor", "nobody"])
def test_roles_without_sensitive_rights_are_not_asked(client, users, name):
    user = getattr(users, name)
    password_login(client, user.username)
    assert client.get("/").status_code == 200
    assert client.get("/api/v1/users/me/").status_code == 200
    assert client.get(SETUP)["Location"] == reverse("accounts:me")  # nothing to enrol


@pytest.mark.parametrize("name", ["inside", "above", "grid", "county", "data_admin", "admin"])
def test_sensitive_roles_and_superusers_are_asked(client, users, name):
    user = getattr(users, name)
    password_login(client, user.username)
    assert client.get("/")["Location"] == f"{SETUP}?next=%2F"


def test_staff_are_asked(client, users):
    User.objects.filter(pk=users.desk.pk).update(is_staff=True)
    password_login(client, "desker")
    assert client.get("/admin/")["Location"] == f"{SETUP}?next=%2Fadmin%2F"


def test_with_otp_off_the_password_is_enough(client, users, settings):
    settings.OTP_REQUIRED = False
    enrol(users.inside)
    password_login(client, "inside")
    assert client.get("/households/").status_code == 200
    assert client.get("/api/v1/users/me/").status_code == 200


def test_enrolment_shows_qr_and_secret_then_recovery_codes(client, users):
    password_login(client, "inside")
    response = client.get(f"{SETUP}?next=/households/")
    body = response.content.decode()
    assert response.status_code == 200
    device = TOTPDevice.objects.get(user=users.inside, confirmed=False)
    assert '<svg width="' in body and 'class="otp-qr"' in body
    qr = body[body.index("<svg") : body.index("</svg>")]
    assert "style=" not in qr and "<script" not in qr
    secret = response.context["secret"]
    assert secret.replace(" ", "") in body.replace(" ", "")
    assert client.get(SETUP).context["secret"] == secret  # a reload keeps the secret
    response = client.post(SETUP, {"code": wrong_code(device), "next": "/households/"})
    assert response.status_code == 200 and "动态码不正确" in response.content.decode()
    assert client.get("/").status_code == 302
    response = client.post(SETUP, {"code": code_of(device), "next": "/households/"})
    assert response.status_code == 200
    codes = response.context["codes"]
    assert len(codes) == 10 and all(code in response.content.decode() for code in codes)
    assert 'href="/households/"' in response.content.decode()
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    assert StaticToken.objects.filter(device__user=users.inside).count() == 10
    assert AuditEvent.objects.filter(verb="account.otp_enrolled", actor=users.inside).count() == 1
    assert client.get("/households/").status_code == 200
    # Enrolled: the page sends to "my account", and a second enrolment is impossible.
    assert client.get(SETUP)["Location"] == reverse("accounts:me")


def test_a_password_alone_cannot_replace_the_device(client, users):
    device, _codes = enrol(users.inside)
    password_login(client, "inside")
    assert client.get(SETUP)["Location"] == VERIFY
    assert client.post(SETUP, {"code": "123456"})["Location"] == VERIFY
    assert list(TOTPDevice.objects.filter(user=users.inside)) == [device]


def test_me_page_shows_state_and_renews_recovery_codes(client, users):
    device, codes = enrol(users.inside, codes=True)
    login_verified(client, users.inside, device)
    body = client.get(reverse("accounts:me")).content.decode()
    assert "已启用" in body and "剩余恢复码：10 个" in body
    response = client.post(reverse("accounts:otp_recovery"))
    assert response.status_code == 200
    fresh = response.context["codes"]
    assert len(fresh) == 10 and not set(fresh) & set(codes)
    assert StaticDevice.objects.filter(user=users.inside).count() == 1
    assert AuditEvent.objects.filter(verb="account.otp_recovery_renewed").count() == 1
    assert client.get(reverse("accounts:otp_recovery")).status_code == 405


def test_admin_reset_deletes_the_factor_ends_sessions_and_is_audited(client, users):
    device, _codes = enrol(users.inside, codes=True)
    victim = login_verified(type(client)(), users.inside, device)
    assert victim.get("/households/").status_code == 200
    admin_device, _codes = enrol(users.data_admin)
    login_verified(client, users.data_admin, admin_device)
    body = client.get(reverse("accounts:users")).content.decode()
    assert "重置两步验证" in body
    response = client.post(reverse("accounts:user_action", args=[users.inside.pk, "otp_reset"]))
    assert response.status_code == 302 and response["Location"] == reverse("accounts:users")
    assert not TOTPDevice.objects.filter(user=users.inside).exists()
    assert not StaticDevice.objects.filter(user=users.inside).exists()
    event = AuditEvent.objects.get(verb="account.otp_reset")
    assert event.actor == users.data_admin and event.target_id == str(users.inside.pk)
    assert event.changes == {"devices_deleted": 2, "sessions_ended": 1}
    assert victim.get("/households/")["Location"].startswith(reverse("accounts:login"))
    password_login(victim, "inside")
    assert victim.get("/")["Location"] == f"{SETUP}?next=%2F"  # enrols again


def test_reset_is_forbidden_outside_the_managed_accounts(client, users, tree):
    from .factories import UserFactory, assign

    enrol(users.inside)
    other_admin = assign(UserFactory(username="keeper-u"), "data_admin", tree.u)
    for actor, status in [(users.neighbour, 403), (users.desk, 403), (other_admin, 404)]:
        device, _codes = enrol(actor)
        login_verified(client, actor, device)
        response = client.post(reverse("accounts:user_action", args=[users.inside.pk, "otp_reset"]))
        assert response.status_code == status, actor.username
    assert TOTPDevice.objects.filter(user=users.inside).exists()
    assert not AuditEvent.objects.filter(verb="account.otp_reset").exists()
    # The superuser resets anyone; nobody resets their own factor (another admin must).
    device, _codes = enrol(users.admin)
    login_verified(client, users.admin, device)
    client.post(reverse("accounts:user_action", args=[users.admin.pk, "otp_reset"]))
    assert TOTPDevice.objects.filter(user=users.admin).exists()
    client.post(reverse("accounts:user_action", args=[users.inside.pk, "otp_reset"]))
    assert not TOTPDevice.objects.filter(user=users.inside).exists()


def test_django_admin_shows_no_secrets(client, users):
    assert not admin.site.is_registered(TOTPDevice)
    assert not admin.site.is_registered(StaticDevice)
    device, _codes = enrol(users.admin)
    login_verified(client, users.admin, device)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 404
    body = client.get(reverse("admin:accounts_user_change", args=[users.inside.pk])).content.decode()
    assert device.key not in body
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "reset_second_factor", "_selected_action": [users.grid.pk]},
    )
    assert response.status_code == 302
    assert AuditEvent.objects.filter(verb="account.otp_reset", target_id=str(users.grid.pk)).exists()
