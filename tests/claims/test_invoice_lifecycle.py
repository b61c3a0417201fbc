"""The invoice registry follows the lifecycle (unused -> locked -> reimbursed -> closed), through
the API: submission locks, final approval reimburses, payment closes, a rejection gives it back."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from reimburse.claims.records import InvoiceRegistration
from reimburse.core.settings import Settings
from tests.api_helpers import demo_api, login
from tests.audit.helpers import act, approve_all
from tests.claims.controls_helpers import einvoice, invoice_item, upload, xml_file

Api = tuple[TestClient, dict[str, object]]


@pytest.fixture()
def api(migrated_engine: Engine, settings: Settings) -> Iterator[Api]:
    with demo_api(migrated_engine, settings) as pair:
        yield pair


def _states(engine: Engine, claim_id: int) -> list[str]:
    with Session(engine) as s:
        return list(
            s.scalars(select(InvoiceRegistration.state).where(InvoiceRegistration.claim_id == claim_id))
        )


def _claim(client: TestClient, engine: Engine, settings: Settings, serial: int) -> int:
    alice = login(client, "alice")
    inv = einvoice(serial, "318.00", "300.00", "18.00")
    doc = upload(client, alice, engine, settings, f"i{serial}.xml", xml_file(inv))
    draft = client.post(
        "/api/v1/claims", headers=alice, json={"purpose": "餐费", "items": [invoice_item(doc, "318.00")]}
    )
    assert draft.status_code == 201, draft.text
    claim_id = int(draft.json()["id"])
    assert _states(engine, claim_id) == []  # a draft holds nothing
    r = client.post(f"/api/v1/claims/{claim_id}/submit", headers=alice)
    assert r.status_code == 200, r.text
    assert _states(engine, claim_id) == ["locked"]
    return claim_id


def test_approval_reimburses_and_payment_closes(
    api: Api, migrated_engine: Engine, settings: Settings
) -> None:
    client, demo = api
    claim_id = _claim(client, migrated_engine, settings, 701)
    approve_all(client, claim_id)
    assert (
        client.get(f"/api/v1/claims/{claim_id}", headers=login(client, "alice")).json()["status"]
        == "approved"
    )
    assert _states(migrated_engine, claim_id) == ["reimbursed"]
    payroll = {"Authorization": f"Bearer {demo['payroll_api_key']}"}
    paid = client.post(f"/api/v1/payouts/{claim_id}/paid", headers=payroll, json={"reference": "SAL-701"})
    assert paid.status_code == 200, paid.text
    assert _states(migrated_engine, claim_id) == ["closed"]


def test_a_rejected_claim_gives_its_invoice_back(
    api: Api, migrated_engine: Engine, settings: Settings
) -> None:
    client, _ = api
    claim_id = _claim(client, migrated_engine, settings, 702)
    lead = login(client, "teamlead")
    r = act(client, lead, claim_id, "reject", comment="不是业务招待")
    assert r.status_code == 200, r.text
    assert _states(migrated_engine, claim_id) == []
