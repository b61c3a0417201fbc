"""The short-lived cache of checked credentials: bounded in time and size, evicted on sign-out."""

from __future__ import annotations

from sqlalchemy import Engine, update
from sqlalchemy.orm import Session

from reimburse.core.principal import Principal, Role
from reimburse.core.settings import Settings
from reimburse.identity.cache import PrincipalCache
from reimburse.identity.records import AccessTokenRecord
from tests.api_helpers import demo_api, login

ALICE = Principal(subject="user:7", user_id=7, roles=frozenset({Role.EMPLOYEE}))


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_an_entry_lives_ttl_seconds_and_the_oldest_goes_first() -> None:
    clock = Clock()
    cache = PrincipalCache(ttl=5, size=2, clock=clock)
    cache.put("Bearer a", ALICE)
    assert cache.get("Bearer a") == ALICE
    assert cache.get("Bearer other") is None
    clock.now += 5
    assert cache.get("Bearer a") is None  # expired
    cache.put("Bearer a", ALICE)
    cache.put("Bearer b", ALICE)
    cache.get("Bearer a")  # a is now the most recently used
    cache.put("Bearer c", ALICE)
    assert cache.get("Bearer b") is None and cache.get("Bearer a") == ALICE and cache.get("Bearer c") == ALICE
    cache.evict("Bearer a")
    assert cache.get("Bearer a") is None


def test_ttl_zero_keeps_nothing() -> None:
    cache = PrincipalCache(ttl=0)
    cache.put("Bearer a", ALICE)
    assert cache.get("Bearer a") is None


def test_sign_out_refuses_the_token_at_once(migrated_engine: Engine, settings: Settings) -> None:
    with demo_api(migrated_engine, settings) as (client, _):
        alice = login(client, "alice")
        assert client.get("/api/v1/me", headers=alice).status_code == 200  # now cached
        assert client.post("/api/v1/auth/logout", headers=alice).status_code == 204
        assert client.get("/api/v1/me", headers=alice).status_code == 401


def test_a_token_revoked_elsewhere_is_refused_once_the_entry_expires(
    migrated_engine: Engine, settings: Settings
) -> None:
    with demo_api(migrated_engine, settings) as (client, _):
        clock = Clock()
        client.app.state.principal_cache = PrincipalCache(ttl=5, clock=clock)  # type: ignore[attr-defined]
        alice = login(client, "alice")
        assert client.get("/api/v1/me", headers=alice).status_code == 200
        with Session(migrated_engine) as s:  # another API process signs the token out
            s.execute(update(AccessTokenRecord).values(revoked=True))
            s.commit()
        assert client.get("/api/v1/me", headers=alice).status_code == 200  # within the 5 s
        clock.now += 5.1
        assert client.get("/api/v1/me", headers=alice).status_code == 401


def test_an_admin_deactivating_a_user_refuses_their_token_at_once(
    migrated_engine: Engine, settings: Settings
) -> None:
    with demo_api(migrated_engine, settings) as (client, demo):
        bob, admin = login(client, "bob"), login(client, "admin")
        assert client.get("/api/v1/me", headers=bob).status_code == 200
        r = client.patch(f"/api/v1/admin/users/{demo['users']['bob']}", headers=admin, json={"active": False})
        assert r.status_code == 200, r.text
        assert client.get("/api/v1/me", headers=bob).status_code == 401
