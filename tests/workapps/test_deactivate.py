"""``claims.leavers.deactivate_user``: the one way a person loses access (directory events,
scheduled sync, and an administrator switching the account off)."""

from __future__ import annotations

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from reimburse.core.settings import Settings
from reimburse.identity.records import AccessTokenRecord, UserRecord
from tests.api_helpers import demo_api, login


def test_admin_switching_a_user_off_revokes_every_token(migrated_engine: Engine, settings: Settings) -> None:
    with demo_api(migrated_engine, settings) as (client, _):
        bob_phone, bob_laptop, admin = login(client, "bob"), login(client, "bob"), login(client, "admin")
        bob_id = client.get("/api/v1/me", headers=bob_phone).json()["id"]
        r = client.patch(f"/api/v1/admin/users/{bob_id}", headers=admin, json={"active": False})
        assert r.status_code == 200 and r.json()["active"] is False
        assert client.get("/api/v1/me", headers=bob_phone).status_code == 401
        assert client.get("/api/v1/me", headers=bob_laptop).status_code == 401
        with Session(migrated_engine) as s:
            tokens = s.scalars(select(AccessTokenRecord).where(AccessTokenRecord.user_id == bob_id)).all()
            assert len(tokens) == 2 and all(t.revoked for t in tokens)
            # switched on again, the old tokens stay dead: a new sign-in is needed
        r = client.patch(f"/api/v1/admin/users/{bob_id}", headers=admin, json={"active": True})
        assert r.status_code == 200
        assert client.get("/api/v1/me", headers=bob_phone).status_code == 401
        assert client.get("/api/v1/me", headers=login(client, "bob")).status_code == 200
        with Session(migrated_engine) as s:
            assert s.get(UserRecord, bob_id).active  # type: ignore[union-attr]


def test_work_app_routes_of_an_unconfigured_platform_answer_404(
    migrated_engine: Engine, settings: Settings
) -> None:
    with demo_api(migrated_engine, settings) as (client, _):
        assert client.get("/api/v1/auth/workapps").json() == {"platforms": []}
        for method, path in (
            ("GET", "/api/v1/auth/wecom/login"),
            ("GET", "/api/v1/auth/feishu/callback?code=x&state=y"),
            ("POST", "/api/v1/workapps/dingtalk/callback"),
            ("GET", "/api/v1/workapps/wecom/callback"),
        ):
            r = client.request(method, path, follow_redirects=False)
            assert r.status_code in (403, 404), (method, path, r.status_code)
        r = client.post("/api/v1/workapps/dingtalk/callback")
        assert r.status_code == 404 and r.json()["error"]["code"] == "workapp_not_configured"
        assert client.get("/api/v1/auth/teams/login").status_code == 422  # not a platform
