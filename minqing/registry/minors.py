"""Minors' files (PIPL art. 28): an attachment on a person under 14 follows the ``minors`` right.

ID copies and photos of a child carry the identifiers ``restricted.register(Person, "minors", ...)`` hides,
so the download, the thumbnail and the attachment lists ask here (see ``models.households.is_minor``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from minqing.core import restricted

from .models import Attachment
from .models.households import MINORS


def may_see_attachment(user: Any, attachment: Attachment) -> bool:
    """Household-wide files and adults' files: yes; a minor's file: only with ``minors`` where it lies."""
    if attachment.person_id is None:
        return True
    return restricted.may_see(user, MINORS, attachment.person)


def visible_attachments(user: Any, attachments: Iterable[Attachment]) -> list[Attachment]:
    return [a for a in attachments if may_see_attachment(user, a)]
