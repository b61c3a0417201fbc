"""The request's session: committed before the response leaves, reads without a transaction."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from reimburse.api.deps import SessionDep
from reimburse.core.settings import Settings
from reimburse.identity.records import ApiKeyRecord, UserRecord
from tests.api_helpers import demo_api


def test_a_commit_that_fails_is_an_error_response_not_a_success(
    migrated_engine: Engine, settings: Settings
) -> None:
    with demo_api(migrated_engine, settings) as (client, _):

        def add_twin(session: SessionDep) -> dict[str, str]:
            # not flushed here: the unique username only fails at the request's commit
            session.add(UserRecord(username="alice", display_name="twin", roles=[]))
            return {"status": "stored"}

        app = client.app
        app.router.add_api_route("/test/twin", add_twin, methods=["POST"])  # type: ignore[attr-defined]
        # the server's answer as a client sees it (not the exception re-raised into the test)
        r = TestClient(app, raise_server_exceptions=False).post("/test/twin")
        assert r.status_code == 409, r.text
        assert r.json()["error"]["code"] == "conflict"
        with Session(migrated_engine) as s:
            assert (
                s.scalars(select(UserRecord).where(UserRecord.username == "alice")).all()[0].display_name
                != "twin"
            )


def test_a_read_that_writes_still_stores_it(migrated_engine: Engine, settings: Settings) -> None:
    with demo_api(migrated_engine, settings) as (client, demo):
        key = demo["payroll_api_key"]
        r = client.get("/api/v1/payouts", headers={"Authorization": f"Bearer {key}"})
        assert r.status_code == 200, r.text
        with Session(migrated_engine) as s:
            row = s.scalars(select(ApiKeyRecord).where(ApiKeyRecord.prefix == key.split("_")[1])).one()
            assert row.last_used_at is not None  # GET runs in autocommit mode, the write is kept
