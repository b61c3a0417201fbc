"""Sign-in throttling through the API: per account, per client address, unknown users alike."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from reimburse.api.app import create_app
from reimburse.core.settings import Settings
from reimburse.identity.records import LoginFailureRecord
from reimburse.identity.seed import DEMO_PASSWORD
from reimburse.identity.throttle import DatabaseStore, LoginThrottle
from tests.api_helpers import demo_api


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _throttle(client: TestClient, clock: Clock) -> None:
    """The app's own (database) throttle, on a clock the test moves."""
    app: Any = client.app
    app.state.login_throttle = LoginThrottle(DatabaseStore(app.state.sessions), clock=clock)


def _login(client: TestClient, username: str, password: str, address: str = "testclient") -> Any:
    # the TestClient's peer is "testclient"; another address is another client
    client_for = client if address == "testclient" else TestClient(client.app, client=(address, 50000))
    return client_for.post("/api/v1/auth/login", json={"username": username, "password": password})


def test_an_account_is_throttled_with_retry_after_and_recovers(
    migrated_engine: Engine, settings: Settings
) -> None:
    clock = Clock()
    with demo_api(migrated_engine, settings) as (client, _):
        _throttle(client, clock)
        codes = [_login(client, "alice", "wrong-password").status_code for _ in range(5)]
        assert codes == [401] * 5
        blocked = _login(client, "alice", DEMO_PASSWORD)  # even the right password waits
        assert blocked.status_code == 429
        assert blocked.json()["error"]["code"] == "too_many_attempts"
        assert blocked.headers["Retry-After"] == "1"
        # another account from the same address is not locked out
        assert _login(client, "teamlead", DEMO_PASSWORD).status_code == 200
        # from another address the account is blocked too (the account is what is guessed)
        assert _login(client, "alice", DEMO_PASSWORD, address="10.9.9.9").status_code == 429
        clock.now += 1.5
        # each further failure doubles the wait
        assert _login(client, "alice", "wrong-again").status_code == 401
        again = _login(client, "alice", DEMO_PASSWORD)
        assert again.status_code == 429 and again.headers["Retry-After"] == "2"
        clock.now += 2.5
        assert _login(client, "alice", DEMO_PASSWORD).status_code == 200
        # success cleared the count: five fresh failures are allowed again
        assert [_login(client, "alice", "nope-nope").status_code for _ in range(5)] == [401] * 5


def test_unknown_users_get_the_same_answers_as_known_ones(
    migrated_engine: Engine, settings: Settings
) -> None:
    clock = Clock()
    with demo_api(migrated_engine, settings) as (client, _):
        _throttle(client, clock)
        known = [_login(client, "alice", "wrong-password") for _ in range(6)]
        unknown = [_login(client, "no-such-user", "wrong-password") for _ in range(6)]
        assert [r.status_code for r in known] == [r.status_code for r in unknown] == [401] * 5 + [429]
        assert [r.json() for r in known] == [r.json() for r in unknown]
        assert known[-1].headers["Retry-After"] == unknown[-1].headers["Retry-After"]


def test_one_address_guessing_many_accounts_is_throttled(migrated_engine: Engine, settings: Settings) -> None:
    clock = Clock()
    with demo_api(migrated_engine, settings) as (client, _):
        _throttle(client, clock)
        # 30 failures spread over 10 names (3 each, under the per-account limit)
        codes = [_login(client, f"user{i % 10}", "wrong-password").status_code for i in range(30)]
        assert codes == [401] * 30
        refused = _login(client, "user99", "wrong-password")
        assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
        # the same account from another address still signs in: no lock-out for everyone
        assert _login(client, "alice", DEMO_PASSWORD, address="10.1.2.3").status_code == 200


def test_failures_count_across_api_processes(migrated_engine: Engine, settings: Settings) -> None:
    """Two API processes (two apps over one database): a guesser who spreads failures over both
    gets one allowance, not two."""
    clock = Clock()
    with demo_api(migrated_engine, settings) as (one, _), TestClient(create_app(settings)) as two:
        _throttle(one, clock)
        _throttle(two, clock)
        codes = [_login(c, "alice", "wrong-password").status_code for c in (one, two, one, two, one)]
        assert codes == [401] * 5
        assert _login(two, "alice", DEMO_PASSWORD).status_code == 429
        assert _login(one, "alice", DEMO_PASSWORD).status_code == 429
        clock.now += 1.5
        assert _login(two, "alice", DEMO_PASSWORD).status_code == 200  # success clears it for both
        assert _login(one, "alice", "wrong-password").status_code == 401


def test_keys_quiet_for_longer_than_the_window_are_deleted(
    migrated_engine: Engine, settings: Settings
) -> None:
    clock = Clock()
    with demo_api(migrated_engine, settings) as (client, _):
        _throttle(client, clock)
        for i in range(20):
            assert _login(client, f"ghost{i}", "wrong-password", address=f"10.0.0.{i}").status_code == 401
        with Session(migrated_engine) as s:
            assert s.scalar(select(func.count()).select_from(LoginFailureRecord)) == 40
        clock.now += 16 * 60  # past the window and the longest block
        assert _login(client, "someone", "wrong-password").status_code == 401
        with Session(migrated_engine) as s:
            keys = set(s.scalars(select(LoginFailureRecord.key)))
        assert keys == {"account:someone", "address:testclient"}
