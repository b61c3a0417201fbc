"""API keys: scopes enforced by every route (default deny), optional expiry, list and revoke."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from reimburse.core.settings import Settings
from reimburse.identity.records import ApiKeyRecord
from reimburse.routing.records import AuditEntryRecord
from tests.api_helpers import demo_api, login

XML = b'<?xml version="1.0" encoding="UTF-8"?><EInvoice><Header/></EInvoice>'


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_the_payroll_key_reaches_payouts_only(migrated_engine: Engine, settings: Settings) -> None:
    with demo_api(migrated_engine, settings) as (client, demo):
        payroll = _bearer(demo["payroll_api_key"])
        assert client.get("/api/v1/payouts", headers=payroll).status_code == 200
        assert client.get("/api/v1/me", headers=payroll).status_code == 200
        upload = client.post(
            "/api/v1/documents", headers=payroll, files=[("files", ("a.xml", XML, "text/xml"))]
        )
        assert upload.status_code == 403 and upload.json()["error"]["code"] == "missing_scope"
        for method, url in (
            ("GET", "/api/v1/claims"),
            ("GET", "/api/v1/inbox"),
            ("GET", "/api/v1/people"),
            ("GET", "/api/v1/admin/users"),
            ("GET", "/api/v1/reports/spend"),
            ("GET", "/api/v1/admin/api-keys"),
        ):
            r = client.request(method, url, headers=payroll)
            assert r.status_code == 403, (url, r.text)


def test_admins_create_scoped_expiring_keys_list_and_revoke_them(
    migrated_engine: Engine, settings: Settings
) -> None:
    with demo_api(migrated_engine, settings) as (client, _):
        admin, alice = login(client, "admin"), login(client, "alice")
        body = {"name": "scanner", "scopes": ["documents:write", "documents:read"]}
        assert client.post("/api/v1/admin/api-keys", headers=alice, json=body).status_code == 403
        bad = client.post(
            "/api/v1/admin/api-keys", headers=admin, json={"name": "x", "scopes": ["admin:all"]}
        )
        assert bad.status_code == 422
        past = (datetime.now(UTC) - timedelta(days=1)).isoformat()
        assert (
            client.post("/api/v1/admin/api-keys", headers=admin, json=body | {"expires_at": past}).status_code
            == 422
        )
        soon = (datetime.now(UTC) + timedelta(days=30)).isoformat()
        made = client.post("/api/v1/admin/api-keys", headers=admin, json=body | {"expires_at": soon})
        assert made.status_code == 201, made.text
        scanner = _bearer(made.json()["key"])
        up = client.post("/api/v1/documents", headers=scanner, files=[("files", ("a.xml", XML, "text/xml"))])
        assert up.status_code == 202, up.text
        assert client.get("/api/v1/payouts", headers=scanner).status_code == 403  # not its scope
        listed = client.get("/api/v1/admin/api-keys", headers=admin).json()["items"]
        assert {k["name"] for k in listed} == {"payroll (demo)", "scanner"}
        assert all("key" not in k and "digest" not in k for k in listed)  # secrets are shown once
        revoked = client.post(f"/api/v1/admin/api-keys/{made.json()['id']}/revoke", headers=admin)
        assert revoked.status_code == 200 and revoked.json()["revoked_by"].startswith("user:")
        assert client.get("/api/v1/me", headers=scanner).status_code == 401
        again = client.post(f"/api/v1/admin/api-keys/{made.json()['id']}/revoke", headers=admin)
        assert again.status_code == 409
        with Session(migrated_engine) as s:  # both on the installation's audit chain
            rows = s.scalars(select(AuditEntryRecord).where(AuditEntryRecord.subject.startswith("apikey:")))
            actions = [e.action for e in rows]
        assert actions == ["apikey.create", "apikey.revoke"]


def test_an_expired_key_is_refused(migrated_engine: Engine, settings: Settings) -> None:
    quick = settings.model_copy(update={"auth_cache_seconds": 0})
    with demo_api(migrated_engine, quick) as (client, demo):
        payroll = _bearer(demo["payroll_api_key"])
        assert client.get("/api/v1/payouts", headers=payroll).status_code == 200
        with Session(migrated_engine) as s:
            s.execute(update(ApiKeyRecord).values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
            s.commit()
        assert client.get("/api/v1/payouts", headers=payroll).status_code == 401
