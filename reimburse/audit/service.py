"""Appending to the audit chain, checkpoints, verification and export.

``record`` is the one call for anything that changes a claim outside its route (payments,
edits); ``record_admin`` for admin changes (flows, policy, users, budgets, webhooks,
delegations, API keys, departments, controls); routing appends each approval transition
through ``append_transition``. Appending takes the head row first with an atomic
``UPDATE ... RETURNING`` (a row lock on PostgreSQL, the write lock on SQLite), so concurrent
requests get consecutive sequence numbers; it should be the last lock a transaction takes.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from reimburse.audit.chain import (
    GENESIS,
    Checkpoint,
    Entry,
    Material,
    MaterialItem,
    Statement,
    entries_digest,
    material_digest,
    newest_per_claim,
    verify_checkpoints,
    verify_claim_links,
    verify_entries,
    verify_export,
)
from reimburse.audit.keys import Signer, Verifier
from reimburse.audit.records import HEAD_ID, AuditCheckpointRecord, AuditHeadRecord
from reimburse.routing.records import AuditEntryRecord


class MaterialLine(Protocol):
    @property
    def position(self) -> int: ...
    @property
    def category(self) -> str: ...
    @property
    def amount(self) -> Decimal: ...
    @property
    def expense_date(self) -> date: ...
    @property
    def invoice_key(self) -> str | None: ...
    @property
    def document_id(self) -> int | None: ...
    @property
    def no_invoice_kind(self) -> str | None: ...


class MaterialClaim(Protocol):
    """What an entry binds of a claim: who is paid, how much, for what, on which invoices."""

    @property
    def id(self) -> int: ...
    @property
    def status(self) -> str: ...
    @property
    def submitter_id(self) -> int: ...
    @property
    def department_id(self) -> int | None: ...
    @property
    def currency(self) -> str: ...
    @property
    def total(self) -> Decimal: ...
    @property
    def payout_reference(self) -> str | None: ...
    @property
    def items(self) -> Sequence[MaterialLine]: ...


def material_of(claim: MaterialClaim) -> str:
    return material_digest(
        Material(
            claim_id=claim.id,
            payee=claim.submitter_id,
            department=claim.department_id,
            currency=claim.currency,
            total=Decimal(claim.total),
            payout_reference=claim.payout_reference,
            items=tuple(
                MaterialItem(
                    i.position,
                    i.category,
                    Decimal(i.amount),
                    i.expense_date,
                    i.invoice_key,
                    i.document_id,
                    i.no_invoice_kind,
                )
                for i in claim.items
            ),
        )
    )


# ---------------------------------------------------------------------------------------------
# Appending


def record(
    session: Session,
    claim: MaterialClaim,
    action: str,
    actor: str,
    comment: str,
    now: datetime,
    details: dict[str, Any] | None = None,
    *,
    state_before: str | None = None,
) -> AuditEntryRecord:
    """Append a claim entry (payment, edit, finance decision, hand-over ...) binding the claim's
    material content as it is now. ``state_before`` defaults to the claim's status (the state
    after is always its status)."""
    return _append(
        session,
        claim_id=claim.id,
        subject=f"claim:{claim.id}",
        actor=actor,
        at=now,
        action=action,
        comment=comment,
        state_before=state_before if state_before is not None else claim.status,
        state_after=claim.status,
        details=details or {},
        material=material_of(claim),
    )


def text_digest(text: str) -> str:
    """What the trail keeps of a saved document (a policy, a flow): its SHA-256, not the text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def record_admin(
    session: Session,
    subject: str,
    action: str,
    actor: str,
    now: datetime,
    details: dict[str, Any] | None = None,
    comment: str = "",
) -> AuditEntryRecord:
    """Append an admin change (``subject`` names what changed, e.g. ``user:5``, ``policy``)."""
    return _append(
        session,
        claim_id=None,
        subject=subject,
        actor=actor,
        at=now,
        action=action,
        comment=comment,
        state_before="",
        state_after="",
        details=details or {},
        material="",
    )


def append_transition(
    session: Session,
    claim: MaterialClaim,
    *,
    actor: str,
    at: datetime,
    action: str,
    comment: str,
    state_before: str,
    state_after: str,
) -> AuditEntryRecord:
    """A routing transition (submit, approve, return ...) with the route states it moved between."""
    return _append(
        session,
        claim_id=claim.id,
        subject=f"claim:{claim.id}",
        actor=actor,
        at=at,
        action=action,
        comment=comment,
        state_before=state_before,
        state_after=state_after,
        details={},
        material=material_of(claim),
    )


