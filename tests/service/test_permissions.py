"""Every API route refuses callers without credentials, and role-bound routes refuse the roles
that lack them. The route list comes from the app itself, so a new route is covered at once."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import Engine

from reimburse.api.app import create_app
from reimburse.core.settings import Settings
from tests.api_helpers import demo_api, login

PUBLIC = {
    ("POST", "/api/v1/auth/login"),
    ("POST", "/api/v1/auth/session"),  # the web app's sign-in (sets the session cookie)
    # work-app sign-in (the platform proves who it is) and the platforms' signed callbacks
    ("GET", "/api/v1/auth/workapps"),
    ("GET", "/api/v1/auth/1/login"),
    ("GET", "/api/v1/auth/1/callback"),
    ("GET", "/api/v1/workapps/1/callback"),
    ("POST", "/api/v1/workapps/1/callback"),
}
# routes and the roles that may use them (checked against an employee, who may not)
FINANCE_OR_PAYROLL = ("/api/v1/payouts",)
ADMIN_ONLY = ("/api/v1/admin/",)


def _routes(settings: Settings) -> list[tuple[str, str]]:
    """Every (method, path) of the published API, path parameters filled in."""
    out = []
    for path, ops in create_app(settings).openapi()["paths"].items():
        if path.startswith("/api/v1"):
            for method in sorted(ops):
                out.append((method.upper(), re.sub(r"\{[^}]+\}", "1", path)))
    return out


def test_every_api_route_refuses_a_caller_without_credentials(
    migrated_engine: Engine, settings: Settings
) -> None:
    routes = _routes(settings)
    assert len(routes) > 15
    with demo_api(migrated_engine, settings) as (client, _):
        for method, path in routes:
            if (method, path) in PUBLIC:
                continue
            r = client.request(method, path, json={})
            assert r.status_code == 401, (method, path, r.status_code)
            assert r.json()["error"]["code"] == "unauthorized"
            bad = client.request(method, path, json={}, headers={"Authorization": "Bearer forged"})
            assert bad.status_code == 401, (method, path)


def test_role_bound_routes_refuse_an_employee(migrated_engine: Engine, settings: Settings) -> None:
    with demo_api(migrated_engine, settings) as (client, _):
        alice = login(client, "alice")
        checked = 0
        for method, path in _routes(settings):
            if not path.startswith(FINANCE_OR_PAYROLL + ADMIN_ONLY):
                continue
            r = client.request(method, path, json={}, headers=alice)
            # 403 for the role; 422 is acceptable only if validation ran first on a body the route needs
            assert r.status_code in (403, 422), (method, path, r.status_code)
            if r.status_code == 403:
                checked += 1
        assert checked >= 5


@pytest.mark.parametrize("username", ["alice", "teamlead"])
def test_machine_scopes_are_not_given_to_people(
    migrated_engine: Engine, settings: Settings, username: str
) -> None:
    with demo_api(migrated_engine, settings) as (client, _):
        who: Any = login(client, username)
        assert client.post("/api/v1/payouts/1/paid", headers=who, json={}).status_code == 403
