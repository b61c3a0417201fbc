"""Non-invoice attachments (itinerary, attendee list): uploaded through the documents API with
kind=attachment (kept, never queued for OCR) and linked to an item by id."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import Engine

from reimburse.core.settings import Settings
from tests.advances.test_advances_api import DAY
from tests.api_helpers import demo_api, login


@pytest.fixture()
def api(migrated_engine: Engine, settings: Settings) -> Iterator[tuple[TestClient, dict[str, Any]]]:
    with demo_api(migrated_engine, settings) as pair:
        yield pair


def png(colour: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 64), colour).save(out, format="PNG")
    return out.getvalue()


def upload(client: TestClient, who: dict[str, str], data: bytes, kind: str | None) -> dict[str, Any]:
    params = {"kind": kind} if kind else {}
    r = client.post(
        "/api/v1/documents",
        headers=who,
        params=params,
        files=[("files", ("itinerary.png", data, "image/png"))],
    )
    assert r.status_code == 202, r.text
    return dict(r.json()["documents"][0])


def test_an_attachment_is_kept_unread_and_linked_to_an_item(api: Any) -> None:
    client, _ = api
    alice, bob = login(client, "alice"), login(client, "bob")
    doc = upload(client, alice, png("white"), "attachment")
    assert doc["status"] == "attachment"  # not queued: OCR never reads it
    item = {"category": "travel", "expense_date": DAY, "allowance": "per_diem", "city_tier": 2, "days": 2,
            "attachment_ids": [doc["id"]]}  # fmt: skip
    r = client.post("/api/v1/claims", headers=alice, json={"purpose": "出差", "items": [item]})
    assert r.status_code == 201, r.text
    assert r.json()["items"][0]["attachments"] == [doc["id"]]
    # the approver sees it once the claim is submitted; a colleague never
    lead = login(client, "teamlead")
    assert client.get(f"/api/v1/documents/{doc['id']}/file", headers=lead).status_code == 404  # a draft
    assert client.post(f"/api/v1/claims/{r.json()['id']}/submit", headers=alice).status_code == 200
    seen = client.get(f"/api/v1/documents/{doc['id']}/file", headers=lead)
    assert seen.status_code == 200 and seen.content == png("white")
    assert client.get(f"/api/v1/documents/{doc['id']}/file", headers=bob).status_code == 404
    # someone else's attachment, or a document queued as an invoice, is not an attachment of mine
    theirs = upload(client, bob, png("gray"), "attachment")
    invoice = upload(client, alice, png("black"), None)
    assert invoice["status"] == "queued"
    for other in (theirs["id"], invoice["id"], 2**31 - 1):
        body = {"purpose": "出差", "items": [{**item, "attachment_ids": [other]}]}
        bad = client.post("/api/v1/claims", headers=alice, json=body)
        assert bad.status_code == 422, bad.text
        if other != 2**31 - 1:
            assert bad.json()["error"]["code"] == "invalid_attachment"
    bad_kind = client.post("/api/v1/documents", headers=alice, params={"kind": "poster"},
                           files=[("files", ("a.png", png("red"), "image/png"))])  # fmt: skip
    assert bad_kind.status_code == 422
