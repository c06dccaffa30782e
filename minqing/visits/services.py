"""Writing the visit log: log a visit, revise or withdraw it in the grace period, correct it afterwards.

Every write is one new row appended to its author's hash chain (``core.hashchain``); nothing stored is ever
changed. The same rules serve the page, the API and any importer:

- scope: the actor needs the ``visit`` right over the household (outside the view scope: 404; viewable
  only: 403);
- idempotency: ``client_id`` is the phone's key for the entry; the same key again returns the stored entry,
  and a key already used by another user or for another household is refused;
- time: the server's, always; a client's time is never read;
- free text must not hold ID or phone numbers (``core.editing``): it is shown in clear to every reader;
- photos are checked and compressed before the transaction opens (``visits.photos``), and written files are
  removed again when the entry is not stored.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, router, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from minqing.core import audit, geo, hashchain
from minqing.core.editing import free_text, validate
from minqing.core.idempotency import parse_client_id
from minqing.registry.models import Household

from .models import EntryType, Visit, VisitKind, VisitPhoto
from .photos import Processed, process_photos

if TYPE_CHECKING:
    from minqing.accounts.models import User

MAX_TEXT = 2000


def superseded_message() -> str:
    return _("这条记录已被修改、更正或撤回，请在最新的一条记录上操作。")


def visit_household(actor: User, household: Household | int) -> Household:
    """The household, read through the actor's ``visit`` scope: 404 outside the view scope, 403 otherwise."""
    pk = household if isinstance(household, int) else household.pk
    found = Household.objects.visible_to(actor, "visit").filter(pk=pk).first()
    if found is not None:
        return found
    if Household.objects.visible_to(actor, "view").filter(pk=pk).exists():
        raise PermissionDenied(_("您的角色不能为这一户记录走访。"))
    raise Http404


def _location(data: Mapping[str, Any]) -> dict[str, Decimal | None]:
    """The browser's position and accuracy, checked like every position (``core.geo``)."""
    position = geo.parse_position(
        data.get("latitude"), data.get("longitude"), data.get("accuracy_m"), accuracy_field="accuracy_m"
    )
    return {"latitude": position.latitude, "longitude": position.longitude, "accuracy_m": position.accuracy_m}


def _text(data: Mapping[str, Any], name: str, label: str, limit: int = MAX_TEXT) -> str:
    return free_text(data.get(name), name, label, limit=limit)


def _content(data: Mapping[str, Any]) -> dict[str, Any]:
    """Kind, what was found, what was done, requests raised: checked the same way for every entry."""
    kind = str(data.get("kind") or "")
    if kind not in VisitKind.values:
        raise ValidationError({"kind": _("请选择走访类型。")}, code="kind")
    content = {
        "kind": kind,
        "found": _text(data, "found", _("发现情况")),
        "done": _text(data, "done", _("帮扶措施/处理情况")),
        "raised": _text(data, "raised", _("群众诉求")),
    }
    if not content["found"] and not content["done"]:
        raise ValidationError({"found": _("请填写发现情况或帮扶措施（至少一项）。")}, code="required")
    return content


def _existing(client_id: uuid.UUID, actor: User, household: Household) -> Visit | None:
    """The entry already stored under ``client_id``; refused when it is not this actor's for this household."""
    existing = Visit.objects.filter(client_id=client_id).first()
    if existing is None:
        return None
    if existing.author_id != actor.pk or existing.household_id != household.pk:
        raise ValidationError(
            {"client_id": _("这个记录编号已被另一条记录使用，请刷新页面后重新填写。")}, code="client_id_used"
        )
    return existing


def _write_photos(visit: Visit, processed: list[Processed], *, start: int = 1) -> list[VisitPhoto]:
    photos = []
    for position, item in enumerate(processed, start=start):
        photo = VisitPhoto(
            visit=visit,
            position=position,
            area_path=visit.area_path,
            grid_path=visit.grid_path,
            width=item.width,
            height=item.height,
            size=len(item.content),
            sha256=item.sha256,
            exif_latitude=item.exif_latitude,
            exif_longitude=item.exif_longitude,
            exif_taken_at=item.exif_taken_at,
        )
        photos.append(photo)
        photo.file.save("photo", ContentFile(item.content), save=False)
        photo.thumbnail.save("thumb", ContentFile(item.thumbnail), save=False)
    return photos


def _remove_files(photos: list[VisitPhoto]) -> None:
    for photo in photos:
        for field in (photo.file, photo.thumbnail):
            if field.name:
                field.storage.delete(field.name)


