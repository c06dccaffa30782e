"""Compact sets of record ids: sorted, delta-encoded as varints, zlib-compressed (``ExportContent``)."""

from __future__ import annotations

import zlib
from collections.abc import Iterable


def pack(ids: Iterable[int]) -> bytes:
    out = bytearray()
    previous = 0
    for value in sorted(set(ids)):
        delta, previous = value - previous, value
        while delta >= 0x80:
            out.append((delta & 0x7F) | 0x80)
            delta >>= 7
        out.append(delta)
    return zlib.compress(bytes(out), 6) if out else b""


def unpack(blob: bytes | memoryview | None) -> list[int]:
    if not blob:
        return []
    data = zlib.decompress(bytes(blob))
    ids, value, shift, current = [], 0, 0, 0
    for byte in data:
        value |= (byte & 0x7F) << shift
        if byte & 0x80:
            shift += 7
            continue
        current += value
        ids.append(current)
        value, shift = 0, 0
    return ids


def contains(blob: bytes | memoryview | None, record_id: int) -> bool:
    """True when ``record_id`` is in the packed set (decoded in full: a report reads a handful of exports)."""
    return record_id in set(unpack(blob))
