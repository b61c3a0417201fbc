"""The 0012 migration puts the per-claim chains of older installations into the one chain (and
its downgrade gives them back), so `audit verify` holds on both sides."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import Connection, Engine, MetaData, column, select, table, text
from sqlalchemy.orm import Session

from reimburse.audit.keys import signer_for
from reimburse.audit.service import verify
from reimburse.claims.trail import materials
from reimburse.core.db import UTCDateTime
from reimburse.core.migrate import downgrade, upgrade
from reimburse.core.settings import Settings
from reimburse.routing.domain import AuditRecord
from tests.api_helpers import wipe
from tests.audit.legacy_chain import AuditEntry, chain_all, verify_chain

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


_OLD = table(
    "audit_entries",
    *(column(n) for n in ("claim_id", "seq", "actor", "action", "comment", "state_before", "state_after")),
    column("at", UTCDateTime()),
    column("prev_hash"),
    column("hash"),
)


def _old_entries(conn: Connection) -> list[AuditEntry]:
    rows = conn.execute(select(_OLD).order_by(_OLD.c.claim_id, _OLD.c.seq)).mappings()
    return [
        AuditEntry(str(r["claim_id"]), r["seq"], r["actor"], r["at"], r["action"], r["comment"],
                   r["state_before"], r["state_after"], r["prev_hash"], r["hash"])
        for r in rows
    ]  # fmt: skip


def test_old_chains_are_rechained_and_given_back(migrated_engine: Engine, settings: Settings) -> None:
    url = migrated_engine.url.render_as_string(hide_password=False)
    wipe(migrated_engine)
    downgrade(url, "0014_api_key_lifecycle")  # the revision before the audit chain
    try:
        meta = MetaData()
        with migrated_engine.begin() as conn:
            meta.reflect(conn)
            t = meta.tables
            conn.execute(t["departments"].insert(), [{"id": 1, "name": "东区"}])
            person = {"roles": [], "department_id": 1, "rank": 1, "locale": "zh", "created_at": T0}
            conn.execute(t["users"].insert(), [
                {**person, "id": i, "username": f"u{i}", "display_name": f"U{i}", "active": i != 3}
                for i in (1, 2, 3)])  # fmt: skip
            conn.execute(t["access_tokens"].insert(), [
                {"id": i, "digest": f"{i}" * 64, "user_id": i, "expires_at": T0 + timedelta(days=1),
                 "revoked": False, "created_at": T0} for i in (1, 3)])  # fmt: skip
            for cid, amount in ((1, "120.00"), (2, "340.00")):
                conn.execute(t["claims"].insert(), [
                    {"id": cid, "number": f"BX{cid}", "submitter_id": cid, "department_id": 1, "purpose": "p",
                     "currency": "CNY", "total": Decimal(amount), "status": "submitted", "findings": [],
                     "version": 1, "created_at": T0, "updated_at": T0}])  # fmt: skip
                conn.execute(t["claim_items"].insert(), [
                    {"claim_id": cid, "position": 0, "category": "travel", "amount": Decimal(amount),
                     "currency": "CNY", "expense_date": date(2026, 11, 1), "description": "",
                     "corrections": [], "no_invoice_kind": "per_diem",
                     "no_invoice_reason": "r"}])  # fmt: skip
            # two claims whose old chains interleave in time
            records: dict[int, list[AuditRecord]] = {1: [], 2: []}
            for k, (cid, action) in enumerate(((1, "submit"), (2, "submit"), (1, "approve"), (2, "comment"))):
                at = T0 + timedelta(minutes=k)
                seq = len(records[cid]) + 1
                records[cid].append(
                    AuditRecord(str(cid), seq, str(3 - cid), at, action, "", "draft", "running:x")
                )
            for cid, recs in records.items():
                for e in chain_all(recs):
                    conn.execute(t["audit_entries"].insert(), [
                        {"claim_id": cid, "seq": e.seq, "actor": e.actor, "at": e.at, "action": e.action,
                         "comment": e.comment, "state_before": e.state_before, "state_after": e.state_after,
                         "prev_hash": e.prev_hash, "hash": e.hash}])  # fmt: skip
            assert all(verify_chain([e for e in _old_entries(conn) if e.claim_id == c]) == [] for c in "12")
        upgrade(url)
        with Session(migrated_engine) as s:
            assert verify(s, signer_for(settings).verifier(), materials(s)) == []
            rows = s.execute(
                text("SELECT chain_seq, claim_id, seq FROM audit_entries ORDER BY chain_seq")
            ).all()
            assert [tuple(r) for r in rows] == [(1, 1, 1), (2, 2, 1), (3, 1, 2), (4, 2, 2)]
            revoked = dict(s.execute(text("SELECT user_id, revoked FROM access_tokens")).all())
            assert bool(revoked[3]) and not bool(revoked[1])  # the deactivated user's token stays dead
        downgrade(url, "0014_api_key_lifecycle")  # the revision before the audit chain
        with migrated_engine.connect() as conn:
            old = _old_entries(conn)
            assert len(old) == 4
            assert all(verify_chain([e for e in old if e.claim_id == c]) == [] for c in "12")
    finally:
        upgrade(url)
        wipe(migrated_engine)
    with Session(migrated_engine) as s:
        assert s.scalar(select(text("1"))) == 1
