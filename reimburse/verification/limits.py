"""Provider limits as values: a token bucket for the request rate (e.g. 20 per second) and a
daily cap of checks per invoice (the bureau allows five a day). Both take ``now``/``today`` as
input and return a new value, so a worker can keep them in memory and a test can drive them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from types import MappingProxyType

# Clock arithmetic in floats: 100.05 - 100.0 is a hair under 0.05; don't make a caller wait for it.
_EPSILON = 1e-9


@dataclass(frozen=True, slots=True)
class RateLimiter:
    """Token bucket: ``rate`` requests per second on average, bursts up to ``burst``.
    ``now`` is any monotonic clock in seconds."""

    rate: float
    burst: float
    tokens: float
    updated: float

    @classmethod
    def start(cls, rate: float, now: float, burst: float | None = None) -> RateLimiter:
        if rate <= 0:
            raise ValueError("rate is positive")
        b = burst if burst is not None else rate
        return cls(rate, b, b, now)

    def take(self, now: float) -> tuple[RateLimiter, float]:
        """Try to spend one token. Returns the new limiter and how long to wait (0: go now).
        When the wait is positive nothing was spent: call again after waiting."""
        elapsed = max(0.0, now - self.updated)
        tokens = min(self.burst, self.tokens + elapsed * self.rate)
        if tokens >= 1 - _EPSILON:
            tokens = max(tokens, 1.0)
            return replace(self, tokens=tokens - 1, updated=max(now, self.updated)), 0.0
        return replace(self, tokens=tokens, updated=max(now, self.updated)), (1 - tokens) / self.rate


@dataclass(frozen=True, slots=True)
class DailyCap:
    """At most ``limit`` checks per invoice key per day; counts reset when the day changes."""

    limit: int = 5
    day: date | None = None
    counts: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))

    def used(self, key: str, today: date) -> int:
        return self.counts.get(key, 0) if today == self.day else 0

    def take(self, key: str, today: date) -> tuple[DailyCap, bool]:
        """Count one check of ``key`` today; False (and unchanged) when the cap is reached."""
        counts = dict(self.counts) if today == self.day else {}
        if counts.get(key, 0) >= self.limit:
            return self, False
        counts[key] = counts.get(key, 0) + 1
        return DailyCap(self.limit, today, MappingProxyType(counts)), True