def _take_head(session: Session) -> tuple[int, str]:
    """The next chain seq and the hash before it; the head row stays locked until commit."""
    bump = (
        update(AuditHeadRecord)
        .where(AuditHeadRecord.id == HEAD_ID)
        .values(seq=AuditHeadRecord.seq + 1)
        .returning(AuditHeadRecord.seq, AuditHeadRecord.hash)
    )
    row = session.execute(bump).one_or_none()
    if row is None:  # an emptied database: make the head (a racing creator wins, we then bump)
        insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        session.execute(
            insert(AuditHeadRecord).values(id=HEAD_ID, seq=0, hash=GENESIS).on_conflict_do_nothing()
        )
        row = session.execute(bump).one()
    return int(row.seq), str(row.hash)


def _append(session: Session, *, claim_id: int | None, **fields: Any) -> AuditEntryRecord:
    chain_seq, prev_hash = _take_head(session)
    claim_seq: int | None = None
    claim_prev = ""
    if claim_id is not None:
        last = session.execute(
            select(AuditEntryRecord.seq, AuditEntryRecord.hash)
            .where(AuditEntryRecord.claim_id == claim_id)
            .order_by(AuditEntryRecord.seq.desc())
            .limit(1)
        ).first()
        claim_seq = (last.seq or 0) + 1 if last is not None else 1
        claim_prev = last.hash if last is not None else GENESIS
    entry = Entry(
        chain_seq=chain_seq,
        claim_id=claim_id,
        claim_seq=claim_seq,
        prev_hash=prev_hash,
        claim_prev_hash=claim_prev,
        **fields,
    ).sealed()
    row = AuditEntryRecord(
        chain_seq=entry.chain_seq,
        claim_id=entry.claim_id,
        seq=entry.claim_seq,
        subject=entry.subject,
        actor=entry.actor,
        at=entry.at,
        action=entry.action,
        comment=entry.comment,
        state_before=entry.state_before,
        state_after=entry.state_after,
        details=entry.details,
        material=entry.material,
        prev_hash=entry.prev_hash,
        claim_prev_hash=entry.claim_prev_hash,
        hash=entry.hash,
    )
    session.add(row)
    session.execute(update(AuditHeadRecord).where(AuditHeadRecord.id == HEAD_ID).values(hash=entry.hash))
    return row


def entry_of(r: AuditEntryRecord) -> Entry:
    return Entry(
        chain_seq=r.chain_seq,
        claim_id=r.claim_id,
        claim_seq=r.seq,
        subject=r.subject,
        actor=r.actor,
        at=r.at,
        action=r.action,
        comment=r.comment,
        state_before=r.state_before,
        state_after=r.state_after,
        details=dict(r.details or {}),
        material=r.material,
        prev_hash=r.prev_hash,
        claim_prev_hash=r.claim_prev_hash,
        hash=r.hash,
    )


# ---------------------------------------------------------------------------------------------
# Checkpoints


def head(session: Session) -> tuple[int, str]:
    row = session.get(AuditHeadRecord, HEAD_ID)
    return (row.seq, row.hash) if row is not None else (0, GENESIS)


def checkpoint(session: Session, signer: Signer, now: datetime) -> Checkpoint:
    """Sign the current head and keep the signature."""
    seq, hash_ = head(session)
    signed = signer.sign(Checkpoint(seq, hash_, now, signer.key_id))
    session.add(
        AuditCheckpointRecord(
            seq=signed.seq, hash=signed.hash, at=signed.at, key_id=signed.key_id, signature=signed.signature
        )
    )
    session.flush()
    return signed


def checkpoint_if_due(session: Session, signer: Signer, now: datetime, every: timedelta) -> Checkpoint | None:
    """A checkpoint when the head moved since the last one and ``every`` has passed."""
    last = session.scalars(select(AuditCheckpointRecord).order_by(AuditCheckpointRecord.id.desc())).first()
    seq, _ = head(session)
    if last is not None and (last.seq == seq or now - last.at < every):
        return None
    if last is None and seq == 0:
        return None
    return checkpoint(session, signer, now)


def _checkpoint_of(r: AuditCheckpointRecord) -> Checkpoint:
    return Checkpoint(r.seq, r.hash, r.at, r.key_id, r.signature)


def checkpoints(session: Session) -> list[Checkpoint]:
    rows = session.scalars(select(AuditCheckpointRecord).order_by(AuditCheckpointRecord.id))
    return [_checkpoint_of(r) for r in rows]


# ---------------------------------------------------------------------------------------------
# Verification


