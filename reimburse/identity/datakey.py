"""Payroll data at rest: bank account numbers sealed with AES-256-GCM.

The key is ``REIMBURSE_DATA_KEY`` (32 bytes, base64). Production refuses to start without it
(``core.settings.startup_problems``). Development and tests use ``DEV_DATA_KEY``: a fixed key
whose value is published here, so that demo data survives restarts; it protects nothing and is
never used in production.

A sealed value is ``v1:<nonce b64>:<ciphertext+tag b64>``; the person's id is bound in as
associated data, so a ciphertext copied onto another person's row does not open.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from reimburse.core.errors import ReimburseError
from reimburse.core.settings import Settings

# DEVELOPMENT ONLY: a published key, for demo data; production refuses to start with no key.
DEV_DATA_KEY = hashlib.sha256(b"reimburse development data key - NOT SECRET, NOT FOR PRODUCTION").digest()
_PREFIX = "v1"


# Both are the installation's fault, not the caller's: 503 with a clear code, never a bare 500.
class BadDataKey(ReimburseError):
    code = "bad_data_key"
    status = 503


class SealedValueUnreadable(ReimburseError):
    """A stored value does not open with the configured key (wrong key, or tampered)."""

    code = "sealed_value_unreadable"
    status = 503


def new_key_b64() -> str:
    return base64.b64encode(os.urandom(32)).decode("ascii")


@dataclass(frozen=True, slots=True)
class DataCipher:
    key: bytes

    def seal(self, plaintext: str, context: str) -> str:
        nonce = os.urandom(12)
        sealed = AESGCM(self.key).encrypt(nonce, plaintext.encode("utf-8"), context.encode("utf-8"))
        return f"{_PREFIX}:{_b64(nonce)}:{_b64(sealed)}"

    def open(self, stored: str, context: str) -> str:
        try:
            prefix, nonce, sealed = stored.split(":")
            if prefix != _PREFIX:
                raise ValueError(prefix)
            plain = AESGCM(self.key).decrypt(_unb64(nonce), _unb64(sealed), context.encode("utf-8"))
        except (ValueError, InvalidTag, binascii.Error) as exc:
            raise SealedValueUnreadable(
                "a stored bank account does not open with REIMBURSE_DATA_KEY (another key, or altered)"
            ) from exc
        return plain.decode("utf-8")


def cipher_for(settings: Settings) -> DataCipher:
    if settings.data_key is not None:
        try:
            raw = base64.b64decode(settings.data_key.get_secret_value().strip(), validate=True)
        except (ValueError, binascii.Error) as exc:
            raise BadDataKey("REIMBURSE_DATA_KEY is not base64") from exc
        if len(raw) != 32:
            raise BadDataKey("REIMBURSE_DATA_KEY must be 32 bytes (base64 of 32 random bytes)")
        return DataCipher(raw)
    if not settings.relaxed:
        raise BadDataKey("REIMBURSE_DATA_KEY must be set outside development")
    return DataCipher(DEV_DATA_KEY)


def mask(account: str | None) -> str | None:
    """``**** **** 1234``: the last four characters only (fewer for a very short number)."""
    if not account:
        return None
    tail = account[-4:] if len(account) > 6 else account[-2:]
    return f"**** **** {tail}"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text, validate=True)
