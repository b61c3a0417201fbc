"""The approver's inbox a page at a time: oldest first, then largest; nothing skipped when
tasks are decided between pages; the whole inbox counted; a forged cursor refused."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from reimburse.core.settings import Settings
from tests import allowance_items as allowances
from tests.api_helpers import demo_api, login
from tests.claims.test_claims_api import TODAY_ISH, act, new_claim


def submit_claims(client: TestClient, who: dict[str, str], amounts: list[str]) -> list[int]:
    """Submitted claims of one mileage allowance each, computed to ``amounts`` (a multiple of 0.12)."""
    ids = []
    for amount in amounts:
        claim = new_claim(client, who, allowances.mileage(amount, TODAY_ISH))
        r = client.post(f"/api/v1/claims/{claim['id']}/submit", headers=who)
        assert r.status_code == 200, r.text
        ids.append(claim["id"])
    return ids


def pages(client: TestClient, who: dict[str, str], limit: int) -> list[dict]:  # type: ignore[type-arg]
    out, cursor = [], None
    while True:
        params: dict[str, str | int] = {"limit": limit} | ({"cursor": cursor} if cursor else {})
        page = client.get("/api/v1/inbox", headers=who, params=params).json()
        out.append(page)
        cursor = page["next_cursor"]
        if cursor is None:
            return out


def test_pages_follow_one_order_and_count_the_whole_inbox(
    migrated_engine: Engine, settings: Settings
) -> None:
    with demo_api(migrated_engine, settings) as (client, _):
        alice, lead = login(client, "alice"), login(client, "teamlead")
        submit_claims(client, alice, ["360.00", "384.00", "372.00", "348.00", "378.00", "366.00", "354.00"])
        whole = client.get("/api/v1/inbox", headers=lead).json()
        assert whole["total"] == 7 and whole["next_cursor"] is None and len(whole["items"]) == 7
        paged = pages(client, lead, 3)
        assert [len(p["items"]) for p in paged] == [3, 3, 1]
        assert all(p["total"] == 7 for p in paged)
        assert [i["task_id"] for p in paged for i in p["items"]] == [i["task_id"] for i in whole["items"]]
        # the order: submitted earliest first (each claim here was submitted after the last)
        submitted = [i["claim"]["submitted_at"] for i in whole["items"]]
        assert submitted == sorted(submitted)


def test_deciding_tasks_between_pages_skips_nothing(migrated_engine: Engine, settings: Settings) -> None:
    with demo_api(migrated_engine, settings) as (client, _):
        alice, lead = login(client, "alice"), login(client, "teamlead")
        ids = submit_claims(client, alice, ["360.00", "384.00", "372.00", "348.00", "378.00"])
        first = client.get("/api/v1/inbox", headers=lead, params={"limit": 2}).json()
        shown = [i["claim"]["id"] for i in first["items"]]
        for claim_id in shown:  # decided while the first page is on screen
            assert act(client, lead, claim_id, "approve").status_code == 200
        rest = client.get("/api/v1/inbox", headers=lead, params={"limit": 10, "cursor": first["next_cursor"]})
        assert [i["claim"]["id"] for i in rest.json()["items"]] == [i for i in ids if i not in shown]
        assert rest.json()["total"] == 3


def test_one_claims_task_and_a_forged_cursor(migrated_engine: Engine, settings: Settings) -> None:
    with demo_api(migrated_engine, settings) as (client, _):
        alice, lead = login(client, "alice"), login(client, "teamlead")
        ids = submit_claims(client, alice, ["360.00", "384.00"])
        one = client.get("/api/v1/inbox", headers=lead, params={"claim_id": ids[1]}).json()
        assert [i["claim"]["id"] for i in one["items"]] == [ids[1]] and one["total"] == 1
        assert client.get("/api/v1/inbox", headers=alice, params={"claim_id": ids[1]}).json()["items"] == []
        bad = client.get("/api/v1/inbox", headers=lead, params={"cursor": "not-a-cursor"})
        assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_cursor"