def verify(
    session: Session,
    verifier: Verifier,
    materials: dict[int, tuple[str, str]],
    claim_id: int | None = None,
) -> list[str]:
    """Every problem in the stored trail; empty when it holds.

    The whole chain is checked (order, links, hashes), each claim's own run, the stored head
    against the newest entry, each checkpoint's signature and entry, and each claim's newest
    entry against its current material content. ``materials`` maps claim id to (status,
    digest) of every stored claim (see ``claims.audit``); ``claim_id`` limits the per-claim
    checks to one claim.
    """
    entries = [
        entry_of(r) for r in session.scalars(select(AuditEntryRecord).order_by(AuditEntryRecord.chain_seq))
    ]
    problems = verify_entries(entries)
    mine = [e for e in entries if claim_id is None or e.claim_id == claim_id]
    problems += verify_claim_links(mine)
    last_seq, last_hash = (entries[-1].chain_seq, entries[-1].hash) if entries else (0, GENESIS)
    stored_seq, stored_hash = head(session)
    if (stored_seq, stored_hash) != (last_seq, last_hash):
        problems.append(
            f"the stored head is seq {stored_seq}, the trail ends at seq {last_seq}: "
            "entries were removed from the end (or the head was changed)"
        )
    hashes = {e.chain_seq: e.hash for e in entries}
    problems += verify_checkpoints(checkpoints(session), hashes, verifier.valid, last_seq=last_seq)
    newest = newest_per_claim(mine)
    for cid, e in newest.items():
        found = materials.get(cid)
        if found is None:
            problems.append(f"claim {cid}: has audit entries but the claim is gone (deleted)")
        elif found[1] != e.material:
            problems.append(
                f"claim {cid}: its amounts, items, invoices or payee differ from what entry "
                f"#{e.chain_seq} recorded (changed outside the service)"
            )
    for cid, (status, _) in materials.items():
        if (claim_id is None or cid == claim_id) and status != "draft" and cid not in newest:
            problems.append(f"claim {cid}: is {status} but has no audit entries (its trail was deleted)")
    return problems


# ---------------------------------------------------------------------------------------------
# Export


def export(
    session: Session,
    signer: Signer,
    now: datetime,
    *,
    claim_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[dict[str, Any]]:
    """The selected entries, every checkpoint and a statement signed now over all of them, as
    records (``type``: header, entry, checkpoint, statement) for JSON Lines or CSV."""
    query = select(AuditEntryRecord).order_by(AuditEntryRecord.chain_seq)
    if claim_id is not None:
        query = query.where(AuditEntryRecord.claim_id == claim_id)
    if since is not None:
        query = query.where(AuditEntryRecord.at >= since)
    if until is not None:
        query = query.where(AuditEntryRecord.at < until)
    entries = [entry_of(r) for r in session.scalars(query)]
    seq, hash_ = head(session)
    selection = {
        "claim_id": claim_id,
        "since": since.isoformat() if since else None,
        "until": until.isoformat() if until else None,
    }
    statement = signer.sign_statement(
        Statement(selection, len(entries), entries_digest(entries), seq, hash_, now, signer.key_id)
    )
    header = {"type": "header", "format": "reimburse-audit/1", "key_id": signer.key_id,
              "public_key": signer.verifier().public_b64}  # fmt: skip
    return [
        header,
        *({"type": "entry", **e.to_dict()} for e in entries),
        *({"type": "checkpoint", **c.to_dict()} for c in checkpoints(session)),
        {"type": "statement", **statement.to_dict()},
    ]


def to_jsonl(records: Iterable[dict[str, Any]]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in records)


CSV_COLUMNS = ("type", "chain_seq", "claim_id", "claim_seq", "subject", "actor", "at", "action", "comment",
               "state_before", "state_after", "hash", "record")  # fmt: skip


def to_csv(records: Iterable[dict[str, Any]]) -> str:
    """One row per record: readable columns, and ``record`` with the exact JSON (what an offline
    check reads)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for r in records:
        writer.writerow({**r, "record": json.dumps(r, ensure_ascii=False, sort_keys=True)})
    return buf.getvalue()


def parse_export(text: str) -> list[dict[str, Any]]:
    """The records of a JSON Lines or CSV export."""
    if text.startswith("type,"):
        return [json.loads(row["record"]) for row in csv.DictReader(io.StringIO(text))]
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def verify_file(records: Sequence[dict[str, Any]], verifier: Verifier) -> list[str]:
    """Offline check of an export with the published public key."""
    entries: list[Entry] = []
    cps: list[Checkpoint] = []
    statement: Statement | None = None
    try:
        for r in records:
            body = {k: v for k, v in r.items() if k != "type"}
            if r.get("type") == "entry":
                entries.append(Entry.from_dict(body))
            elif r.get("type") == "checkpoint":
                cps.append(Checkpoint.from_dict(body))
            elif r.get("type") == "statement":
                statement = Statement.from_dict(body)
    except (KeyError, TypeError, ValueError) as exc:
        return [f"the file is not an audit export: {exc}"]
    return verify_export(entries, cps, statement, verifier.valid, verifier.valid)
