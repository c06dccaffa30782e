"""Production settings (DEBUG, TESTING and the demo all off) turn on every cookie and header protection."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
NAMES = [
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_SAMESITE",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_SSL_REDIRECT",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "X_FRAME_OPTIONS",
    "MIDDLEWARE",
]
SCRIPT = f"""
import json
from django.conf import settings
print(json.dumps({{name: getattr(settings, name) for name in {NAMES!r}}}))
"""


def production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment of a production start (DEBUG, TESTING and the demo off), for a subprocess."""
    return {
        "PATH": "/usr/bin:/bin",
        "SECRET_KEY": "a-long-random-production-secret-key-0123456789-abcdefghijklmnop",
        "DEBUG": "0",
        "TESTING": "0",
        "ALLOWED_HOSTS": "minqing.example.org",
        "FIELD_ENCRYPTION_KEYS": "k1:" + "A" * 43 + "=",
        "MINQING_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "minqing.settings",
        **extra,
    }


def production_settings(tmp_path: Path, **extra: str) -> dict:
    env = production_env(tmp_path, **extra)
    result = subprocess.run(  # noqa: S603 - our own interpreter, manage.py and a constant script
        [sys.executable, "manage.py", "shell", "-c", SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_cookies_and_headers(tmp_path):
    values = production_settings(tmp_path)
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SESSION_COOKIE_HTTPONLY"] is True
    assert values["SESSION_COOKIE_SAMESITE"] in {"Lax", "Strict"}
    assert values["CSRF_COOKIE_SAMESITE"] in {"Lax", "Strict"}
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert values["SECURE_REFERRER_POLICY"] in {"same-origin", "strict-origin", "no-referrer"}
    assert values["X_FRAME_OPTIONS"] == "DENY"
    middleware = values["MIDDLEWARE"]
    assert "minqing.core.no_store.NoStoreMiddleware" in middleware
    # After WhiteNoise, so static files keep their caching.
    assert middleware.index("whitenoise.middleware.WhiteNoiseMiddleware") < middleware.index(
        "minqing.core.no_store.NoStoreMiddleware"
    )


def test_demo_keeps_plain_http_but_not_the_header_protections(tmp_path):
    values = production_settings(tmp_path, MINQING_DEMO="1")
    assert values["SESSION_COOKIE_SECURE"] is False
    assert values["SECURE_HSTS_SECONDS"] == 0
    assert values["SECURE_REFERRER_POLICY"] == "same-origin"
    assert values["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert "minqing.core.no_store.NoStoreMiddleware" in values["MIDDLEWARE"]
