"""One structured log line per request, and an ``X-Request-Id`` echoed back to the client.

A plain ASGI middleware (not ``@app.middleware("http")``, whose request/response wrapping
costs a measurable share of a fast request).
"""

from __future__ import annotations

import logging
import time
import uuid

from fastapi import FastAPI
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from reimburse.core.logs import request_id

log = logging.getLogger("reimburse.request")


class RequestLog:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = Headers(scope=scope).get("x-request-id") or uuid.uuid4().hex[:16]
        token = request_id.set(rid)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message).append("X-Request-Id", rid)
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            method, path = scope["method"], scope["path"]
            ms = round((time.perf_counter() - started) * 1000, 1)
            log.info(
                "%s %s %s",
                method,
                path,
                status,
                extra={"method": method, "path": path, "status": status, "ms": ms},
            )
            request_id.reset(token)


def install_request_log(app: FastAPI) -> None:
    app.add_middleware(RequestLog)
