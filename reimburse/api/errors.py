"""The one place where errors become HTTP responses, all in one JSON shape:

{"error": {"code": "...", "message": "...", "params": {...}, "details": ...}}

``code`` is stable and the web app words it (with ``params``) in the reader's language;
``message`` is English, for API clients and logs.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from reimburse.core.errors import Forbidden, ReimburseError
from reimburse.core.problems import location, pydantic_problem

log = logging.getLogger(__name__)


# Errors of the HTTP layer itself (the domains' errors carry their own codes).
class CsrfRefused(Forbidden):
    """A change sent with the web app's session cookie but without the session's CSRF token
    (``X-CSRF-Token``), or with a wrong one: another site's page may have sent it."""

    code = "csrf_token_invalid"


class CrossOriginRefused(Forbidden):
    """A change (or a cookie sign-in) whose ``Origin`` or ``Referer`` names another site."""

    code = "cross_origin_refused"


def error_body(
    code: str, message: str, details: Any = None, params: dict[str, str] | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {"error": {"code": code, "message": message, "params": params or {}}}
    if details is not None:
        body["error"]["details"] = details
    return body


# where a request's value came from: the first part of a validation error's location
_SOURCES = ("body", "query", "path", "header", "cookie")

_OUT_OF_RANGE = error_body("value_out_of_range", "a number, date or text in the request is out of range")


_STALE = error_body("stale_version", "another change to the same data won the race; reload and try again")
DB_RETRY_AFTER = 5  # seconds: a fail-over or a restart of the database takes about that long
# PostgreSQL: serialization failure, deadlock, lock not available, lock timeout
_LOCK_SQLSTATES = frozenset({"40001", "40P01", "55P03"})


def _lost_a_lock(exc: Exception) -> bool:
    """A lock or serialization conflict (answer 409) rather than an unreachable database (503)."""
    if not isinstance(exc, OperationalError) or exc.connection_invalidated:
        return False
    orig = exc.orig
    if getattr(orig, "sqlstate", None) in _LOCK_SQLSTATES:
        return True
    return "database is locked" in str(orig) or "database table is locked" in str(orig)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ReimburseError)
    async def _domain(_: Request, exc: ReimburseError) -> JSONResponse:
        return JSONResponse(
            error_body(exc.code, exc.message, exc.details, exc.params),
            status_code=exc.status,
            headers=getattr(exc, "headers", None),  # e.g. Retry-After on 429 and 503
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        # each field's problem as a code (pydantic's error type) with params and the field's
        # path, which the web app words; loc, msg and type as FastAPI sends them, for API clients
        details = [
            {
                "loc": list(e.get("loc", ())),
                "msg": e.get("msg"),
                "type": e.get("type"),
                **pydantic_problem(location(e.get("loc", ()), skip=_SOURCES), e).as_json(),
            }
            for e in exc.errors()
        ]
        return JSONResponse(
            error_body("invalid_request", "the request is not valid", details), status_code=422
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed"}.get(
            exc.status_code, "http_error"
        )
        return JSONResponse(
            error_body(code, str(exc.detail)),
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(IntegrityError)
    async def _integrity(_: Request, exc: IntegrityError) -> JSONResponse:
        # a unique or foreign key the database refused at flush or commit: another request
        # stored something meanwhile (the services check first; this is the race they lose)
        # the constraint's name only: a driver's message carries the refused values ("Key
        # (digest)=(...)"), which may be a secret or a password hash
        diag = getattr(exc.orig, "diag", None)
        log.warning("integrity error: %s", getattr(diag, "constraint_name", None) or type(exc.orig).__name__)
        return JSONResponse(
            error_body("conflict", "the change conflicts with data stored meanwhile; reload and try again"),
            status_code=409,
        )

    @app.exception_handler(OverflowError)
    async def _overflow(_: Request, exc: OverflowError) -> JSONResponse:
        # an id past SQLite's 64-bit integer, a date past 9999-12-31: the input, not the service
        log.info("value out of range: %s", exc)
        return JSONResponse(_OUT_OF_RANGE, status_code=422)

    @app.exception_handler(DataError)
    async def _data(_: Request, exc: DataError) -> JSONResponse:
        # PostgreSQL refused a value (integer out of range, too long for its column, NUL in a
        # text): the transaction is rolled back, nothing was stored
        log.info("value refused by the database: %s", type(exc.orig).__name__)
        return JSONResponse(_OUT_OF_RANGE, status_code=422)

    @app.exception_handler(StaleDataError)
    async def _stale(_: Request, exc: StaleDataError) -> JSONResponse:
        # the version column moved between this request's read and its write: another request
        # changed the row first (the optimistic lock doing its job)
        return JSONResponse(_STALE, status_code=409)

    @app.exception_handler(OperationalError)
    @app.exception_handler(InterfaceError)
    @app.exception_handler(PoolTimeout)
    async def _database(_: Request, exc: Exception) -> JSONResponse:
        if _lost_a_lock(exc):
            log.info("lock conflict: %s", type(getattr(exc, "orig", exc)).__name__)
            return JSONResponse(_STALE, status_code=409)
        log.error("database unavailable: %s", type(getattr(exc, "orig", None) or exc).__name__)
        return JSONResponse(
            error_body("database_unavailable", "the database is unreachable; try again shortly"),
            status_code=503,
            headers={"Retry-After": str(DB_RETRY_AFTER)},
        )

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        return JSONResponse(error_body("internal_error", "an unexpected error occurred"), status_code=500)
