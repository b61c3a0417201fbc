"""`reimburse audit verify` on a walked claim: intact, then broken by each kind of tampering
an auditor must catch (issue 13): an amount edited in the database, the newest entry deleted,
one claim's entries deleted, an entry rewritten with a recomputed hash."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, text, update

from reimburse.audit.chain import Entry
from reimburse.audit.keys import signer_for
from reimburse.audit.records import AuditCheckpointRecord, AuditHeadRecord
from reimburse.audit.service import entry_of
from reimburse.core.db import utcnow
from reimburse.core.settings import Settings
from reimburse.jobs.periodic import sign_checkpoint
from reimburse.routing.records import AuditEntryRecord
from tests.api_helpers import demo_api, login
from tests.audit.helpers import act, approve_all, cli, new_claim, per_diem, submit

DAY = (date.today() - timedelta(days=3)).isoformat()
AUDIT_TABLES = (AuditEntryRecord.__table__, AuditHeadRecord.__table__, AuditCheckpointRecord.__table__)


@pytest.fixture()
def walked(migrated_engine: Engine, settings: Settings) -> Iterator[tuple[TestClient, dict[str, Any]]]:
    """Alice's claim: submitted, returned, resubmitted, approved by every step, paid by payroll;
    Bob's claim waits with his head; then a checkpoint is signed."""
    with demo_api(migrated_engine, settings) as (client, demo):
        alice, bob = login(client, "alice"), login(client, "bob")
        finance = login(client, "finrev")  # above 1,000 finance pre-review is the first step
        claim = new_claim(client, alice, per_diem("1500.00", DAY))
        submit(client, alice, claim["id"])
        assert act(client, finance, claim["id"], "return", comment="请补充行程").status_code == 200
        submit(client, alice, claim["id"])
        approve_all(client, claim["id"])
        payroll = {"Authorization": f"Bearer {demo['payroll_api_key']}"}
        paid = client.post(
            f"/api/v1/payouts/{claim['id']}/paid", headers=payroll, json={"reference": "SAL-7"}
        )
        assert paid.status_code == 200 and paid.json()["status"] == "paid"
        other = new_claim(client, bob, per_diem("800.00", DAY))
        submit(client, bob, other["id"])
        yield client, {**demo, "claim": claim["id"], "other": other["id"]}


