"""One pre-approval is taken over by one live claim at most, and the database decides it (the
partial unique index of migration 0020): claims that link the same pre-approval at the same
moment give one 201 and clear 409s ``pre_approval_used``, never two links and never a 500.
Runs on SQLite by default and on PostgreSQL (READ COMMITTED) with the integration env."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from reimburse.claims.records import ClaimRecord
from reimburse.core.settings import Settings
from tests.advances.test_advances_api import approve_all
from tests.advances.test_pre_approval_api import line, linked_claim, pre_approval
from tests.api_helpers import demo_api, login
from tests.races import race


@pytest.fixture()
def api(migrated_engine: Engine, settings: Settings) -> Iterator[tuple[TestClient, dict[str, Any]]]:
    with demo_api(migrated_engine, settings) as pair:
        yield pair


def _approved_pre_approval(client: TestClient, alice: dict[str, str]) -> int:
    pre = pre_approval(client, alice, line("travel", "300.00"))
    approve_all(client, pre["id"])
    assert client.get(f"/api/v1/claims/{pre['id']}", headers=alice).json()["status"] == "approved"
    return int(pre["id"])


@pytest.mark.parametrize("n", [2, 4])
def test_claims_linking_one_pre_approval_at_once_give_one_201_and_409s(
    api: Any, migrated_engine: Engine, n: int
) -> None:
    signed_in, _ = api
    client = TestClient(signed_in.app, raise_server_exceptions=False)
    alice = login(client, "alice")
    pre_id = _approved_pre_approval(signed_in, alice)
    answers: list[httpx.Response | None] = [None] * n

    def create(i: int) -> None:
        answers[i] = linked_claim(client, alice, pre_id, "200.00")

    assert race(n, create) == [None] * n
    codes = sorted(a.status_code for a in answers if a is not None)
    assert codes == [201] + [409] * (n - 1), [a.text for a in answers if a is not None]
    refused = {a.json()["error"]["code"] for a in answers if a is not None and a.status_code == 409}
    # PostgreSQL: the index refuses the loser's write; SQLite serialises writers, so a loser
    # either reads the winner's link or loses the write lock (``stale_version``: try again)
    sqlite = migrated_engine.dialect.name == "sqlite"
    assert refused <= ({"pre_approval_used", "stale_version"} if sqlite else {"pre_approval_used"}), refused
    [won] = [a.json() for a in answers if a is not None and a.status_code == 201]
    assert won["pre_approval_id"] == pre_id
    # the loser may link it once the winner no longer holds it: a deleted draft releases it
    again = linked_claim(client, alice, pre_id, "200.00")
    assert again.status_code == 409 and again.json()["error"]["code"] == "pre_approval_used"
    deleted = client.delete(f"/api/v1/claims/{won['id']}", headers=alice)
    assert deleted.status_code == 200, deleted.text
    assert linked_claim(client, alice, pre_id, "200.00").status_code == 201


def test_two_edits_linking_one_pre_approval_at_once_link_it_once(api: Any) -> None:
    signed_in, _ = api
    client = TestClient(signed_in.app, raise_server_exceptions=False)
    alice = login(client, "alice")
    pre_id = _approved_pre_approval(signed_in, alice)
    drafts = [linked_claim(client, alice, None, "200.00").json() for _ in range(2)]
    answers: list[httpx.Response | None] = [None, None]

    def link(i: int) -> None:
        item = {k: drafts[i]["items"][0][k] for k in ("category", "amount", "expense_date")}
        item |= {"no_invoice_kind": "per_diem", "city_tier": 3, "days": 2}  # computed: 200.00
        body = {"purpose": "上海客户拜访", "pre_approval_id": pre_id, "version": drafts[i]["version"],
                "items": [item]}  # fmt: skip
        answers[i] = client.patch(f"/api/v1/claims/{drafts[i]['id']}", headers=alice, json=body)

    assert race(2, link) == [None, None]
    codes = sorted(a.status_code for a in answers if a is not None)
    assert codes == [200, 409], [a.text for a in answers if a is not None]
    linked = [
        client.get(f"/api/v1/claims/{d['id']}", headers=alice).json()["pre_approval_id"] for d in drafts
    ]
    assert sorted(linked, key=lambda x: x is None) == [pre_id, None]


def test_the_database_refuses_a_second_live_link_but_not_a_released_one(
    api: Any, migrated_engine: Engine
) -> None:
    client, _ = api
    alice = login(client, "alice")
    pre_id = _approved_pre_approval(client, alice)
    first = linked_claim(client, alice, pre_id, "200.00").json()
    second = linked_claim(client, alice, None, "200.00").json()
    # past the service's check, straight at the table: the index is what refuses
    with Session(migrated_engine) as s:
        with pytest.raises(IntegrityError):
            s.execute(
                update(ClaimRecord).where(ClaimRecord.id == second["id"]).values(pre_approval_id=pre_id)
            )
            s.flush()
        s.rollback()
        s.execute(update(ClaimRecord).where(ClaimRecord.id == first["id"]).values(status="withdrawn"))
        s.execute(update(ClaimRecord).where(ClaimRecord.id == second["id"]).values(pre_approval_id=pre_id))
        s.commit()
        held = s.scalars(select(ClaimRecord.id).where(ClaimRecord.pre_approval_id == pre_id)).all()
    assert sorted(held) == sorted([first["id"], second["id"]])
