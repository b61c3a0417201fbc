"""Request-scoped dependencies. The request owns the session: it commits when the route
returns normally and rolls back when it raises.

Reads (GET/HEAD) get a session without a transaction: PostgreSQL's READ COMMITTED gives each
statement its own snapshot inside a transaction too, so BEGIN/COMMIT would only add two round
trips to every read. A read that does write something (an API key's ``last_used_at``) is still
flushed, statement by statement.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from reimburse.api.scopes import key_may_call
from reimburse.api.session_cookie import SAFE_METHODS, SESSION_COOKIE, check_change
from reimburse.core.errors import Forbidden, ReimburseError
from reimburse.core.principal import Principal
from reimburse.core.settings import Settings
from reimburse.identity.cache import PrincipalCache

_READS = frozenset({"GET", "HEAD"})


class Unauthenticated(ReimburseError):
    code = "unauthorized"
    status = 401


def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _commit_close(session: Session) -> None:
    try:
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def _rollback_close(session: Session) -> None:
    try:
        session.rollback()
    finally:
        session.close()


async def get_session(request: Request) -> AsyncIterator[Session]:
    # async so that opening (no I/O) and a read's close cost no trip through the thread pool;
    # anything that talks to the database on the way out runs in the pool
    reads = request.method in _READS
    session: Session = (request.app.state.read_sessions if reads else request.app.state.sessions)()
    try:
        yield session
    except BaseException:
        await run_in_threadpool(_rollback_close, session)
        raise
    if reads and not (session.new or session.dirty or session.deleted):
        session.close()  # an autocommit connection goes back to the pool without a round trip
    else:
        await run_in_threadpool(_commit_close, session)


# scope="function": the session commits when the route returns, *before* the response goes out
# (FastAPI's default runs a yield dependency's exit after sending: a client could be told
# "stored" for work whose commit then failed, or read a claim it created before it exists)
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]


async def get_principal(request: Request, session: SessionDep) -> Principal:
    """Resolve the caller from the Authorization header, or else the web app's session cookie.

    ``app.state.authenticator`` (set by the identity domain) maps (session, header) to a
    Principal or None; without one, or with no valid credential, the request is refused.
    ``app.state.session_authenticator`` maps (session, token) for the cookie, which carries a
    sign-in session only (never an API key); a change it authenticates must pass the CSRF and
    origin checks of ``api.session_cookie``. A header, when sent, decides alone.
    A credential seen in the last seconds comes from ``app.state.principal_cache`` without a
    database look-up (or a trip through the thread pool).
    """
    cache: PrincipalCache | None = getattr(request.app.state, "principal_cache", None)
    header = request.headers.get("authorization", "")
    cookie = "" if header else request.cookies.get(SESSION_COOKIE, "")
    if cookie:
        if request.method not in SAFE_METHODS:
            check_change(request, request.app.state.settings, cookie)  # before any look-up
        authenticator = getattr(request.app.state, "session_authenticator", None)
        key, credential = cookie_cache_key(cookie), cookie
    else:
        authenticator = getattr(request.app.state, "authenticator", None)
        key, credential = header, header
    principal = cache.get(key) if cache is not None and key else None
    if principal is None and authenticator is not None and credential:
        principal = await run_in_threadpool(authenticator, session, credential)
        if isinstance(principal, Principal) and cache is not None:
            cache.put(key, principal)
    if not isinstance(principal, Principal):
        raise Unauthenticated("sign in, or send a valid bearer token or API key")
    # a machine key reaches only the routes opened to its scopes (api.scopes: default deny)
    if principal.subject.startswith("apikey:") and not key_may_call(
        request.scope.get("endpoint"), principal.scopes
    ):
        raise Forbidden("this API key's scopes do not cover this route", code="missing_scope")
    return principal


def cookie_cache_key(token: str) -> str:
    """The principal cache's key for a session cookie (apart from the headers' keys)."""
    return "cookie " + token


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]
