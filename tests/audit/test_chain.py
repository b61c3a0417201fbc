"""The pure audit chain: hashes, links, material digests, checkpoints and exports."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from reimburse.audit.chain import (
    GENESIS,
    Checkpoint,
    Entry,
    Material,
    MaterialItem,
    Statement,
    entries_digest,
    material_digest,
    verify_checkpoints,
    verify_claim_links,
    verify_entries,
    verify_export,
)
from reimburse.audit.keys import Signer, _from_b64, new_key_b64

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def chain(specs: list[int | None]) -> list[Entry]:
    """Entries for claim ids (None: an admin change), linked as the service links them."""
    out: list[Entry] = []
    prev, last = GENESIS, {}
    for n, claim in enumerate(specs, start=1):
        before = last.get(claim)
        claim_seq = (before.claim_seq or 0) + 1 if before else (1 if claim else None)
        e = Entry(
            chain_seq=n, claim_id=claim, claim_seq=claim_seq,
            subject=f"claim:{claim}" if claim else "policy", actor="user:1", at=T0 + timedelta(minutes=n),
            action="approve" if claim else "policy.save", comment="", state_before="", state_after="",
            details={} if claim else {"version": n}, material="m" * 64 if claim else "", prev_hash=prev,
            claim_prev_hash=(before.hash if before else GENESIS) if claim else "",
        ).sealed()  # fmt: skip
        out.append(e)
        prev = e.hash
        if claim:
            last[claim] = e
    return out


def test_an_intact_chain_has_no_problems() -> None:
    entries = chain([1, None, 2, 1, 2])
    assert verify_entries(entries) == [] and verify_claim_links(entries) == []


def test_edits_deletions_and_reordering_are_found() -> None:
    entries = chain([1, None, 2, 1, 2])
    edited = [*entries[:2], replace(entries[2], comment="x"), *entries[3:]]
    assert any("edited" in p for p in verify_entries(edited))
    resealed = [*entries[:2], replace(entries[2], comment="x").sealed(), *entries[3:]]
    assert any("prev_hash" in p for p in verify_entries(resealed))
    assert any("missing" in p for p in verify_entries(entries[:2] + entries[3:]))
    assert any(
        "expected claim 1 seq 1" in p for p in verify_claim_links([e for e in entries if e.chain_seq != 1])
    )
    swapped = [entries[1], entries[0], *entries[2:]]
    assert verify_entries(swapped) != []


def test_the_material_digest_moves_with_any_amount() -> None:
    item = MaterialItem(0, "travel", Decimal("100.00"), date(2026, 11, 28), None, None, "per_diem")
    m = Material(1, 7, 4, "CNY", Decimal("100.00"), (item,))
    assert material_digest(m) == material_digest(replace(m))
    assert material_digest(m) != material_digest(replace(m, total=Decimal("100.01")))
    assert material_digest(m) != material_digest(replace(m, items=(replace(item, amount=Decimal("99.00")),)))
    assert material_digest(m) != material_digest(replace(m, payee=8))
    assert material_digest(m) != material_digest(replace(m, payout_reference="SAL-1"))


def test_checkpoints_bind_the_head_with_a_signature() -> None:
    signer = Signer(_from_b64(new_key_b64()))
    entries = chain([1, 2, 1])
    hashes = {e.chain_seq: e.hash for e in entries}
    cp = signer.sign(Checkpoint(3, entries[-1].hash, T0, signer.key_id))
    verifier = signer.verifier()
    assert verify_checkpoints([cp], hashes, verifier.valid, last_seq=3) == []
    assert verify_checkpoints([cp], hashes, verifier.valid, last_seq=2) != []  # the newest entry is gone
    forged = replace(cp, hash=entries[0].hash)
    assert any("signature" in p for p in verify_checkpoints([forged], hashes, verifier.valid, last_seq=3))
    other = Signer(_from_b64(new_key_b64())).verifier()
    assert verify_checkpoints([cp], hashes, other.valid, last_seq=3) != []


def test_an_export_statement_covers_exactly_its_entries() -> None:
    signer = Signer(_from_b64(new_key_b64()))
    entries = [e for e in chain([1, 2, 1, None, 1]) if e.claim_id == 1]
    statement = signer.sign_statement(
        Statement(
            {"claim_id": 1}, len(entries), entries_digest(entries), 5, entries[-1].hash, T0, signer.key_id
        )
    )
    v = signer.verifier()
    assert verify_export(entries, [], statement, v.valid, v.valid) == []
    assert verify_export(entries[:-1], [], statement, v.valid, v.valid) != []
    assert verify_export(entries, [], replace(statement, count=2), v.valid, v.valid) != []
    assert verify_export(entries, [], None, v.valid, v.valid) == ["the file has no signed statement"]
    wrong_head = signer.sign_statement(replace(statement, head_hash="h" * 64))
    assert verify_export(entries, [], wrong_head, v.valid, v.valid) == [
        "the head entry (seq 5) is not the one signed"
    ]
