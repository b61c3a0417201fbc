"""Input checks every API request passes before any route sees it.

- No NUL character anywhere (path, query, JSON strings): PostgreSQL cannot store one in a text
  (a 500 after the fact) and SQLite would keep it, so it is refused on both, before anything is
  stored.
- A JSON body is at most ``MAX_JSON_BYTES``: the biggest legitimate one (a policy or flow
  document, a claim of 200 items) is far smaller, and every field is then also capped by its
  schema.

Pure ASGI (no BaseHTTPMiddleware): the body is read once, checked, and handed on unchanged.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from reimburse.api.errors import error_body

MAX_JSON_BYTES = 1024 * 1024


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


class InputGuard:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return
        raw = scope.get("raw_path") or b""
        if "\x00" in scope["path"] or b"%00" in raw.lower() or b"%00" in scope.get("query_string", b""):
            await _refuse(send, 422, "invalid_characters", "the request contains a NUL character")
            return
        headers = dict(scope.get("headers") or [])
        if b"json" not in headers.get(b"content-type", b"").lower():
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break  # the client went away; the route's own receive sees it
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > MAX_JSON_BYTES:
                await _refuse(send, 413, "body_too_large", f"a JSON body is at most {MAX_JSON_BYTES} bytes")
                return
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        # a NUL can only be in JSON as the escape \u0000; only then is the body parsed to be sure
        if b"\\u0000" in body:
            try:
                nul = _has_nul(json.loads(body))
            except ValueError:
                nul = False  # not JSON: the route's validation answers
            if nul:
                await _refuse(send, 422, "invalid_characters", "a text in the request contains a NUL")
                return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


async def _refuse(send: Send, status: int, code: str, message: str) -> None:
    payload = json.dumps(error_body(code, message)).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})
