"""The web app's session: an HttpOnly, SameSite=Strict cookie, and CSRF protection for the
changes it authenticates. Bearer tokens and API keys work as before, with no CSRF token.

Through the API on the test database (SQLite, or PostgreSQL with REIMBURSE_TEST_DATABASE_URL)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import Engine

from reimburse.api.app import create_app
from reimburse.core.settings import Settings
from reimburse.identity.seed import DEMO_PASSWORD
from tests.api_helpers import demo_api, login
from tests.claims.test_claims_api import per_diem
from tests.security.test_fail_closed import DATA_KEY

SESSION, CSRF = "reimburse_session", "reimburse_csrf"
CLAIM = {"purpose": "拜访客户", "items": [per_diem("120.00")]}


def _cookies(r: Response) -> dict[str, dict[str, str | bool]]:
    """Each Set-Cookie of ``r`` by name: its value and attributes (names lower-cased)."""
    out: dict[str, dict[str, str | bool]] = {}
    for line in r.headers.get_list("set-cookie"):
        first, *attrs = [part.strip() for part in line.split(";")]
        name, _, value = first.partition("=")
        fields: dict[str, str | bool] = {"value": value.strip('"')}
        for attr in attrs:
            key, eq, val = attr.partition("=")
            fields[key.lower()] = val if eq else True
        out[name] = fields
    return out


def _web_sign_in(client: TestClient, username: str = "alice", **headers: str) -> Response:
    return client.post(
        "/api/v1/auth/session", json={"username": username, "password": DEMO_PASSWORD}, headers=headers
    )


def _claims(client: TestClient, who: dict[str, str]) -> int:
    r = client.get("/api/v1/claims", headers=who)
    assert r.status_code == 200, r.text
    return len(r.json()["items"])


def test_web_sign_in_sets_an_httponly_strict_cookie_and_answers_no_token(
    migrated_engine: Engine, settings: Settings
) -> None:
    with demo_api(migrated_engine, settings) as (client, _):
        r = _web_sign_in(client)
        assert r.status_code == 200, r.text
        body = r.json()
        assert set(body) == {"user", "csrf_token"} and body["user"]["username"] == "alice"
        assert r.headers["cache-control"] == "no-store"
        cookies = _cookies(r)
        session = cookies[SESSION]
        assert session["httponly"] is True and session["samesite"] == "strict"  # script cannot read it
        assert session["path"] == "/" and session["max-age"] == str(12 * 3600)  # the token's lifetime
        assert "secure" not in session  # plain http in a test setting: a browser would drop it
        csrf = cookies[CSRF]
        assert "httponly" not in csrf and csrf["samesite"] == "strict" and csrf["path"] == "/"
        assert csrf["value"] == body["csrf_token"] and session["value"] != body["csrf_token"]
        assert len(str(session["value"])) >= 40  # the random session token, not something guessable
        # the cookie alone signs the browser in
        client.cookies.set(SESSION, str(session["value"]))
        assert client.get("/api/v1/me").json()["username"] == "alice"
        refused = client.post(
            "/api/v1/auth/session", json={"username": "alice", "password": "wrong-password"}
        )
        assert refused.status_code == 401 and SESSION not in _cookies(refused)
        assert refused.headers["cache-control"] == "no-store"


def test_over_https_and_in_production_the_cookies_are_secure(
    migrated_engine: Engine, settings: Settings
) -> None:
    with demo_api(migrated_engine, settings) as (client, _):
        with TestClient(client.app, base_url="https://testserver") as https:
            cookies = _cookies(_web_sign_in(https))
        assert cookies[SESSION]["secure"] is True and cookies[CSRF]["secure"] is True
        production = settings.model_copy(
            update={
                "environment": "production",
                "secret_key": "s" * 40,
                "audit_signing_key": "k" * 64,
                "data_key": DATA_KEY,
            }
        )
        app = create_app(production)
        with TestClient(app) as plain:  # production behind a proxy that speaks https outside
            cookies = _cookies(_web_sign_in(plain))
        assert cookies[SESSION]["secure"] is True


def test_a_cookie_change_needs_the_sessions_csrf_token(migrated_engine: Engine, settings: Settings) -> None:
    with demo_api(migrated_engine, settings) as (client, _):
        alice = login(client, "alice")  # a bearer token, to count what was stored
        token = _web_sign_in(client).json()["csrf_token"]
        with TestClient(client.app) as other:
            bobs_token = _web_sign_in(other, "bob").json()["csrf_token"]
        assert bobs_token != token
        for sent in ({}, {"X-CSRF-Token": ""}, {"X-CSRF-Token": "forged"}, {"X-CSRF-Token": bobs_token},
                     {"X-CSRF-Token": token[:-1]}):  # fmt: skip
            r = client.post("/api/v1/claims", json=CLAIM, headers=sent)
            assert r.status_code == 403, (sent, r.text)
            assert r.json()["error"]["code"] == "csrf_token_invalid", sent
            assert r.headers["cache-control"] == "no-store"
        changes = (
            ("PATCH", "/api/v1/claims/1"),
            ("PUT", "/api/v1/admin/policy"),
            ("DELETE", "/api/v1/delegations/1"),
            ("POST", "/api/v1/auth/logout"),
        )
        for method, path in changes:
            r = client.request(method, path, json={})
            assert (r.status_code, r.json()["error"]["code"]) == (403, "csrf_token_invalid"), (method, path)
        assert _claims(client, alice) == 0  # nothing was stored by a refused change
        made = client.post("/api/v1/claims", json=CLAIM, headers={"X-CSRF-Token": token})
        assert made.status_code == 201, made.text
        assert _claims(client, alice) == 1
        # reads need no token: a cross-site page cannot read the answer anyway
        assert client.get(f"/api/v1/claims/{made.json()['id']}").status_code == 200


def test_a_cookie_change_from_another_sites_page_is_refused(
    migrated_engine: Engine, settings: Settings
) -> None:
    with demo_api(migrated_engine, settings) as (client, _):
        alice = login(client, "alice")
        token = _web_sign_in(client).json()["csrf_token"]
        for foreign in (
            {"Origin": "https://evil.example"},
            {"Origin": "http://testserver.evil.example"},
            {"Origin": "null"},
            {"Referer": "https://evil.example/page"},
        ):
            r = client.post("/api/v1/claims", json=CLAIM, headers={"X-CSRF-Token": token, **foreign})
            assert r.status_code == 403 and r.json()["error"]["code"] == "cross_origin_refused", foreign
        assert _claims(client, alice) == 0
        for own in ({"Origin": "http://testserver"}, {"Referer": "http://testserver/#/capture"}):
            r = client.post("/api/v1/claims", json=CLAIM, headers={"X-CSRF-Token": token, **own})
            assert r.status_code == 201, (own, r.text)
        # signing in from another site's page (login CSRF) is refused, and no cookie is set
        r = _web_sign_in(client, Origin="https://evil.example")
        assert r.status_code == 403 and r.json()["error"]["code"] == "cross_origin_refused"
        assert SESSION not in _cookies(r)


def test_bearer_and_api_key_clients_are_unchanged(migrated_engine: Engine, settings: Settings) -> None:
    with demo_api(migrated_engine, settings) as (client, demo):
        r = client.post("/api/v1/auth/login", json={"username": "alice", "password": DEMO_PASSWORD})
        assert r.status_code == 200 and r.json()["token_type"] == "bearer"
        assert "set-cookie" not in r.headers and r.headers["cache-control"] == "no-store"
        alice = {"Authorization": f"Bearer {r.json()['token']}"}
        # no CSRF token, even from a foreign origin: another site's page cannot send this header
        made = client.post("/api/v1/claims", json=CLAIM, headers={**alice, "Origin": "https://evil.example"})
        assert made.status_code == 201, made.text
        payroll = {"Authorization": f"Bearer {demo['payroll_api_key']}"}
        assert client.get("/api/v1/payouts", headers=payroll).status_code == 200
        # with a cookie of another user in the jar, the header still decides alone
        _web_sign_in(client, "bob")
        me = client.get("/api/v1/me", headers=alice)
        assert me.json()["username"] == "alice"
        assert client.post("/api/v1/claims", json=CLAIM, headers=alice).status_code == 201
        assert client.get("/api/v1/me", headers={"Authorization": "Bearer forged"}).status_code == 401
        # a bearer sign-out ends that token only; the cookie session stays
        assert client.post("/api/v1/auth/logout", headers=alice).status_code == 204
        assert client.get("/api/v1/me", headers=alice).status_code == 401
        assert client.get("/api/v1/me").json()["username"] == "bob"


def test_the_cookie_carries_a_session_only_never_an_api_key(
    migrated_engine: Engine, settings: Settings
) -> None:
    with demo_api(migrated_engine, settings) as (client, demo):
        client.cookies.set(SESSION, demo["payroll_api_key"])
        r = client.get("/api/v1/payouts")
        assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized"


def test_sign_out_revokes_the_session_and_clears_the_cookies(
    migrated_engine: Engine, settings: Settings
) -> None:
    with demo_api(migrated_engine, settings) as (client, _):
        signed_in = _web_sign_in(client)
        stolen: dict[str, Any] = {name: c["value"] for name, c in _cookies(signed_in).items()}
        token = signed_in.json()["csrf_token"]
        assert client.get("/api/v1/me").status_code == 200
        # the same token as a bearer works too (and is now in the credential cache that way)
        bearer = {"Authorization": f"Bearer {stolen[SESSION]}"}
        assert client.get("/api/v1/me", headers=bearer).status_code == 200
        out = client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": token})
        assert out.status_code == 204, out.text
        cleared = _cookies(out)
        for name in (SESSION, CSRF):
            assert cleared[name]["max-age"] == "0" and cleared[name]["value"] == "", name
        assert SESSION not in client.cookies
        assert client.get("/api/v1/me").status_code == 401
        # the old cookie, replayed (kept by someone who copied it), is dead too: in this process
        # at once (the credential cache is evicted), and as a bearer token
        client.cookies.set(SESSION, stolen[SESSION])
        assert client.get("/api/v1/me").status_code == 401
        r = client.post("/api/v1/claims", json=CLAIM, headers={"X-CSRF-Token": token})
        assert r.status_code == 401
        assert client.get("/api/v1/me", headers=bearer).status_code == 401


def test_a_cookie_sign_in_and_a_cookie_request_answer_503_in_a_database_outage(tmp_path: Any) -> None:
    down = Settings(
        environment="test", data_dir=tmp_path, database_url="postgresql+psycopg://postgres@127.0.0.1:1/none"
    )
    client = TestClient(create_app(down), raise_server_exceptions=False)
    r = client.post("/api/v1/auth/session", json={"username": "alice", "password": "whatever-1"})
    assert r.status_code == 503 and r.json()["error"]["code"] == "database_unavailable"
    client.cookies.set(SESSION, "some-session-token")
    r = client.get("/api/v1/me")
    assert r.status_code == 503 and r.json()["error"]["code"] == "database_unavailable"
