"""Races answer 409, never 500; a database outage answers 503 ``database_unavailable``."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from reimburse.api.app import create_app
from reimburse.claims.records import ClaimRecord
from reimburse.core.db import utcnow
from reimburse.core.outbox import OutboxRecord
from reimburse.core.settings import Settings
from tests.allowance_items import per_diem
from tests.api_helpers import demo_api, login


def _race(n: int, call: Callable[[int], httpx.Response]) -> list[int]:
    barrier = threading.Barrier(n)
    codes: list[int] = [0] * n

    def run(i: int) -> None:
        barrier.wait()
        codes[i] = call(i).status_code

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return codes


def _claim(client: TestClient, headers: dict[str, str]) -> dict[str, Any]:
    item = per_diem("100.00", utcnow().date().isoformat(), "office")
    r = client.post("/api/v1/claims", headers=headers, json={"purpose": "race", "items": [item]})
    assert r.status_code == 201, r.text
    return dict(r.json())


def test_concurrent_edits_with_one_version_give_one_200_and_409s(
    migrated_engine: Engine, settings: Settings
) -> None:
    with demo_api(migrated_engine, settings) as (signed_in, _):
        client = TestClient(signed_in.app, raise_server_exceptions=False)
        alice = login(signed_in, "alice")
        claim = _claim(client, alice)
        item = per_diem("120.00", utcnow().date().isoformat(), "office")

        def edit(i: int) -> httpx.Response:
            body = {"purpose": f"edit {i}", "items": [item], "version": claim["version"]}
            return client.patch(f"/api/v1/claims/{claim['id']}", headers=alice, json=body)

        codes = _race(20, edit)
        assert set(codes) <= {200, 409}, codes
        assert codes.count(200) == 1, codes


def test_concurrent_mark_paid_never_answers_500_and_pays_once(
    migrated_engine: Engine, settings: Settings
) -> None:
    with demo_api(migrated_engine, settings) as (signed_in, demo):
        client = TestClient(signed_in.app, raise_server_exceptions=False)
        claim = _claim(client, login(signed_in, "alice"))
        with Session(migrated_engine) as s:  # approved by its flow (the race is about paying)
            s.execute(update(ClaimRecord).where(ClaimRecord.id == claim["id"]).values(status="approved"))
            s.commit()
        payroll = {"Authorization": f"Bearer {demo['payroll_api_key']}"}

        def pay(i: int) -> httpx.Response:
            return client.post(
                f"/api/v1/payouts/{claim['id']}/paid", headers=payroll, json={"reference": "SAL-7"}
            )

        codes = _race(30, pay)
        assert set(codes) <= {200, 409}, codes
        assert 200 in codes
        with Session(migrated_engine) as s:
            assert s.scalar(select(ClaimRecord.status).where(ClaimRecord.id == claim["id"])) == "paid"
            paid_events = s.scalar(select(func.count()).where(OutboxRecord.topic == "claim.paid"))
            assert paid_events == 1


def test_a_database_outage_answers_503_with_retry_after(tmp_path: Any) -> None:
    # nothing listens on port 1 of the loopback: every connection is refused at once
    down = Settings(
        environment="test", data_dir=tmp_path, database_url="postgresql+psycopg://postgres@127.0.0.1:1/none"
    )
    client = TestClient(create_app(down), raise_server_exceptions=False)
    for method, url, body in (
        ("POST", "/api/v1/auth/login", {"username": "alice", "password": "whatever-1"}),
        ("GET", "/api/v1/claims", None),
        ("GET", "/api/v1/me", None),
    ):
        r = client.request(method, url, json=body, headers={"Authorization": "Bearer some-token"})
        assert r.status_code == 503, (url, r.text)
        assert r.json()["error"]["code"] == "database_unavailable"
        assert int(r.headers["Retry-After"]) > 0
