"""Re-encode image attachments stored before uploads lost their metadata (EXIF GPS position, camera, time).

New uploads are stripped when they arrive (``core.uploads.strip_metadata``); this brings the older files to
the same state. Each file is written under a new name first, the row then points at it, and only then is
the old file deleted: an interrupted run loses nothing and simply continues (stripped files are skipped).
"""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandParser
from PIL import Image

from minqing.core import audit
from minqing.core.uploads import strip_metadata

from ...models import Attachment

# What an image may carry that says where, when or with what it was taken, or anything typed into it.
PERSONAL_INFO = ("exif", "xmp", "XML:com.adobe.xmp", "comment", "photoshop", "iptc", "dpi_exif")


def carries_metadata(image: Image.Image) -> bool:
    return (
        bool(image.getexif())
        or any(key in image.info for key in PERSONAL_INFO)
        or bool(getattr(image, "text", None))
    )


class Command(BaseCommand):
    help = "Strip EXIF, XMP and comments from image attachments stored before uploads were stripped."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="count the files to strip, change nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        checked = stripped = missing = 0
        images = Attachment.objects.filter(content_type__startswith="image/").order_by("pk")
        for attachment in images.iterator(chunk_size=200):
            checked += 1
            try:
                with attachment.file.open("rb") as stored, Image.open(stored) as image:
                    if not carries_metadata(image):
                        continue
                    data = strip_metadata(image)
            except (FileNotFoundError, OSError):
                missing += 1
                self.stderr.write(
                    f"attachment {attachment.pk}: file {attachment.file.name} unreadable, skipped"
                )
                continue
            stripped += 1
            if options["dry_run"]:
                continue
            old = attachment.file.name
            storage = attachment.file.storage
            attachment.file.name = storage.save(old, ContentFile(data))
            attachment.size = len(data)
            attachment.save(update_fields=["file", "size"])
            storage.delete(old)
        if stripped and not options["dry_run"]:
            audit.record(
                actor=None,
                verb="attachments.metadata_stripped",
                area_path="",
                label=f"{stripped}",
                changes={"checked": checked, "stripped": stripped},
            )
        verb = "would strip" if options["dry_run"] else "stripped"
        self.stdout.write(f"{checked} image attachment(s) checked, {verb} {stripped}, {missing} unreadable")
