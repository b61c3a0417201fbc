"""Recently resolved credentials, so that a burst of requests does not look the same bearer
token up in the database every time.

Only successful look-ups are kept, for ``ttl`` seconds at most, keyed by the credential's
SHA-256 (the secret itself is not held). The process that revokes something evicts it at once
(sign-out a token, an admin's change to a user clears the cache); every other API process
refuses it at most ``ttl`` seconds later. ``ttl=0`` turns the cache off. An API key's
``last_used_at`` is therefore written on a look-up, at most once per ``ttl`` per process.

Used from the event loop's thread only (``api.deps``), so it needs no lock.
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from collections.abc import Callable

from reimburse.core.principal import Principal


class PrincipalCache:
    def __init__(self, ttl: float, size: int = 10_000, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl, self.size, self.clock = ttl, size, clock
        self._entries: OrderedDict[str, tuple[float, Principal]] = OrderedDict()

    @staticmethod
    def _key(header: str) -> str:
        return hashlib.sha256(header.strip().encode()).hexdigest()

    def get(self, header: str) -> Principal | None:
        if self.ttl <= 0:
            return None
        key = self._key(header)
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry[0] <= self.clock():
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return entry[1]

    def put(self, header: str, principal: Principal) -> None:
        if self.ttl <= 0:
            return
        self._entries[self._key(header)] = (self.clock() + self.ttl, principal)
        self._entries.move_to_end(self._key(header))
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)  # the least recently used

    def evict(self, header: str) -> None:
        self._entries.pop(self._key(header), None)

    def clear(self) -> None:
        self._entries.clear()
