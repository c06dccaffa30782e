"""Encryption at rest of sensitive fields: authenticated encryption with a keyed blind index in front.

A stored value is ``<blind index>$<key id>$<cipher>$<base64 nonce|ciphertext|tag>``:

- the **blind index** is the first 32 hex digits of an HMAC-SHA256 of the clear value under the key's index
  subkey, so an exact lookup (``filter(id_number=…)``) compares ``LEFT(column, 32)`` against the HMAC of the
  searched value and an expression index answers it. Equal values are equal there, nothing else is learnt;
- the **ciphertext** is AES-256-GCM, or SM4-GCM where the deployment asks for 国密
  (``FIELD_ENCRYPTION_CIPHER``), with the field's name (``registry.person.id_number``) as associated data, so
  a value copied into another column does not decrypt.

Keys come from the environment (``FIELD_ENCRYPTION_KEYS``: ``id:base64,…``, the first one encrypts, all of
them decrypt and are searched), each a master key from which HKDF derives the cipher and index subkeys. Key
rotation: put the new key first and run ``manage.py rotate_field_keys``, which re-encrypts every value under
it. Empty values stay empty (a missing ID is not a secret, and 信息不全 searches for it).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import os
import re
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

INDEX_LENGTH = 32  # hex digits of the blind index: 128 bits, no collision among billions of values
CIPHERS = ("aes-gcm", "sm4-gcm")
_STORED = re.compile(r"^[0-9a-f]{32}\$[A-Za-z0-9_-]{1,16}\$(aes-gcm|sm4-gcm)\$[A-Za-z0-9+/=]+$")
_NONCE = 12
_TAG = 16


class FieldCryptoError(Exception):
    """A stored value that no configured key opens (wrong key, or the value was tampered with)."""


@dataclass(frozen=True)
class FieldKey:
    id: str
    aes: bytes
    sm4: bytes
    index: bytes


@dataclass(frozen=True)
class KeyRing:
    cipher: str
    keys: tuple[FieldKey, ...]  # the first encrypts

    @property
    def current(self) -> FieldKey:
        return self.keys[0]

    def by_id(self, key_id: str) -> FieldKey:
        for key in self.keys:
            if key.id == key_id:
                return key
        raise FieldCryptoError(f"no key {key_id!r} in FIELD_ENCRYPTION_KEYS")


def _derive(master: bytes, purpose: str, length: int) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=length, salt=None, info=f"minqing/{purpose}".encode()
    ).derive(master)


def _field_key(key_id: str, master: bytes) -> FieldKey:
    if len(master) < 16:
        raise ImproperlyConfigured(f"FIELD_ENCRYPTION_KEYS: key {key_id!r} is shorter than 16 bytes.")
    return FieldKey(
        id=key_id,
        aes=_derive(master, "aes-gcm", 32),
        sm4=_derive(master, "sm4-gcm", 16),
        index=_derive(master, "blind-index", 32),
    )


def parse_keys(spec: str) -> list[tuple[str, bytes]]:
    """``"k2:base64,k1:base64"`` → ``[("k2", b"…"), ("k1", b"…")]`` (ImproperlyConfigured when malformed)."""
    keys: list[tuple[str, bytes]] = []
    for item in filter(None, (part.strip() for part in spec.split(","))):
        key_id, sep, encoded = item.partition(":")
        if not sep or not re.fullmatch(r"[A-Za-z0-9_-]{1,16}", key_id):
            raise ImproperlyConfigured(
                "FIELD_ENCRYPTION_KEYS must read 'id:base64key,…' (id: letters, digits)."
            )
        try:
            keys.append((key_id, base64.b64decode(encoded, validate=True)))
        except ValueError as error:
            raise ImproperlyConfigured(f"FIELD_ENCRYPTION_KEYS: key {key_id!r} is not base64.") from error
    if len({key_id for key_id, _ in keys}) != len(keys):
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS: a key id is used twice.")
    return keys


def new_key_spec(key_id: str) -> str:
    """A fresh ``id:base64`` entry for FIELD_ENCRYPTION_KEYS (256 random bits)."""
    return f"{key_id}:{base64.b64encode(os.urandom(32)).decode()}"


def dev_key_spec(secret_key: str) -> str:
    """The key the demo and the tests use when FIELD_ENCRYPTION_KEYS is unset, derived from ``secret_key``.

    Benchmarks pass it explicitly to a production-mode server so that it reads a database seeded in DEBUG.
    """
    master = hashlib.sha256(b"minqing-field-key:" + secret_key.encode()).digest()
    return f"dev:{base64.b64encode(master).decode()}"


@functools.cache
def keyring() -> KeyRing:
    cipher = settings.FIELD_ENCRYPTION_CIPHER
    if cipher not in CIPHERS:
        raise ImproperlyConfigured(f"FIELD_ENCRYPTION_CIPHER must be one of {', '.join(CIPHERS)}.")
    # Demo and tests only (settings refuse production without keys): a key derived from SECRET_KEY.
    keys = parse_keys(settings.FIELD_ENCRYPTION_KEYS or dev_key_spec(settings.SECRET_KEY))
    return KeyRing(cipher=cipher, keys=tuple(_field_key(key_id, master) for key_id, master in keys))


@receiver(setting_changed)
def _settings_changed(*, setting: str, **kwargs: Any) -> None:
    if setting in ("FIELD_ENCRYPTION_KEYS", "FIELD_ENCRYPTION_CIPHER", "SECRET_KEY"):
        keyring.cache_clear()


def _index(key: FieldKey, value: str, context: str) -> str:
    digest = hmac.new(key.index, f"{context}\x00{value}".encode(), hashlib.sha256).hexdigest()
    return digest[:INDEX_LENGTH]


def blind_indexes(value: str, context: str) -> list[str]:
    """The value's blind index under every configured key: what an exact lookup compares against."""
    return [_index(key, value, context) for key in keyring().keys]


