"""Sign-in throttling: exponential back-off per account and per client address.

After ``free`` failed sign-ins for one key (an account name or a client address) within the
window, the key is blocked for 1 s; each further failure doubles that (2 s, 4 s, ...) up to
``max_block``. A block is always temporary (no lock-out an attacker could make permanent), a correct
password does not get through a running block (else guessing would just slow down), and a
successful sign-in clears the account's count. Unknown account names are counted exactly like
known ones, so the answers (and the 429s) do not reveal who exists.

Per address the allowance is larger (an office behind one NAT address shares it), per account
smaller. The state lives in this process (bounded: least recently seen keys are forgotten), so
with N API processes an attacker gets at most N times the allowance; the back-off still grows.
Thread-safe: sign-ins run in the thread pool.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from reimburse.core.errors import ReimburseError


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


@dataclass
class _Entry:
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


class LoginThrottle:
    def __init__(
        self,
        account: Limits = ACCOUNT_LIMITS,
        address: Limits = ADDRESS_LIMITS,
        size: int = 50_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limits = {"account": account, "address": address}
        self.size, self.clock = size, clock
        self._entries: OrderedDict[tuple[str, str], _Entry] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def _keys(username: str, address: str) -> list[tuple[str, str]]:
        return [("account", username.strip().casefold()), ("address", address)]

    def check(self, username: str, address: str) -> None:
        """Raise TooManyAttempts while the account or the address is blocked."""
        now = self.clock()
        with self._lock:
            wait = max(
                (e.blocked_until - now for k in self._keys(username, address) if (e := self._entries.get(k))),
                default=0.0,
            )
        if wait > 0:
            raise TooManyAttempts(wait)

    def failed(self, username: str, address: str) -> None:
        now = self.clock()
        with self._lock:
            for key in self._keys(username, address):
                limits = self.limits[key[0]]
                entry = self._entries.pop(key, None) or _Entry()
                if now - entry.last_failure > limits.window:
                    entry = _Entry()
                entry.failures += 1
                entry.last_failure = now
                over = entry.failures - limits.free
                if over >= 0:
                    entry.blocked_until = now + min(limits.max_block, 2.0**over)
                self._entries[key] = entry  # most recently seen last
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def succeeded(self, username: str) -> None:
        with self._lock:
            self._entries.pop(self._keys(username, "")[0], None)
