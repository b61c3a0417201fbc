"""Data scope (issue 13): an invoice file is seen by its uploader and by whoever sees a claim
that uses it, not by every approver; a draft is its submitter's alone."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from reimburse.core.settings import Settings
from reimburse.documents import runtime, service
from tests.api_helpers import demo_api, login
from tests.claims.test_claims_api import TODAY_ISH, invoice_png, new_claim, per_diem


@pytest.fixture()
def api(migrated_engine: Engine, settings: Settings) -> Iterator[tuple[TestClient, dict[str, Any]]]:
    with demo_api(migrated_engine, settings) as pair:
        yield pair


def test_an_invoice_file_is_seen_only_by_its_owner_and_those_who_see_its_claim(
    api: tuple[TestClient, dict[str, Any]], migrated_engine: Engine, settings: Settings
) -> None:
    client, _ = api
    alice = login(client, "alice")
    others = {u: login(client, u) for u in ("bob", "teamlead", "saleshead", "finrev", "gm", "admin")}
    up = client.post(
        "/api/v1/documents", headers=alice, files=[("files", ("f.png", invoice_png(), "image/png"))]
    )
    doc = up.json()["documents"][0]["id"]
    service.process(migrated_engine, runtime.store_for(settings), runtime.reader, doc)

    def seen_by() -> set[str]:
        out = set()
        for name, who in others.items():
            file = client.get(f"/api/v1/documents/{doc}/file", headers=who).status_code
            meta = client.get(f"/api/v1/documents/{doc}", headers=who).status_code
            assert file == meta and file in (200, 404), (name, file, meta)
            if file == 200:
                out.add(name)
        return out

    assert client.get(f"/api/v1/documents/{doc}/file", headers=alice).status_code == 200
    assert seen_by() == set()  # an upload nobody else has a reason to see (any approver could)
    claim = new_claim(
        client,
        alice,
        {"category": "office", "amount": "100.00", "expense_date": TODAY_ISH, "document_id": doc},
    )
    assert seen_by() == set()  # in a draft: still hers alone
    assert client.post(f"/api/v1/claims/{claim['id']}/submit", headers=alice).status_code == 200
    # submitted: her heads (the department tree), finance and admins see the claim, so its invoice
    assert seen_by() == {"teamlead", "saleshead", "finrev", "admin"}


def test_department_heads_do_not_see_their_staffs_drafts(api: tuple[TestClient, dict[str, Any]]) -> None:
    client, _ = api
    alice, lead, finrev = login(client, "alice"), login(client, "teamlead"), login(client, "finrev")
    draft = new_claim(client, alice, per_diem("800.00"))
    for who in (lead, finrev):
        assert client.get(f"/api/v1/claims/{draft['id']}", headers=who).status_code == 404
        listed = client.get("/api/v1/claims", headers=who, params={"mine": "false"}).json()["items"]
        assert draft["id"] not in [c["id"] for c in listed]
    assert client.get(f"/api/v1/claims/{draft['id']}", headers=alice).status_code == 200
    assert client.post(f"/api/v1/claims/{draft['id']}/submit", headers=alice).status_code == 200
    for who in (lead, finrev):
        assert client.get(f"/api/v1/claims/{draft['id']}", headers=who).status_code == 200
        listed = client.get("/api/v1/claims", headers=who, params={"mine": "false"}).json()["items"]
        assert draft["id"] in [c["id"] for c in listed]
