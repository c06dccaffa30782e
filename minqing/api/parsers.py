"""Request parsers of the API: DRF's, with every malformed body answered as a 400."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

TOO_DEEP = _("请求内容的嵌套层数过多，请检查提交的 JSON。")


class JSONBodyParser(JSONParser):
    """DRF's JSON parser, which catches ``ValueError`` only: a body nested a thousand levels deep makes the
    decoder raise ``RecursionError``, a server error before any view runs (even without a login)."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError(TOO_DEEP) from exc
