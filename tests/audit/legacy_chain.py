"""The audit trail's format before migration 0015: one hash chain per claim.

Kept for the migration tests only, which write legacy chains in this format, upgrade, and check
that a downgrade re-links them so the old verifier passes. The service's own trail is
``reimburse.audit`` (one chain per installation).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from reimburse.routing.domain import AuditRecord

GENESIS = "0" * 64


@dataclass(frozen=True, slots=True)
class AuditEntry:
    claim_id: str
    seq: int
    actor: str
    at: datetime
    action: str
    comment: str
    state_before: str
    state_after: str
    prev_hash: str
    hash: str

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["at"] = _iso(self.at)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> AuditEntry:
        return cls(**{**d, "at": datetime.fromisoformat(d["at"])})


def _iso(at: datetime) -> str:
    if at.tzinfo is None:  # the engine gets aware times; a naive one is taken as UTC, stated explicitly
        at = at.replace(tzinfo=UTC)
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def entry_hash(
    *,
    claim_id: str,
    seq: int,
    actor: str,
    at: datetime,
    action: str,
    comment: str,
    state_before: str,
    state_after: str,
    prev_hash: str,
) -> str:
    body = {
        "claim_id": claim_id,
        "seq": seq,
        "actor": actor,
        "at": _iso(at),
        "action": action,
        "comment": comment,
        "state_before": state_before,
        "state_after": state_after,
        "prev_hash": prev_hash,
    }
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def chain(record: AuditRecord, previous: AuditEntry | None) -> AuditEntry:
    """The entry for ``record`` following ``previous`` (None for a claim's first entry)."""
    prev_hash = previous.hash if previous is not None else GENESIS
    fields = {
        "claim_id": record.claim_id,
        "seq": record.seq,
        "actor": record.actor,
        "at": record.at,
        "action": record.action,
        "comment": record.comment,
        "state_before": record.state_before,
        "state_after": record.state_after,
        "prev_hash": prev_hash,
    }
    return AuditEntry(**fields, hash=entry_hash(**fields))  # type: ignore[arg-type]


def chain_all(records: Iterable[AuditRecord], previous: AuditEntry | None = None) -> list[AuditEntry]:
    out: list[AuditEntry] = []
    for r in records:
        previous = chain(r, previous)
        out.append(previous)
    return out


def verify_chain(entries: Sequence[AuditEntry]) -> list[str]:
    """Problems found in one claim's entries, in stored order; empty when the chain is intact.

    Pass the entries as stored (ordered by seq, or by insertion): a reordering shows as a seq out
    of place and a broken link.
    """
    problems: list[str] = []
    prev_hash = GENESIS
    claim = entries[0].claim_id if entries else ""
    for i, e in enumerate(entries):
        where = f"entry {i} (seq {e.seq})"
        if e.claim_id != claim:
            problems.append(f"{where}: belongs to claim {e.claim_id}, not {claim}")
        if e.seq != i + 1:
            problems.append(f"{where}: expected seq {i + 1} (an entry is missing, extra or out of order)")
        if e.prev_hash != prev_hash:
            problems.append(
                f"{where}: prev_hash does not match the entry before (deleted, inserted or moved)"
            )
        expected = entry_hash(
            claim_id=e.claim_id,
            seq=e.seq,
            actor=e.actor,
            at=e.at,
            action=e.action,
            comment=e.comment,
            state_before=e.state_before,
            state_after=e.state_after,
            prev_hash=e.prev_hash,
        )
        if e.hash != expected:
            problems.append(f"{where}: content does not match its hash (edited)")
        prev_hash = e.hash
    return problems