def is_stored(value: object) -> bool:
    """Whether ``value`` is already in the stored (encrypted) form."""
    return isinstance(value, str) and _STORED.match(value) is not None


def key_id_of(stored: str) -> str:
    return stored.split("$", 2)[1]


def encrypt(value: str, context: str) -> str:
    ring = keyring()
    key = ring.current
    nonce = os.urandom(_NONCE)
    data, aad = value.encode(), context.encode()
    if ring.cipher == "aes-gcm":
        sealed = AESGCM(key.aes).encrypt(nonce, data, aad)
    else:
        encryptor = Cipher(algorithms.SM4(key.sm4), modes.GCM(nonce)).encryptor()
        encryptor.authenticate_additional_data(aad)
        sealed = encryptor.update(data) + encryptor.finalize() + encryptor.tag
    body = base64.b64encode(nonce + sealed).decode()
    return f"{_index(key, value, context)}${key.id}${ring.cipher}${body}"


def decrypt(stored: str, context: str) -> str:
    try:
        _index_part, key_id, cipher, body = stored.split("$", 3)
        raw = base64.b64decode(body, validate=True)
    except ValueError as error:
        raise FieldCryptoError("malformed stored value") from error
    key = keyring().by_id(key_id)
    nonce, sealed, aad = raw[:_NONCE], raw[_NONCE:], context.encode()
    try:
        if cipher == "aes-gcm":
            return AESGCM(key.aes).decrypt(nonce, sealed, aad).decode()
        decryptor = Cipher(algorithms.SM4(key.sm4), modes.GCM(nonce, sealed[-_TAG:])).decryptor()
        decryptor.authenticate_additional_data(aad)
        return (decryptor.update(sealed[:-_TAG]) + decryptor.finalize()).decode()
    except Exception as error:  # InvalidTag and friends: never show a half-decrypted value
        raise FieldCryptoError(f"stored value does not open with key {key_id!r}") from error


def stored_length(max_length: int) -> int:
    """Column size for a clear value of up to ``max_length`` characters (4 UTF-8 bytes each at most)."""
    sealed = _NONCE + 4 * max_length + _TAG
    return INDEX_LENGTH + 1 + 16 + 1 + len("aes-gcm") + 1 + 4 * -(-sealed // 3)
