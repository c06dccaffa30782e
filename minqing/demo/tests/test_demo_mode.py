"""MINQING_DEMO=1 (make demo): runs without a SECRET_KEY, and `check --deploy` refuses it."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

ROOT = Path(__file__).resolve().parents[3]


def manage(tmp_path, *args, **env):
    base = {
        "PATH": "/usr/bin:/bin",
        "DEBUG": "0",
        "TESTING": "0",
        "MINQING_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "minqing.settings",
    }
    return subprocess.run(  # noqa: S603 — our interpreter, fixed command
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_demo_mode_needs_no_secret_key_but_fails_the_deploy_check(tmp_path):
    assert manage(tmp_path, "check", MINQING_DEMO="1").returncode == 0
    result = manage(tmp_path, "check", "--deploy", MINQING_DEMO="1")
    assert result.returncode != 0
    assert "minqing.demo.E001" in result.stderr + result.stdout


def test_without_demo_mode_debug_off_needs_a_secret_key(tmp_path):
    result = manage(tmp_path, "check")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_serve_demo_refuses_to_run_outside_demo_mode():
    with pytest.raises(CommandError, match="MINQING_DEMO"):
        call_command("serve_demo")
