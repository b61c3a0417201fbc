"""What the adapters share: one ``httpx.Client`` and a cached access token per app.

Secrets go into request parameters or bodies only, never into exceptions or logs: an error
names the path and the platform's error code, not the URL with its query.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx

from reimburse.workapps.domain import WorkAppError

# Query parameters that carry secrets (WeCom and DingTalk put the app secret and the access
# token in the URL); httpx logs every request URL at INFO, so they are masked there.
SECRET_PARAMS = frozenset({"corpsecret", "appsecret", "access_token", "code", "authCode"})


def redact(url: httpx.URL) -> httpx.URL:
    if not any(k in SECRET_PARAMS for k in url.params):
        return url
    return url.copy_with(
        params=[(k, "***" if k in SECRET_PARAMS else v) for k, v in url.params.multi_items()]
    )


class _RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, httpx.URL) else a for a in record.args)
        return True


logging.getLogger("httpx").addFilter(_RedactSecrets())

# Rate limits and "busy, try later": WeCom -1 / 45009, DingTalk 90018 / 130101, Feishu 99991400.
RETRYABLE_CODES = frozenset({-1, 45009, 90018, 130101, 99991400})


class Api:
    def __init__(self, base: str, client: httpx.Client | None = None, timeout: float = 10.0) -> None:
        self.base = base.rstrip("/")
        self.client = client or httpx.Client(timeout=timeout)

    def call(self, method: str, path: str, *, code_key: str = "errcode", **kwargs: Any) -> dict[str, Any]:
        try:
            response = self.client.request(method, self.base + path, **kwargs)
        except httpx.HTTPError as exc:
            raise WorkAppError(f"{path}: {type(exc).__name__}", retryable=True) from exc
        if response.status_code >= 500 or response.status_code == 429:
            raise WorkAppError(f"{path}: HTTP {response.status_code}", retryable=True)
        try:
            answer: dict[str, Any] = response.json()
        except ValueError as exc:
            raise WorkAppError(f"{path}: HTTP {response.status_code}, not JSON", retryable=True) from exc
        code = answer.get(code_key, 0)
        if code not in (0, None) or response.status_code >= 400:
            message = answer.get("errmsg") or answer.get("msg") or answer.get("message") or ""
            raise WorkAppError(f"{path}: error {code} {message}".strip(), retryable=code in RETRYABLE_CODES)
        return answer


class TokenCache:
    """An app access token, fetched when missing or about to expire (they last about 2 hours)."""

    def __init__(self, fetch: Callable[[], tuple[str, int]], clock: Callable[[], float] = time.monotonic):
        self._fetch, self._clock = fetch, clock
        self._token: str | None = None
        self._until = 0.0
        self._lock = threading.Lock()

    def get(self) -> str:
        with self._lock:
            if self._token is None or self._clock() >= self._until:
                token, lifetime = self._fetch()
                self._token, self._until = token, self._clock() + max(60, lifetime - 300)
            return self._token

    def clear(self) -> None:
        with self._lock:
            self._token = None
