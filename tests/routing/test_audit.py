"""The hash-chained audit trail: intact chains verify; edits, deletions and reordering do not."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

from reimburse.routing.audit import GENESIS, AuditEntry, chain_all, head, verify_all, verify_chain
from reimburse.routing.domain import Approve, AuditRecord, Comment, Event, Submit
from reimburse.routing.engine import advance, new_instance
from tests.routing.helpers import T0, company, facts, mechanics_flow

FLOW = mechanics_flow()  # the engine's mechanics, not the shipped rule
ORG = company()


def trail() -> list[AuditEntry]:
    inst = new_instance(FLOW, facts("5000"), ORG)
    records: list[AuditRecord] = []
    events: list[Event] = [
        Submit("alice"),
        Comment("east_head", "客户是谁？"),
        Approve("east_head"),
        Approve("fr1"),
        Approve("gm"),
    ]
    for i, ev in enumerate(events):
        inst, effects = advance(inst, ev, FLOW, T0 + timedelta(minutes=i), org=ORG)
        records += [e for e in effects if isinstance(e, AuditRecord)]
    return chain_all(records)


def test_intact_chain_verifies() -> None:
    entries = trail()
    assert verify_chain(entries) == []
    assert entries[0].prev_hash == GENESIS and entries[1].prev_hash == entries[0].hash
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    assert (entries[0].state_before, entries[0].state_after) == ("draft", "running:dept_head")
    assert entries[-1].state_after == "approved" and head(entries) == entries[-1].hash


def test_edit_is_detected() -> None:
    entries = trail()
    entries[2] = replace(entries[2], actor="mallory")
    assert verify_chain(entries) == ["entry 2 (seq 3): content does not match its hash (edited)"]


def test_edit_with_recomputed_hash_breaks_the_next_link() -> None:
    entries = trail()
    forged = chain_all(
        [AuditRecord("C1", 2, "east_head", entries[1].at, "comment", "edited", "", "")], entries[0]
    )[0]
    entries[1] = forged
    got = verify_chain(entries)
    assert got == ["entry 2 (seq 3): prev_hash does not match the entry before (deleted, inserted or moved)"]


def test_deletion_is_detected() -> None:
    entries = trail()
    del entries[1]
    got = verify_chain(entries)
    assert any("expected seq 2" in p for p in got) and any("prev_hash" in p for p in got)


def test_truncation_is_only_detectable_against_an_anchored_head() -> None:
    entries = trail()
    anchored = head(entries)
    assert verify_chain(entries[:-1]) == []  # a shorter chain is self-consistent ...
    assert head(entries[:-1]) != anchored  # ... which is why the head is anchored elsewhere


def test_reordering_is_detected() -> None:
    entries = trail()
    entries[2], entries[3] = entries[3], entries[2]
    got = verify_chain(entries)
    # seq out of place at 2 and 3, and the links into 2, 3 and 4 are broken
    assert got[0] == "entry 2 (seq 4): expected seq 3 (an entry is missing, extra or out of order)"
    assert len(got) == 5 and sum("prev_hash" in p for p in got) == 3


def test_entries_round_trip_through_json() -> None:
    entries = trail()
    again = [AuditEntry.from_dict(json.loads(json.dumps(e.to_dict(), ensure_ascii=False))) for e in entries]
    assert again == entries and verify_chain(again) == []


def test_verify_all_reports_only_broken_claims() -> None:
    good = trail()
    other = [replace(e, claim_id="C2") for e in trail()]  # claim id is hashed: all edited
    assert verify_all(good) == {}
    found = verify_all([*good, *other])
    assert list(found) == ["C2"] and len(found["C2"]) == 5
