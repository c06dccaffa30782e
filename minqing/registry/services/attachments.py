"""Attachments on a household file: upload, delete, and the audited look at an ID copy.

The stored name is random (see ``attachment_path``), and the original name is kept, cleaned, only for
the download's ``Content-Disposition``. An image is stored as ``core.uploads.strip_metadata`` re-encoded
it (upright, no EXIF/XMP); ``size`` is that of the stored file. Files live in private storage and are served only through
scoped views. Uploads are inspected by ``core.uploads`` before anything is written.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db import transaction
from django.utils.translation import gettext as _

from minqing.core import audit, limits
from minqing.core.editing import changeable, validate
from minqing.core.uploads import check_size, clean_original_name, inspect_upload

from ..models import Attachment, Household, Person

if TYPE_CHECKING:
    from minqing.accounts.models import User


def _delete_files(storage: Storage, names: list[str]) -> None:
    for name in names:
        if name:
            storage.delete(name)


def attachment_add(
    *,
    actor: User,
    household: Household,
    person: Person | None = None,
    uploaded_file,
    kind: str,
    title: str = "",
) -> Attachment:
    """Attach ``uploaded_file`` to ``household`` (and optionally one of its members); audited.

    Everything is checked before a byte is written: scope (404 outside the view scope, 403 when
    only viewable), person, kind and title, size, and the type from the content. Decoding and file
    writes happen before the transaction opens, because SQLite takes its write lock at BEGIN
    (``transaction_mode`` IMMEDIATE) and must not hold it while a photo is decoded; the scope is
    checked again inside the transaction that inserts the row and the audit event. Files written
    before a failure are removed again. (Should an *enclosing* transaction roll back later, the
    files would remain as unreferenced orphans in private storage.)
    """
    household = changeable(actor, Household, household, lock=False)
    if person is not None and person.household_id != household.pk:
        raise ValidationError({"person": _("该人员不属于这一户。")})
    if kind not in Attachment.Kind.values:
        raise ValidationError({"kind": _("请选择附件类型。")})
    check_size(uploaded_file.size or 0)
    inspected = inspect_upload(uploaded_file)
    # Images are kept re-encoded without their metadata (EXIF GPS, camera, XMP); PDFs as uploaded.
    content = uploaded_file if inspected.stored is None else ContentFile(inspected.stored)
    attachment = Attachment(
        household=household,
        person=person,
        area_path=household.area_path,
        grid_path=household.grid_path,
        kind=kind,
        title=" ".join((title or "").split()),
        original_name=clean_original_name(uploaded_file.name, content_type=inspected.content_type),
        content_type=inspected.content_type,
        size=content.size,
        uploaded_by=actor if getattr(actor, "pk", None) else None,
    )
    validate(attachment, exclude=["file", "thumbnail"])
    written: list[str] = []
    try:
        attachment.file.save("upload", content, save=False)
        written.append(attachment.file.name)
        if inspected.thumbnail:
            attachment.thumbnail.save("thumb", ContentFile(inspected.thumbnail), save=False)
            written.append(attachment.thumbnail.name)
        with transaction.atomic():
            changeable(actor, Household, household.pk)
            attachment.save()
            audit.record(
                actor=actor,
                verb="registry.attachment.added",
                target=attachment,
                household_id=household.pk,
                changes={
                    str(_("类型")): attachment.get_kind_display(),
                    str(_("原文件名")): attachment.original_name,
                    str(_("文件类型")): attachment.content_type,
                    str(_("大小")): attachment.size,
                    str(_("人员")): person.name if person else "",
                },
            )
    except BaseException:
        _delete_files(attachment.file.storage, written)
        raise
    return attachment


@transaction.atomic
def attachment_delete(*, actor: User, attachment: Attachment) -> None:
    """Delete ``attachment`` (change scope); its files leave storage once the transaction commits."""
    row = changeable(actor, Attachment, attachment)
    names = [row.file.name, row.thumbnail.name]
    storage = row.file.storage
    audit.record(
        actor=actor,
        verb="registry.attachment.deleted",
        target=row,
        household_id=row.household_id,
        changes={
            str(_("类型")): row.get_kind_display(),
            str(_("原文件名")): row.original_name,
            str(_("大小")): row.size,
        },
    )
    row.delete()
    transaction.on_commit(lambda: _delete_files(storage, names))


def identity_copy_viewed(*, actor: User, attachment: Attachment) -> None:
    """Opening an ID copy is a look at sensitive data: reveal right required, audited, and counted towards
    the hourly reveal limit like any reveal (``core.limits``; ``LimitExceeded`` past it)."""
    if not Attachment.objects.visible_to(actor, "reveal").filter(pk=attachment.pk).exists():
        raise PermissionDenied(_("查看证件复印件需要查看敏感信息的权限。"))
    with transaction.atomic():
        if limits.reveal_allowed(actor):  # locks the actor's row: the count holds under concurrency
            audit.record(
                actor=actor,
                verb=limits.REVEAL_VERB,
                target=attachment,
                household_id=attachment.household_id,
                changes={"field": attachment.get_kind_display()},
            )
            return
    limits.reveal_refused(actor)  # its own transaction: the refusal's audit row must not roll back
