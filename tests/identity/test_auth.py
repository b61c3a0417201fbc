"""Sign-in, bearer tokens, API keys, and refusals."""

from __future__ import annotations

from sqlalchemy import Engine

from reimburse.core.settings import Settings
from tests.api_helpers import demo_api, login


def test_login_gives_a_token_that_identifies_the_user(migrated_engine: Engine, settings: Settings) -> None:
    with demo_api(migrated_engine, settings) as (client, _):
        headers = login(client, "alice")
        me = client.get("/api/v1/me", headers=headers)
        assert me.status_code == 200
        assert me.json()["username"] == "alice"
        assert "employee" in me.json()["roles"]
        assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
        assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_wrong_password_unknown_user_and_no_token_are_refused(
    migrated_engine: Engine, settings: Settings
) -> None:
    with demo_api(migrated_engine, settings) as (client, _):
        bad = client.post("/api/v1/auth/login", json={"username": "alice", "password": "wrong-password"})
        assert bad.status_code == 401 and bad.json()["error"]["code"] == "bad_credentials"
        ghost = client.post("/api/v1/auth/login", json={"username": "nobody", "password": "whatever-1"})
        assert ghost.status_code == 401
        assert client.get("/api/v1/me").status_code == 401
        forged = client.get("/api/v1/me", headers={"Authorization": "Bearer not-a-token"})
        assert forged.status_code == 401 and forged.json()["error"]["code"] == "unauthorized"


def test_api_keys_identify_machine_clients_with_their_scopes(
    migrated_engine: Engine, settings: Settings
) -> None:
    with demo_api(migrated_engine, settings) as (client, demo):
        key = demo["payroll_api_key"]
        me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {key}"})
        assert me.status_code == 200
        assert me.json()["scopes"] == ["payouts:read", "payouts:write"]
        tampered = key[:-2] + ("aa" if not key.endswith("aa") else "bb")
        assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {tampered}"}).status_code == 401
