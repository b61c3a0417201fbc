"""The home screen's figures through the API: my claims in flight with the step and the people
each waits for, and the claims waiting for me counted once each and summed."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from reimburse.core.settings import Settings
from tests.api_helpers import demo_api, login
from tests.claims.test_claims_api import act, new_claim, per_diem
from tests.claims.test_inbox_pages import submit_claims


def home(client: TestClient, who: dict[str, str]) -> dict:  # type: ignore[type-arg]
    r = client.get("/api/v1/home", headers=who)
    assert r.status_code == 200, r.text
    return dict(r.json())


def test_my_claims_in_flight_name_the_step_and_who_holds_it(
    migrated_engine: Engine, settings: Settings
) -> None:
    with demo_api(migrated_engine, settings) as (client, _):
        alice, lead = login(client, "alice"), login(client, "teamlead")
        draft = new_claim(client, alice, per_diem("300.00"))  # a draft is not in flight
        first, second = submit_claims(client, alice, ["360.00", "384.00"])
        mine = home(client, alice)["in_flight"]
        assert [c["claim"]["id"] for c in mine] == [second, first]  # newest first, no draft
        assert draft["id"] not in [c["claim"]["id"] for c in mine]
        lead_id = client.get("/api/v1/me", headers=lead).json()["id"]
        for entry in mine:
            only = {"claim_id": entry["claim"]["id"]}
            inbox = client.get("/api/v1/inbox", headers=lead, params=only).json()
            (task,) = inbox["items"]
            (step,) = entry["steps"]
            assert step["node"] == task["node"] and step["node_id"] == task["node_id"]
            assert [p["id"] for p in step["people"]] == [lead_id]
            assert step["people"][0]["display_name"]
        # returned to alice: still hers to follow, waiting for nobody but her
        assert act(client, lead, first, "return", comment="补充说明").status_code == 200
        back = {c["claim"]["id"]: c for c in home(client, alice)["in_flight"]}
        assert back[first]["claim"]["status"] == "returned" and back[first]["steps"] == []
        # someone else's claims never show on my home
        assert home(client, lead)["in_flight"] == []


def test_waiting_for_me_counts_each_claim_once_and_sums_them(
    migrated_engine: Engine, settings: Settings
) -> None:
    with demo_api(migrated_engine, settings) as (client, _):
        alice, lead = login(client, "alice"), login(client, "teamlead")
        assert home(client, lead)["waiting"] == {"count": 0, "amount": "0.00", "oldest": None}
        ids = submit_claims(client, alice, ["360.00", "390.60", "370.20"])  # 300, 325.5, 308.5 km
        waiting = home(client, lead)["waiting"]
        assert waiting["count"] == 3 and waiting["amount"] == "1120.80"
        first = client.get(f"/api/v1/claims/{ids[0]}", headers=alice).json()
        assert waiting["oldest"] == first["submitted_at"]
        assert act(client, lead, ids[1], "approve").status_code == 200  # decided: no longer mine
        after = home(client, lead)["waiting"]
        assert after == {"count": 2, "amount": "730.20", "oldest": first["submitted_at"]}
        # the submitter waits for nobody's decision
        assert home(client, alice)["waiting"]["count"] == 0


def test_home_refuses_a_bad_limit_and_a_stranger(migrated_engine: Engine, settings: Settings) -> None:
    with demo_api(migrated_engine, settings) as (client, _):
        alice = login(client, "alice")
        assert client.get("/api/v1/home", headers=alice, params={"limit": 0}).status_code == 422
        assert client.get("/api/v1/home", headers=alice, params={"limit": "x"}).status_code == 422
        assert client.get("/api/v1/home").status_code == 401
