"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from reimburse.api import schemas as s
from reimburse.api.deps import Unauthenticated
from reimburse.api.schemas import typed
from reimburse.core.errors import NotFound
from reimburse.core.metrics import database_answers, refresh_gauges
from reimburse.documents.runtime import store_for

router = APIRouter(tags=["operations"])


@router.get("/healthz", **typed(s.Health))
def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz")
def readyz(request: Request) -> JSONResponse:
    """The database and the document store answer (and the broker, when one is configured)."""
    checks = {"database": database_answers(request.app.state.engine)}
    try:
        # a look-up of a name nothing has: one round trip to an object store, a stat locally
        store_for(request.app.state.settings).exists("0" * 64)
        checks["store"] = "ok"
    except Exception as exc:
        checks["store"] = f"error: {type(exc).__name__}"
    broker_check = getattr(request.app.state, "broker_check", None)
    if broker_check is not None:
        checks["broker"] = broker_check()
    ok = all(v == "ok" for v in checks.values())
    return JSONResponse(
        {"status": "ok" if ok else "unavailable", "checks": checks}, status_code=200 if ok else 503
    )


@router.get("/metrics")
def metrics(request: Request) -> Response:
    """Prometheus metrics; the gauges are read from the database at scrape time.

    They tell queue depths and claim counts: with ``REIMBURSE_METRICS_TOKEN`` set, only a scraper
    sending it as a bearer token gets them; without one they are served in development only."""
    settings = request.app.state.settings
    if settings.metrics_token:
        sent = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(sent.encode(), settings.metrics_token.encode()):
            raise Unauthenticated("send REIMBURSE_METRICS_TOKEN as a bearer token")
    elif not settings.relaxed:
        raise NotFound("metrics are off: set REIMBURSE_METRICS_TOKEN")
    refresh_gauges(request.app.state.engine)
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
