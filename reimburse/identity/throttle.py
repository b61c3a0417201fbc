"""Sign-in throttling: exponential back-off per account and per client address.

After ``free`` failed sign-ins for one key (an account name or a client address) within the
window, the key is blocked for 1 s; each further failure doubles that (2 s, 4 s, ...) up to
``max_block``. A block is always temporary (no lock-out an attacker could make permanent), a correct
password does not get through a running block (else guessing would just slow down), and a
successful sign-in clears the account's count. Unknown account names are counted exactly like
known ones, so the answers (and the 429s) do not reveal who exists.

Per address the allowance is larger (an office behind one NAT address shares it), per account
smaller. The counts live in the database (``DatabaseStore``), shared by every API process, and are
written in their own short transaction: the failed request's own rollback must not erase them.
``MemoryStore`` keeps them in one process (bounded: least recently seen keys are forgotten), for
tools and tests. Thread-safe: sign-ins run in the thread pool.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, sessionmaker

from reimburse.core.errors import ReimburseError
from reimburse.identity.records import LoginFailureRecord


class TooManyAttempts(ReimburseError):
    code = "too_many_attempts"
    status = 429

    def __init__(self, retry_after: float) -> None:
        self.retry_after = max(1, math.ceil(retry_after))
        super().__init__(
            f"too many failed sign-ins; try again in {self.retry_after} s",
            details={"retry_after": self.retry_after},
        )

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


@dataclass(frozen=True)
class Entry:
    failures: int = 0
    last_failure: float = 0.0
    blocked_until: float = 0.0


@dataclass(frozen=True)
class Limits:
    free: int  # failures allowed before the back-off starts
    window: float = 15 * 60.0  # a key with no failure for this long starts afresh
    max_block: float = 15 * 60.0


ACCOUNT_LIMITS = Limits(free=5)
ADDRESS_LIMITS = Limits(free=30)


def after_failure(entry: Entry, now: float, limits: Limits) -> Entry:
    """The key's state after one more failure: counted afresh after a quiet window; past the
    free allowance blocked for 1 s, doubling with each failure, up to ``max_block``."""
    if now - entry.last_failure > limits.window:
        entry = Entry()
    failures = entry.failures + 1
    over = failures - limits.free
    blocked = now + min(limits.max_block, 2.0**over) if over >= 0 else entry.blocked_until
    return Entry(failures, now, max(blocked, entry.blocked_until))


Key = tuple[str, str]  # ("account" | "address", value)


class Store(Protocol):
    def blocked_until(self, keys: list[Key]) -> float: ...
    def record_failure(self, keys: list[Key], now: float, limits: dict[str, Limits]) -> None: ...
    def forget(self, key: Key, session: Session | None) -> None: ...


class MemoryStore:
    """The counts in this process only (bounded: the least recently seen keys are forgotten)."""

    def __init__(self, size: int = 50_000) -> None:
        self.size = size
        self._entries: OrderedDict[Key, Entry] = OrderedDict()
        self._lock = threading.Lock()

    def blocked_until(self, keys: list[Key]) -> float:
        with self._lock:
            return max((e.blocked_until for k in keys if (e := self._entries.get(k))), default=0.0)

    def record_failure(self, keys: list[Key], now: float, limits: dict[str, Limits]) -> None:
        with self._lock:
            for key in keys:
                entry = self._entries.pop(key, None) or Entry()
                self._entries[key] = after_failure(entry, now, limits[key[0]])  # most recent last
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def forget(self, key: Key, session: Session | None) -> None:
        with self._lock:
            self._entries.pop(key, None)


class DatabaseStore:
    """The counts in ``login_failures``, shared by every process; each call is its own transaction.

    A failure locks its rows (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite has one writer), so
    two processes counting the same key at once both count. Keys quiet for longer than the
    longest window are deleted as failures come in, so guessing names cannot grow the table
    without bound."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    @staticmethod
    def _name(key: Key) -> str:
        return f"{key[0]}:{key[1]}"[:200]

    def blocked_until(self, keys: list[Key]) -> float:
        names = [self._name(k) for k in keys]
        with self.sessions() as session:
            found = session.scalars(
                select(LoginFailureRecord.blocked_until).where(LoginFailureRecord.key.in_(names))
            ).all()
        return max(found, default=0.0)

    def record_failure(self, keys: list[Key], now: float, limits: dict[str, Limits]) -> None:
        with self.sessions.begin() as session:
            insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
            for key in keys:
                name = self._name(key)
                fresh = {"key": name, "failures": 0, "last_failure": 0.0, "blocked_until": 0.0}
                session.execute(insert(LoginFailureRecord).values(fresh).on_conflict_do_nothing())
                row = session.scalars(
                    select(LoginFailureRecord).where(LoginFailureRecord.key == name).with_for_update()
                ).one()
                was = Entry(row.failures, row.last_failure, row.blocked_until)
                now_entry = after_failure(was, now, limits[key[0]])
                row.failures, row.last_failure, row.blocked_until = (
                    now_entry.failures,
                    now_entry.last_failure,
                    now_entry.blocked_until,
                )
            session.flush()  # the counts above first: the sweep below must see them
            quiet = now - max(max(lim.window, lim.max_block) for lim in limits.values())
            session.execute(delete(LoginFailureRecord).where(LoginFailureRecord.last_failure < quiet))

    def forget(self, key: Key, session: Session | None) -> None:
        """In the caller's ``session`` when given: the sign-in's own transaction (SQLite has one
        writer, and the request already holds it for the new token)."""
        forget = delete(LoginFailureRecord).where(LoginFailureRecord.key == self._name(key))
        if session is not None:
            session.execute(forget)
            return
        with self.sessions.begin() as own:
            own.execute(forget)


class LoginThrottle:
    def __init__(
        self,
        store: Store | None = None,
        account: Limits = ACCOUNT_LIMITS,
        address: Limits = ADDRESS_LIMITS,
        clock: Callable[[], float] = time.time,  # wall time: shared by processes via the store
    ) -> None:
        self.store: Store = store or MemoryStore()
        self.limits = {"account": account, "address": address}
        self.clock = clock

    @staticmethod
    def _keys(username: str, address: str) -> list[Key]:
        return [("account", username.strip().casefold()), ("address", address)]

    def check(self, username: str, address: str) -> None:
        """Raise TooManyAttempts while the account or the address is blocked."""
        wait = self.store.blocked_until(self._keys(username, address)) - self.clock()
        if wait > 0:
            raise TooManyAttempts(wait)

    def failed(self, username: str, address: str) -> None:
        self.store.record_failure(self._keys(username, address), self.clock(), self.limits)

    def succeeded(self, username: str, session: Session | None = None) -> None:
        """A correct sign-in clears the account's count (in ``session``'s transaction if given)."""
        self.store.forget(self._keys(username, "")[0], session)
