"""Key rotation for the encrypted fields (core.fieldcrypt).

1. ``manage.py rotate_field_keys --new-key k2`` prints a fresh key entry;
2. put it FIRST in FIELD_ENCRYPTION_KEYS, keep the old ones after it, restart the services;
3. ``manage.py rotate_field_keys`` re-encrypts every value under the new key (batches, resumable);
4. ``manage.py rotate_field_keys --status`` shows no value left under an old key: remove the old key.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from minqing.core import field_rewrite, fieldcrypt


class Command(BaseCommand):
    help = "Re-encrypt every encrypted field value under the current (first) key of FIELD_ENCRYPTION_KEYS."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--new-key", metavar="ID", help="print a new random key entry 'ID:base64' and stop"
        )
        parser.add_argument("--status", action="store_true", help="count the stored values per key and stop")
        parser.add_argument("--batch", type=int, default=2000, help="rows per transaction (default 2000)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["new_key"]:
            spec = fieldcrypt.new_key_spec(options["new_key"])
            try:
                fieldcrypt.parse_keys(spec)
            except ImproperlyConfigured as error:
                raise CommandError(str(error)) from error
            self.stdout.write(spec)
            return
        columns = field_rewrite.encrypted_columns()
        if options["status"]:
            self._status(columns)
            return
        current = fieldcrypt.keyring().current.id
        for table, table_columns in columns.items():
            progress = field_rewrite.rewrite(
                table, table_columns, field_rewrite.reencrypt_old, batch=options["batch"]
            )
            self.stdout.write(
                f"{table}: {progress.rows} rows read, {progress.changed} re-encrypted under {current!r} "
                f"in {progress.seconds:.1f} s"
            )

    def _status(self, columns: dict[str, dict[str, str]]) -> None:
        quote = connection.ops.quote_name
        for table, table_columns in columns.items():
            for column in table_columns:
                counts: Counter[str] = Counter()
                with connection.cursor() as cursor:
                    cursor.execute(f"SELECT {quote(column)} FROM {quote(table)}")  # noqa: S608 - model metadata
                    for (value,) in cursor:
                        if value:
                            counts[
                                fieldcrypt.key_id_of(value) if fieldcrypt.is_stored(value) else "(clear)"
                            ] += 1
                shown = ", ".join(f"{key}: {n}" for key, n in sorted(counts.items())) or "empty"
                self.stdout.write(f"{table}.{column}: {shown}")
