"""The audit chain as pure values: entry hashes, claim material digests, checkpoints.

Every entry (a claim transition, a payment, a claim edit, an admin change) takes the next
``chain_seq`` of the installation and the hash of the entry before it (``prev_hash``); a claim's
entries are also linked among themselves (``claim_seq``, ``claim_prev_hash``) so one claim's
trail can be read and checked without the rest. An entry's hash is SHA-256 over a canonical
JSON of all its fields (sorted keys, no whitespace, UTF-8, times in UTC ISO 8601).

``material`` binds what a claim is worth at that moment (payee, amounts, items, invoice keys,
payment reference): the newest entry's digest must equal the stored claim's, so an amount
changed in the database is found. A checkpoint is the head (seq + hash) and a time signed with
Ed25519: a deleted newest entry or a deleted claim trail no longer reaches a signed head.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

GENESIS = "0" * 64


def iso(at: datetime) -> str:
    if at.tzinfo is None:  # stored times are UTC; a naive one is taken as UTC, stated explicitly
        at = at.replace(tzinfo=UTC)
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def canonical(body: Mapping[str, Any]) -> bytes:
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


@dataclass(frozen=True, slots=True)
class Entry:
    chain_seq: int
    claim_id: int | None
    claim_seq: int | None
    subject: str  # "claim:12", "user:5", "policy", "flow:default", ...
    actor: str
    at: datetime
    action: str
    comment: str
    state_before: str
    state_after: str
    details: dict[str, Any] = field(default_factory=dict)
    material: str = ""
    prev_hash: str = GENESIS
    claim_prev_hash: str = ""
    hash: str = ""

    def body(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("hash")
        d["at"] = iso(self.at)
        return d

    def computed_hash(self) -> str:
        return hashlib.sha256(canonical(self.body())).hexdigest()

    def sealed(self) -> Entry:
        return Entry(**{**asdict(self), "hash": self.computed_hash()})

    def to_dict(self) -> dict[str, Any]:
        return {**self.body(), "hash": self.hash}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Entry:
        return cls(**{**d, "at": datetime.fromisoformat(d["at"]), "details": dict(d.get("details") or {})})


# ---------------------------------------------------------------------------------------------
# Material content of a claim


@dataclass(frozen=True, slots=True)
class MaterialItem:
    position: int
    category: str
    amount: Decimal
    expense_date: date
    invoice_key: str | None
    document_id: int | None
    no_invoice_kind: str | None


@dataclass(frozen=True, slots=True)
class Material:
    claim_id: int
    payee: int
    department: int | None
    currency: str
    total: Decimal
    items: tuple[MaterialItem, ...]
    payout_reference: str | None = None


def material_digest(m: Material) -> str:
    body = {
        "claim": m.claim_id,
        "payee": m.payee,
        "department": m.department,
        "currency": m.currency,
        "total": f"{m.total:.2f}",
        "payout_reference": m.payout_reference,
        "items": [
            {
                "position": i.position,
                "category": i.category,
                "amount": f"{i.amount:.2f}",
                "expense_date": i.expense_date.isoformat(),
                "invoice_key": i.invoice_key,
                "document_id": i.document_id,
                "no_invoice_kind": i.no_invoice_kind,
            }
            for i in sorted(m.items, key=lambda i: i.position)
        ],
    }
    return hashlib.sha256(canonical(body)).hexdigest()


# ---------------------------------------------------------------------------------------------
# Checkpoints


@dataclass(frozen=True, slots=True)
class Checkpoint:
    seq: int
    hash: str
    at: datetime
    key_id: str
    signature: str = ""  # base64 of the Ed25519 signature over ``message``

    def message(self) -> bytes:
        return canonical({"seq": self.seq, "hash": self.hash, "at": iso(self.at), "key_id": self.key_id})

    def to_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "hash": self.hash, "at": iso(self.at), "key_id": self.key_id,
                "signature": self.signature}  # fmt: skip

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Checkpoint:
        return cls(d["seq"], d["hash"], datetime.fromisoformat(d["at"]), d["key_id"], d["signature"])


def key_id(public_raw: bytes) -> str:
    """A short name for a public key: the first 16 hex digits of its SHA-256."""
    return hashlib.sha256(public_raw).hexdigest()[:16]


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


# ---------------------------------------------------------------------------------------------
# Verification (pure: the caller passes what is stored and a signature check)


def _where(e: Entry) -> str:
    claim = f"claim {e.claim_id}, seq {e.claim_seq}" if e.claim_id is not None else e.subject
    return f"entry #{e.chain_seq} ({claim})"


def verify_entries(
    entries: Sequence[Entry], *, first_prev: str = GENESIS, complete: bool = True
) -> list[str]:
    """Problems in a run of the global chain, in stored order. ``complete``: the run starts at
    the first entry of the installation (``chain_seq`` 1); otherwise it starts wherever the
    first entry says, linked to ``first_prev`` when that is given ('' = unknown)."""
    problems: list[str] = []
    prev_hash = first_prev
    expected_seq = 1 if complete or not entries else entries[0].chain_seq
    for e in entries:
        if e.chain_seq != expected_seq:
            problems.append(f"{_where(e)}: expected chain seq {expected_seq} (an entry is missing or moved)")
        if prev_hash and e.prev_hash != prev_hash:
            problems.append(f"{_where(e)}: prev_hash does not match the entry before (deleted or inserted)")
        if e.hash != e.computed_hash():
            problems.append(f"{_where(e)}: content does not match its hash (edited)")
        prev_hash, expected_seq = e.hash, e.chain_seq + 1
    return problems


def verify_claim_links(entries: Iterable[Entry]) -> list[str]:
    """Each claim's own run: ``claim_seq`` 1, 2, ... and each linked to the claim's entry before."""
    problems: list[str] = []
    last: dict[int, Entry] = {}
    for e in entries:
        if e.claim_id is None:
            continue
        before = last.get(e.claim_id)
        want_seq = before.claim_seq + 1 if before is not None and before.claim_seq is not None else 1
        want_prev = before.hash if before is not None else GENESIS
        if e.claim_seq != want_seq:
            problems.append(f"{_where(e)}: expected claim {e.claim_id} seq {want_seq} (its entry is missing)")
        if e.claim_prev_hash != want_prev:
            problems.append(f"{_where(e)}: not linked to claim {e.claim_id}'s entry before")
        last[e.claim_id] = e
    return problems


def newest_per_claim(entries: Iterable[Entry]) -> dict[int, Entry]:
    out: dict[int, Entry] = {}
    for e in entries:
        if e.claim_id is not None:
            out[e.claim_id] = e
    return out


def verify_checkpoints(
    checkpoints: Sequence[Checkpoint],
    hashes: Mapping[int, str],
    valid_signature: Any,
    *,
    last_seq: int,
) -> list[str]:
    """Each checkpoint signed by a known key and pointing at the entry it names.

    ``hashes`` maps chain seq to the stored entry hash; ``valid_signature(checkpoint)`` says
    whether the signature holds. A checkpoint beyond the last entry means entries were removed.
    """
    problems: list[str] = []
    for c in checkpoints:
        name = f"checkpoint at seq {c.seq} ({iso(c.at)})"
        if not valid_signature(c):
            problems.append(f"{name}: signature does not verify with the audit public key")
        if c.seq > last_seq:
            problems.append(f"{name}: the trail ends at seq {last_seq}; signed entries were removed")
        elif c.seq > 0 and hashes.get(c.seq) != c.hash:
            problems.append(f"{name}: the entry at that seq is not the one that was signed")
    return problems


@dataclass(frozen=True, slots=True)
class Statement:
    """What an export holds, signed: the selection, how many entries and a digest of their
    hashes in order, and the chain's head when it was written. Removing, adding or reordering
    an entry of the file breaks ``entries_digest``."""

    selection: dict[str, Any]
    count: int
    entries_digest: str
    head_seq: int
    head_hash: str
    at: datetime
    key_id: str
    signature: str = ""

    def message(self) -> bytes:
        d = self.to_dict()
        d.pop("signature")
        return canonical(d)

    def to_dict(self) -> dict[str, Any]:
        return {"selection": self.selection, "count": self.count, "entries_digest": self.entries_digest,
                "head_seq": self.head_seq, "head_hash": self.head_hash, "at": iso(self.at),
                "key_id": self.key_id, "signature": self.signature}  # fmt: skip

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Statement:
        return cls(dict(d["selection"]), d["count"], d["entries_digest"], d["head_seq"], d["head_hash"],
                   datetime.fromisoformat(d["at"]), d["key_id"], d["signature"])  # fmt: skip


def entries_digest(entries: Iterable[Entry]) -> str:
    h = hashlib.sha256()
    for e in entries:
        h.update(e.hash.encode("ascii"))
    return h.hexdigest()


def verify_export(
    entries: Sequence[Entry],
    checkpoints: Sequence[Checkpoint],
    statement: Statement | None,
    valid_checkpoint: Any,
    valid_statement: Any,
) -> list[str]:
    """Check an exported trail offline (no database): every entry's hash, the links between
    entries the file holds side by side, each claim's own run when the selection is a claim,
    the checkpoints' signatures and the signed statement over the whole file."""
    problems: list[str] = []
    if statement is None:
        return ["the file has no signed statement"]
    if not valid_statement(statement):
        problems.append("the statement's signature does not verify with the audit public key")
    if statement.count != len(entries) or statement.entries_digest != entries_digest(entries):
        problems.append("the entries are not the ones the statement signed (removed, added or changed)")
    by_seq = {e.chain_seq: e for e in entries}
    for e in entries:
        if e.hash != e.computed_hash():
            problems.append(f"{_where(e)}: content does not match its hash (edited)")
        before = by_seq.get(e.chain_seq - 1)
        if before is not None and e.prev_hash != before.hash:
            problems.append(f"{_where(e)}: prev_hash does not match the entry before")
        if e.chain_seq == 1 and e.prev_hash != GENESIS:
            problems.append(f"{_where(e)}: the first entry does not start from the genesis hash")
    if statement.selection.get("claim_id") is not None:
        problems += verify_claim_links(entries)
    for c in checkpoints:
        if not valid_checkpoint(c):
            problems.append(f"checkpoint at seq {c.seq}: signature does not verify")
        signed = by_seq.get(c.seq)
        if signed is not None and signed.hash != c.hash:
            problems.append(f"checkpoint at seq {c.seq}: the entry at that seq is not the one signed")
    head = by_seq.get(statement.head_seq)
    if head is not None and head.hash != statement.head_hash:
        problems.append(f"the head entry (seq {statement.head_seq}) is not the one signed")
    return problems
