"""The systemd units in deploy/ name commands and units that exist, so an install cannot ship a dead timer."""

from __future__ import annotations

import configparser
import shlex
from pathlib import Path

import pytest
from django.core.management import get_commands

DEPLOY = Path(__file__).resolve().parents[3] / "deploy"
SERVICES = sorted(DEPLOY.glob("*.service"))
TIMERS = sorted(DEPLOY.glob("*.timer"))


def unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # systemd keys are case-sensitive
    parser.read(path)
    return parser


def test_there_are_units_to_check():
    assert len(SERVICES) >= 5 and len(TIMERS) >= 3


@pytest.mark.parametrize("path", SERVICES, ids=lambda p: p.name)
def test_each_service_runs_a_real_command_as_the_minqing_user(path):
    service = unit(path)["Service"]
    argv = shlex.split(service["ExecStart"])
    assert argv[0].startswith("/opt/minqing/.venv/bin/")
    if "manage.py" in argv:
        assert argv[argv.index("manage.py") + 1] in get_commands()
    assert service["User"] == "minqing"
    assert service["EnvironmentFile"] == "/etc/minqing/minqing.env"


@pytest.mark.parametrize("path", TIMERS, ids=lambda p: p.name)
def test_each_timer_starts_a_service_that_exists(path):
    timer = unit(path)
    assert (DEPLOY / timer["Timer"]["Unit"]).is_file()
    assert timer["Timer"]["OnCalendar"]
    assert timer["Install"]["WantedBy"] == "timers.target"