def _store(
    *,
    actor: User,
    household: Household,
    client_id: uuid.UUID,
    entry: dict[str, Any],
    processed: list[Processed],
    kept: list[VisitPhoto] | None = None,
    verb: str | None = None,
) -> tuple[Visit, bool]:
    """Append the entry and its photos in one transaction; the stored entry again for a repeated key.

    ``kept``: photos of the entry being replaced that the new entry shows again (their stored files are
    shared: stored photos are never changed nor deleted).
    """
    kept = kept or []
    visit = Visit(
        client_id=client_id,
        household=household,
        area_path=household.area_path,
        grid_path=household.grid_path,
        author=actor,
        author_name=actor.get_full_name() or actor.get_username(),
        photo_hashes=[p.sha256 for p in kept] + [item.sha256 for item in processed],
        **entry,
    )
    validate(
        visit,
        exclude=["household", "author", "corrects", "origin", "client_id", "author_name", "photo_hashes"],
        validate_unique=False,
    )
    photos: list[VisitPhoto] = []
    try:
        photos = _write_photos(visit, processed, start=len(kept) + 1)
        with transaction.atomic():
            # The author's chain lock first: a resubmission racing the first copy waits here, then finds it.
            hashchain.lock(Visit, router.db_for_write(Visit), actor.pk)
            visit_household(actor, household)  # the scope again, inside the transaction
            existing = _existing(client_id, actor, household)
            if existing is not None:
                _remove_files(photos)
                return existing, False
            if visit.corrects_id and Visit.objects.filter(corrects_id=visit.corrects_id).exists():
                raise ValidationError(
                    superseded_message(), code="superseded"
                )  # replaced while this one was sent
            visit.created_at = timezone.now()  # the server's time, never the client's
            visit.save()
            copies = [
                VisitPhoto(
                    **{f.attname: getattr(p, f.attname) for f in VisitPhoto._meta.concrete_fields},
                )
                for p in kept
            ]
            for photo in copies:
                photo.pk, photo.visit, photo.created_at = None, visit, visit.created_at
            for photo in photos:
                photo.visit = visit
            VisitPhoto.objects.bulk_create(copies + photos)
            if verb:
                audit.record(
                    actor=actor,
                    verb=verb,
                    target=visit,
                    household_id=household.pk,
                    changes={"更正的记录": visit.corrects_id, "原因": visit.reason},
                )
    except IntegrityError as error:  # the same key from another user, committed in between
        _remove_files(photos)
        raise ValidationError(
            {"client_id": _("这个记录编号已被另一条记录使用，请刷新页面后重新填写。")}, code="client_id_used"
        ) from error
    except BaseException:
        _remove_files(photos)
        raise
    return visit, True


def log_visit(
    *,
    actor: User,
    household: Household | int,
    data: Mapping[str, Any],
    photos: list[Any] | None = None,
    client_id: Any,
) -> tuple[Visit, bool]:
    """Log a visit to ``household``: ``(entry, created)``; ``created`` is False for a repeated ``client_id``.

    ``data`` holds ``kind``, ``found``, ``done``, ``raised`` and the browser's ``latitude``, ``longitude``,
    ``accuracy_m``; anything else (a client's time) is ignored.
    """
    key = parse_client_id(client_id)
    target = visit_household(actor, household)
    existing = _existing(key, actor, target)
    if existing is not None:  # a resubmission: nothing is checked, decoded or written again
        return existing, False
    entry = {**_content(data), **_location(data), "entry_type": EntryType.VISIT}
    processed = process_photos(list(photos or []))
    return _store(actor=actor, household=target, client_id=key, entry=entry, processed=processed)


# -------------------------------------------------------------------------- revising, withdrawing, correcting


def _changeable_entry(actor: User, visit: Visit | int) -> Visit:
    """The entry to revise, withdraw or correct: visible, the actor's own, and not yet replaced."""
    pk = visit if isinstance(visit, int) else visit.pk
    found = Visit.objects.visible_to(actor, "view").select_related("household").filter(pk=pk).first()
    if found is None:
        raise Http404
    if found.author_id != actor.pk:
        raise PermissionDenied(_("只有记录人本人可以修改、撤回或更正这条走访记录。"))
    if found.entry_type == EntryType.WITHDRAWAL:
        raise ValidationError(_("这是一条撤回记录，不能再修改。"), code="withdrawal")
    if Visit.objects.filter(corrects=found).exists():
        raise ValidationError(superseded_message(), code="superseded")
    return found


def grace_message() -> str:
    return _(
        "记录已超过 %(minutes)s 分钟的修改期限，不能再修改或撤回；如有错误，请提交“更正”，原记录会保留。"
    ) % {"minutes": settings.VISIT_GRACE_MINUTES}


