"""A tamper-evident audit trail: one hash chain per claim.

Each entry holds the transition (claim, seq, actor, time, action, comment, state before and after)
and the hash of the entry before it; its own hash is SHA-256 over a canonical JSON of all of that
(sorted keys, no whitespace, UTF-8, times in UTC ISO 8601). Editing an entry changes its hash, so
the next entry's ``prev_hash`` no longer matches; deleting or reordering breaks the ``seq`` run and
the links. The chain cannot stop someone who rewrites *every* later entry too; for that, anchor
the latest hash elsewhere (``head`` gives it: print it in a report, send it in a webhook).
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


def head(entries: Sequence[AuditEntry]) -> str:
    return entries[-1].hash if entries else GENESIS


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


def verify_all(entries: Iterable[AuditEntry]) -> dict[str, list[str]]:
    """``verify_chain`` per claim over entries of many claims (each claim's in stored order);
    only claims with problems appear in the result."""
    by_claim: dict[str, list[AuditEntry]] = {}
    for e in entries:
        by_claim.setdefault(e.claim_id, []).append(e)
    found = {claim: verify_chain(chain) for claim, chain in by_claim.items()}
    return {claim: problems for claim, problems in found.items() if problems}
