"""The audit signing key: Ed25519, from ``REIMBURSE_AUDIT_SIGNING_KEY`` (32 bytes, base64).

In development and tests a key is generated once and kept in ``data_dir/audit-signing.key``
(mode 0600) so checkpoints stay verifiable across restarts; production refuses to start
without a configured key (see ``core.settings``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from reimburse.audit.chain import Checkpoint, Statement, b64, key_id, unb64
from reimburse.core.errors import ReimburseError
from reimburse.core.settings import Settings

KEY_FILE = "audit-signing.key"


class BadAuditKey(ReimburseError):
    code = "bad_audit_key"
    status = 500


@dataclass(frozen=True, slots=True)
class Signer:
    private: Ed25519PrivateKey

    @property
    def public_raw(self) -> bytes:
        return self.private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    @property
    def key_id(self) -> str:
        return key_id(self.public_raw)

    def sign(self, checkpoint: Checkpoint) -> Checkpoint:
        return replace(checkpoint, signature=b64(self.private.sign(checkpoint.message())))

    def sign_statement(self, statement: Statement) -> Statement:
        return replace(statement, signature=b64(self.private.sign(statement.message())))

    def verifier(self) -> Verifier:
        return Verifier(self.public_raw)


@dataclass(frozen=True, slots=True)
class Verifier:
    public_raw: bytes

    @property
    def key_id(self) -> str:
        return key_id(self.public_raw)

    @property
    def public_b64(self) -> str:
        return b64(self.public_raw)

    def valid(self, signed: Checkpoint | Statement) -> bool:
        if signed.key_id != self.key_id:
            return False
        try:
            Ed25519PublicKey.from_public_bytes(self.public_raw).verify(
                unb64(signed.signature), signed.message()
            )
        except (InvalidSignature, ValueError):
            return False
        return True


def new_key_b64() -> str:
    from cryptography.hazmat.primitives.serialization import NoEncryption, PrivateFormat

    raw = Ed25519PrivateKey.generate().private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return b64(raw)


def _from_b64(text: str) -> Ed25519PrivateKey:
    try:
        raw = unb64(text.strip())
        return Ed25519PrivateKey.from_private_bytes(raw)
    except ValueError as exc:
        raise BadAuditKey("REIMBURSE_AUDIT_SIGNING_KEY is not 32 bytes of base64") from exc


def signer_for(settings: Settings) -> Signer:
    if settings.audit_signing_key:
        return Signer(_from_b64(settings.audit_signing_key))
    if settings.environment not in ("development", "test"):
        raise BadAuditKey("REIMBURSE_AUDIT_SIGNING_KEY must be set outside development")
    path = settings.data_dir / KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first: use theirs
            fd = -1
        if fd >= 0:
            with os.fdopen(fd, "w") as f:
                f.write(new_key_b64() + "\n")
    return Signer(_from_b64(path.read_text()))


def verifier_from_b64(public: str) -> Verifier:
    try:
        raw = unb64(public.strip())
        Ed25519PublicKey.from_public_bytes(raw)
    except ValueError as exc:
        raise BadAuditKey("an audit public key is 32 bytes of base64") from exc
    return Verifier(raw)
