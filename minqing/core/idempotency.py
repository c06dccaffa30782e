"""The client's key for a submission (``client_id``): a phone that lost its connection sends the same entry again
with the same key, and the service returns what it stored instead of storing it twice (visits, requests)."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def parse_client_id(value: Any) -> uuid.UUID:
    """The UUID the client generated for a submission; a missing or malformed one is a field error."""
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value or "").strip())
    except ValueError as error:
        raise ValidationError(
            {"client_id": _("缺少或无效的提交编号（client_id，UUID 格式），请刷新页面后重新提交。")},
            code="client_id",
        ) from error