def visit_revise(
    *,
    actor: User,
    visit: Visit | int,
    data: Mapping[str, Any],
    photos: list[Any] | None = None,
    client_id: Any,
    correction: bool | None = False,
) -> tuple[Visit, bool]:
    """A new entry replacing ``visit``: a revision (修改) in the grace period, a correction (更正) after it.

    ``correction=False`` asks for a revision and is refused after the grace period with the message that
    says a correction is needed; ``None`` takes whichever the entry's age allows (the API); a correction
    needs a reason. The earlier entry stays stored unchanged.
    """
    key = parse_client_id(client_id)
    done = Visit.objects.filter(client_id=key, author=actor).first()
    if done is not None:
        return done, False
    old = _changeable_entry(actor, visit)
    target = visit_household(actor, old.household)
    in_grace = old.in_grace()
    if not in_grace and correction is False:
        raise ValidationError(grace_message(), code="grace_over")
    reason = _text(data, "reason", _("原因"), limit=200)
    if not in_grace and not reason:
        raise ValidationError({"reason": _("请说明更正原因。")}, code="required")
    entry_type = EntryType.REVISION if in_grace else EntryType.CORRECTION
    entry = {
        **_content(data),
        **_location(data),
        "entry_type": entry_type,
        "reason": reason,
        "corrects": old,
        "origin_id": old.origin_id or old.pk,
    }
    processed = process_photos(list(photos or []))
    # Without new photos the new entry shows the earlier entry's photos again (unless told not to).
    kept = list(old.photos.order_by("position")) if not processed and data.get("keep_photos", True) else []
    verb = "visits.revised" if entry_type == EntryType.REVISION else "visits.corrected"
    return _store(
        actor=actor, household=target, client_id=key, entry=entry, processed=processed, kept=kept, verb=verb
    )


def visit_withdraw(*, actor: User, visit: Visit | int, reason: str, client_id: Any) -> tuple[Visit, bool]:
    """Withdraw ``visit`` within the grace period (the visit no longer counts); refused afterwards."""
    key = parse_client_id(client_id)
    done = Visit.objects.filter(client_id=key, author=actor).first()
    if done is not None:
        return done, False
    old = _changeable_entry(actor, visit)
    if not old.in_grace():
        raise ValidationError(grace_message(), code="grace_over")
    target = visit_household(actor, old.household)
    entry = {
        "entry_type": EntryType.WITHDRAWAL,
        "reason": _text({"reason": reason}, "reason", _("原因"), limit=200),
        "corrects": old,
        "origin_id": old.origin_id or old.pk,
    }
    return _store(
        actor=actor, household=target, client_id=key, entry=entry, processed=[], verb="visits.withdrawn"
    )


# ------------------------------------------------------------------------------------------ checking


def visits_verify() -> hashchain.ChainsReport:
    """Check every author's chain of visit entries (``manage.py verify_logs``)."""
    return hashchain.verify_chains(Visit.objects.all())


def _sha256_of(photo: VisitPhoto) -> str | None:
    try:
        with photo.file.open("rb") as handle:
            return hashlib.sha256(handle.read()).hexdigest()
    except FileNotFoundError:
        return None


def photos_verify() -> list[str]:
    """Photo rows and files against the hashes their entries chained: one line per mismatch.

    Entries and photo rows are both streamed in entry order and merged, so memory stays small.
    """
    problems: list[str] = []
    entries = Visit.objects.exclude(photo_hashes=[]).order_by("pk").values_list("pk", "photo_hashes")
    photos = iter(VisitPhoto.objects.order_by("visit_id", "position").iterator(chunk_size=2000))
    pending = next(photos, None)
    for pk, hashes in entries.iterator(chunk_size=2000):
        while pending is not None and pending.visit_id < pk:
            problems.append(f"visit #{pending.visit_id}: photo {pending.position} was never chained")
            pending = next(photos, None)
        rows = []
        while pending is not None and pending.visit_id == pk:
            rows.append(pending)
            pending = next(photos, None)
        if [p.sha256 for p in rows] != list(hashes):
            problems.append(f"visit #{pk}: its photo rows do not match the hashes it chained")
            continue
        for photo in rows:
            actual = _sha256_of(photo)
            if actual != photo.sha256:
                what = "is missing" if actual is None else "was changed"
                problems.append(f"visit #{pk}: photo {photo.position} {what}")
    while pending is not None:
        problems.append(f"visit #{pending.visit_id}: photo {pending.position} was never chained")
        pending = next(photos, None)
    return problems
