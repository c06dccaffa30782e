"""OTP_REQUIRED: on in production, off in the demo, and MINQING_OTP_REQUIRED decides when set."""

import json
import subprocess
import sys

import pytest

from minqing.core.tests.test_security_settings import ROOT, production_env

SCRIPT = (
    "import json; from django.conf import settings; "
    "print(json.dumps([settings.OTP_REQUIRED, settings.LOGIN_RATE_PER_IP]))"
)


def read(tmp_path, **extra):
    result = subprocess.run(  # noqa: S603 - our own interpreter, manage.py and a constant script
        [sys.executable, "manage.py", "shell", "-c", SCRIPT],
        cwd=ROOT,
        env=production_env(tmp_path, **extra),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({}, [True, 20]),
        ({"MINQING_DEMO": "1"}, [False, 20]),
        ({"DEBUG": "1"}, [False, 20]),
        ({"MINQING_OTP_REQUIRED": "0", "LOGIN_RATE_PER_IP": "50"}, [False, 50]),
        ({"MINQING_DEMO": "1", "MINQING_OTP_REQUIRED": "1"}, [True, 20]),
    ],
)
def test_otp_required_setting(tmp_path, extra, expected):
    assert read(tmp_path, **extra) == expected
