import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.urls import reverse

from .test_security_settings import production_env

ROOT = Path(__file__).resolve().parents[3]


def test_healthz(client, db):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_defaults_are_chinese_and_shanghai():
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert dict(settings.LANGUAGES).keys() == {"zh-hans", "en"}


def test_login_page_in_chinese_and_english(client, db):
    assert "登录" in client.get(reverse("accounts:login")).content.decode()
    client.cookies.load({settings.LANGUAGE_COOKIE_NAME: "en"})
    assert '<html lang="en">' in client.get(reverse("accounts:login")).content.decode()


def test_deploy_check_passes_with_production_settings(tmp_path):
    env = production_env(tmp_path)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_asset_loads_from_a_cdn(client, users):
    client.force_login(users.inside)
    body = client.get(reverse("home:index")).content.decode()
    assert "/static/vendor/bootstrap.min.css" in body
    assert "//cdn" not in body and "unpkg" not in body and "jsdelivr" not in body