def _verify(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> Any:
    return cli(monkeypatch, settings, "audit", "verify")


def _snapshot(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    with engine.connect() as conn:
        return {t.name: [dict(r) for r in conn.execute(t.select()).mappings()] for t in AUDIT_TABLES}


def _restore(engine: Engine, saved: dict[str, list[dict[str, Any]]]) -> None:
    with engine.begin() as conn:
        for t in AUDIT_TABLES:
            conn.execute(t.delete())
            if saved[t.name]:
                conn.execute(t.insert(), saved[t.name])


def _entries(engine: Engine) -> list[Entry]:
    from sqlalchemy.orm import Session

    with Session(engine) as s:
        return [entry_of(r) for r in s.scalars(select(AuditEntryRecord).order_by(AuditEntryRecord.chain_seq))]


def _rewrite(engine: Engine, entries: list[Entry]) -> None:
    with engine.begin() as conn:
        for e in entries:
            conn.execute(
                update(AuditEntryRecord.__table__)
                .where(AuditEntryRecord.__table__.c.chain_seq == e.chain_seq)
                .values(
                    comment=e.comment, prev_hash=e.prev_hash, claim_prev_hash=e.claim_prev_hash, hash=e.hash
                )
            )


def test_verify_passes_on_a_walked_claim_and_fails_after_each_tampering(
    walked: tuple[TestClient, dict[str, Any]],
    migrated_engine: Engine,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client, demo = walked
    claim_id, other_id = demo["claim"], demo["other"]
    timeline = client.get(f"/api/v1/claims/{claim_id}", headers=login(client, "alice")).json()["timeline"]
    actions = [e["action"] for e in timeline]
    assert actions[:3] == ["submit", "return", "resubmit"] and actions[-1] == "paid"
    assert [e["seq"] for e in timeline] == list(range(1, len(timeline) + 1))  # the claim's view is intact
    signed = cli(monkeypatch, settings, "audit", "checkpoint")
    assert signed.exit_code == 0, signed.stdout
    ok = _verify(monkeypatch, settings)
    assert ok.exit_code == 0 and "intact" in ok.stdout, ok.stdout
    saved = _snapshot(migrated_engine)

    # 1. an amount edited in the database: the claim no longer matches what its trail bound
    with migrated_engine.begin() as conn:
        conn.execute(text("UPDATE claim_items SET amount = 15000 WHERE claim_id = :c"), {"c": claim_id})
        conn.execute(text("UPDATE claims SET total = 15000 WHERE id = :c"), {"c": claim_id})
    edited = _verify(monkeypatch, settings)
    assert edited.exit_code == 1 and f"claim {claim_id}: its amounts" in edited.stdout, edited.stdout
    with migrated_engine.begin() as conn:
        conn.execute(text("UPDATE claim_items SET amount = 1500 WHERE claim_id = :c"), {"c": claim_id})
        conn.execute(text("UPDATE claims SET total = 1500 WHERE id = :c"), {"c": claim_id})
    assert _verify(monkeypatch, settings).exit_code == 0

    # 2. the newest entry deleted: the stored head no longer matches ...
    newest = max(e.chain_seq for e in _entries(migrated_engine))
    with migrated_engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_entries WHERE chain_seq = :s"), {"s": newest})
    deleted = _verify(monkeypatch, settings)
    assert deleted.exit_code == 1 and "stored head" in deleted.stdout, deleted.stdout
    # ... and with the head wound back too, the signed checkpoint still names the lost entry
    before = _entries(migrated_engine)[-1]
    with migrated_engine.begin() as conn:
        conn.execute(
            text("UPDATE audit_head SET seq = :s, hash = :h"), {"s": before.chain_seq, "h": before.hash}
        )
    rewound = _verify(monkeypatch, settings)
    assert rewound.exit_code == 1 and "signed entries were removed" in rewound.stdout, rewound.stdout
    _restore(migrated_engine, saved)
    assert _verify(monkeypatch, settings).exit_code == 0

    # 3. one claim's entries deleted (a claim in the middle of the chain, and the paid one)
    for victim in (other_id, claim_id):
        with migrated_engine.begin() as conn:
            conn.execute(text("DELETE FROM audit_entries WHERE claim_id = :c"), {"c": victim})
        gone = _verify(monkeypatch, settings)
        assert gone.exit_code == 1 and f"claim {victim}: is " in gone.stdout, gone.stdout
        _restore(migrated_engine, saved)

    # 4. an entry rewritten with a recomputed hash: the next entry's link breaks ...
    entries = _entries(migrated_engine)
    target = next(e for e in entries if e.claim_id == claim_id and e.action == "approve")
    forged = Entry(**{**entry_of_dict(target), "comment": "approved by phone"}).sealed()
    _rewrite(migrated_engine, [forged])
    relinked = _verify(monkeypatch, settings)
    assert relinked.exit_code == 1 and "prev_hash does not match" in relinked.stdout, relinked.stdout
    # ... and rewriting every later entry and the head as well still misses the signed checkpoint
    chain, prev, claim_prev = [], "", {}
    for e in entries:
        if e.chain_seq < target.chain_seq:
            prev = e.hash
            if e.claim_id is not None:
                claim_prev[e.claim_id] = e.hash
            continue
        fields = entry_of_dict(e)
        fields["prev_hash"] = prev
        if e.claim_id is not None and e.claim_id in claim_prev:
            fields["claim_prev_hash"] = claim_prev[e.claim_id]
        if e.chain_seq == target.chain_seq:
            fields["comment"] = "approved by phone"
        new = Entry(**fields).sealed()
        chain.append(new)
        prev = new.hash
        if new.claim_id is not None:
            claim_prev[new.claim_id] = new.hash
    _rewrite(migrated_engine, chain)
    with migrated_engine.begin() as conn:
        conn.execute(text("UPDATE audit_head SET hash = :h"), {"h": chain[-1].hash})
    rechained = _verify(monkeypatch, settings)
    assert rechained.exit_code == 1, rechained.stdout
    assert "is not the one that was signed" in rechained.stdout, rechained.stdout
    _restore(migrated_engine, saved)
    assert _verify(monkeypatch, settings).exit_code == 0


def entry_of_dict(e: Entry) -> dict[str, Any]:
    return {f: getattr(e, f) for f in Entry.__dataclass_fields__}


def test_the_worker_signs_a_checkpoint_when_the_head_moved(
    walked: tuple[TestClient, dict[str, Any]], migrated_engine: Engine, settings: Settings
) -> None:
    signer = signer_for(settings)
    now = utcnow()
    assert sign_checkpoint(migrated_engine, signer, now, timedelta(minutes=5)) == 1
    assert sign_checkpoint(migrated_engine, signer, now + timedelta(hours=1), timedelta(minutes=5)) == 0
    client, demo = walked
    act(client, login(client, "teamlead"), demo["other"], "comment", comment="看一下")
    assert sign_checkpoint(migrated_engine, signer, now + timedelta(minutes=1), timedelta(minutes=5)) == 0
    assert sign_checkpoint(migrated_engine, signer, now + timedelta(minutes=6), timedelta(minutes=5)) == 1
