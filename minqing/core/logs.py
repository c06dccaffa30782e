"""Log formatters: one JSON object per line (production) or one readable line (development).

Both formatters redact what looks like an ID number or a phone number from the finished line,
whatever logger wrote it: a message, an exception text (an IntegrityError names the duplicate key), a
404 path. Any run of 11 or more digits (optionally ending in ``X``) is replaced by ``***``: phones are
11 digits, ID numbers 15 or 18, so long area codes are masked too, a fair price. Then they add the
current request id (``request_id``, set by ``RequestLogMiddleware``), unredacted so that it matches the
proxy's log: the middleware never accepts an id shaped like an ID number or a phone (``LOOKS_SENSITIVE``).
"""

from __future__ import annotations

import contextvars
import datetime
import json
import logging
import re
from typing import Any

from django.http import HttpRequest

request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)

SENSITIVE_DIGITS = re.compile(r"\d{11,}[Xx]?")
# A whole digit run shaped like a mobile phone or an ID number (15 digits, or 17 and a check character).
LOOKS_SENSITIVE = re.compile(r"(?<!\d)(?:1\d{10}|\d{15}|\d{17}[\dXx])(?!\d)")
REDACTED = "***"

# Attributes every LogRecord has: anything else on a record came in through ``extra=``.
_STANDARD = frozenset(
    logging.LogRecord("", 0, "", 0, "", None, None).__dict__.keys() | {"message", "asctime", "taskName"}
)


def redact(text: str) -> str:
    """Mask digit runs that could be an ID number (15/18) or a phone (11)."""
    return SENSITIVE_DIGITS.sub(REDACTED, text)


def _plain(value: Any) -> Any:
    # django.request passes the request: its repr holds the query string, so only method and path are kept.
    if isinstance(value, HttpRequest):
        return f"{value.method} {value.path}"
    return value


def extra_fields(record: logging.LogRecord) -> dict[str, Any]:
    return {key: _plain(value) for key, value in record.__dict__.items() if key not in _STANDARD}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request_id, the ``extra`` fields, exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.datetime.fromtimestamp(record.created)
            .astimezone()
            .isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(extra_fields(record))
        entry.pop("request_id", None)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        line = redact(json.dumps(entry, ensure_ascii=False, default=str))
        current = request_id.get()
        return f"{line[:-1]}, {json.dumps({'request_id': current})[1:]}" if current else line


class TextFormatter(logging.Formatter):
    """``time level logger [request id] message``, redacted like the JSON lines."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = redact(super().format(record))
        current = request_id.get()
        if current:
            line = line.replace(f" {record.name} ", f" {record.name} [{current}] ", 1)
        return line


class StderrHandler(logging.StreamHandler[Any]):
    """Writes to whatever ``sys.stderr`` is when a record is emitted, as ``logging.lastResort`` does.

    A plain StreamHandler keeps the stream it was built with; when a test runner swaps stderr for a capture
    file and closes it later, a request served by another thread would log into a closed file.
    """

    def __init__(self) -> None:
        logging.Handler.__init__(self)

    @property
    def stream(self) -> Any:
        import sys

        return sys.stderr
