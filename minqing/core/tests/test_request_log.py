"""The request log: one JSON line per request, its fields, the request id, and no sensitive value."""

import datetime
import io
import json
import logging
from unittest import mock

import pytest
from django.conf import settings
from django.urls import reverse

from minqing.core.logs import JsonFormatter, TextFormatter, redact, request_id
from minqing.core.request_log import HEADER

FIELDS = {
    "time",
    "level",
    "logger",
    "message",
    "request_id",
    "method",
    "route",
    "view",
    "path",
    "status",
    "duration_ms",
    "queries",
    "user_id",
    "ip",
}


@pytest.fixture
def log_lines():
    """Every log line (any logger) written during the test, formatted as in production."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)

    def lines():
        return [json.loads(line) for line in buffer.getvalue().splitlines() if line]

    lines.text = buffer.getvalue
    yield lines
    root.removeHandler(handler)


def request_lines(lines):
    return [line for line in lines() if line["logger"] == "minqing.request"]


def test_settings_log_json_by_default_when_debug_is_off():
    assert not settings.DEBUG
    assert settings.LOG_FORMAT == "json"
    assert settings.LOGGING["handlers"]["console"]["formatter"] == "json"


def test_one_json_line_per_request_with_its_fields(client, users, records, log_lines):
    client.force_login(users.inside)
    response = client.get(reverse("registry:household", kwargs={"pk": records.hv.pk}))
    assert response.status_code == 200
    [line] = request_lines(log_lines)
    assert set(line) == FIELDS
    assert line["level"] == "INFO"
    assert line["method"] == "GET"
    assert line["route"] == "/households/<int:pk>/"
    assert line["view"] == "registry:household"
    assert line["path"] == f"/households/{records.hv.pk}/"
    assert line["status"] == 200
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert isinstance(line["queries"], int) and line["queries"] > 0
    assert line["user_id"] == users.inside.pk
    assert line["ip"] == "127.0.0.1"
    assert line["request_id"] == response[HEADER]
    assert datetime.datetime.fromisoformat(line["time"]).tzinfo is not None
    assert users.inside.username not in json.dumps(line)


def test_query_count_matches_the_queries_run(client, users, records, log_lines):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(users.inside)
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("registry:household_list"))
    [line] = request_lines(log_lines)
    assert line["queries"] == len(queries.captured_queries) > 0


def test_not_found_is_logged_as_warning_without_route(client, db, log_lines):
    client.get(reverse("healthz") + "x")  # a 404 is logged even under a quiet prefix
    [line] = request_lines(log_lines)
    assert line["status"] == 404
    assert line["level"] == "WARNING"
    assert line["route"] is None and line["view"] is None
    assert line["user_id"] is None


def test_request_id_taken_from_the_header_and_echoed(client, db, log_lines):
    response = client.get(reverse("accounts:login"), headers={HEADER: "proxy-1234-abcd"})
    assert response[HEADER] == "proxy-1234-abcd"
    [line] = request_lines(log_lines)
    assert line["request_id"] == "proxy-1234-abcd"


@pytest.mark.parametrize(
    "given",
    [
        "",
        "short",
        "has spaces in it",
        "x" * 200,
        "bad\nnewline-here",
        "id-520622199001011234",
        "tel.13800001111",
    ],
)
def test_request_id_generated_when_missing_or_unusable(client, db, given):
    response = client.get(reverse("accounts:login"), headers={HEADER: given} if given else {})
    generated = response[HEADER]
    assert generated != given and len(generated) == 32
    assert client.get(reverse("accounts:login"))[HEADER] != generated


def test_generated_ids_survive_redaction(monkeypatch):
    from minqing.core import request_log

    ids = iter(["a" + "13800001111" + "a" * 20, "123456789012" + "a" * 20])
    monkeypatch.setattr(request_log.uuid, "uuid4", lambda: mock.Mock(hex=next(ids)))
    assert request_log.new_id() == "123456789012" + "a" * 20  # the first held a phone number


def test_search_by_id_number_or_phone_logs_neither(client, users, records, log_lines):
    client.force_login(users.inside)
    id_number = records.pv.id_number
    for value in (id_number, records.pv.phone):
        response = client.get(reverse("registry:household_list"), {"q": value})
        assert response.status_code == 200
    lines = request_lines(log_lines)
    assert len(lines) == 2
    assert all(line["path"] == "/households/" for line in lines)
    text = log_lines.text()
    assert id_number not in text and id_number[:17] not in text
    assert records.pv.phone not in text
    assert "q=" not in text and "?" not in text


def test_reveal_logs_no_sensitive_value(client, users, records, log_lines):
    client.force_login(users.inside)
    for field, value in (("id_number", records.pv.id_number), ("phone", records.pv.phone)):
        url = reverse("registry:reveal", kwargs={"model": "person", "pk": records.pv.pk, "field": field})
        response = client.post(url)
        assert response.status_code == 200
        assert value in response.content.decode()  # the page shows it, the log must not
    lines = request_lines(log_lines)
    assert [line["route"] for line in lines] == ["/reveal/<str:model>/<int:pk>/<str:field>/"] * 2
    assert [line["method"] for line in lines] == ["POST", "POST"]
    text = log_lines.text()
    assert records.pv.id_number not in text and records.pv.phone not in text


def test_a_mistyped_id_number_in_the_path_is_redacted(client, users, records, log_lines):
    client.force_login(users.inside)
    client.get(f"/households/{records.pv.id_number}/")
    [line] = request_lines(log_lines)
    assert line["status"] == 404 and line["path"] == "/households/***/"
    assert records.pv.id_number not in log_lines.text()


def test_quiet_paths_are_not_logged_when_they_succeed(client, db, log_lines):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200 and response[HEADER]
    assert request_lines(log_lines) == []


def test_a_server_error_is_logged_as_error(client, db, log_lines):
    from django.db import connection

    with mock.patch.object(connection, "cursor", side_effect=RuntimeError("database on fire")):
        response = client.get(reverse("healthz"), {"q": "龙在内"})
    assert response.status_code == 503
    [line] = request_lines(log_lines)
    assert line["level"] == "ERROR" and line["status"] == 503
    # Django's own error line names the request by method and path, without its query string.
    [django_line] = [line for line in log_lines() if line["logger"] == "django.request"]
    assert django_line["request"] == "GET /healthz"
    assert "龙在内" not in log_lines.text()


def _record(message, *args, exc_info=None):
    return logging.LogRecord("minqing.test", logging.ERROR, __file__, 1, message, args, exc_info)


def test_formatters_redact_id_numbers_and_phones_anywhere():
    assert redact("身份证 52062219900101123X 电话 13800001111 户 42") == "身份证 *** 电话 *** 户 42"
    try:
        raise ValueError("duplicate key (id_number)=(520622199001011234)")
    except ValueError:
        import sys

        record = _record("insert failed for %s", "13800001111", exc_info=sys.exc_info())
    line = JsonFormatter().format(record)
    assert "520622199001011234" not in line and "13800001111" not in line
    entry = json.loads(line)
    assert entry["message"] == "insert failed for ***"
    assert "ValueError" in entry["exception"]
    assert "13800001111" not in TextFormatter().format(_record("call %s", "13800001111"))


def test_log_lines_written_during_a_request_carry_its_id():
    token = request_id.set("7f3a0123456789012b")  # hex with a long digit run: kept whole
    try:
        entry = json.loads(JsonFormatter().format(_record("call %s", "13800001111")))
        assert entry["request_id"] == "7f3a0123456789012b" and entry["message"] == "call ***"
        assert "[7f3a0123456789012b] call ***" in TextFormatter().format(_record("call %s", "13800001111"))
    finally:
        request_id.reset(token)
    assert "request_id" not in json.loads(JsonFormatter().format(_record("hello")))
