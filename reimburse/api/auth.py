"""Sign-in and the current user."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from reimburse.api import session_cookie
from reimburse.api.deps import CurrentPrincipal, SessionDep, SettingsDep, cookie_cache_key
from reimburse.api.schemas import DepartmentList, Login, Me, PeoplePage, WebSession, answers, typed
from reimburse.api.scopes import ANY_KEY, key_scope
from reimburse.identity import auth, directory
from reimburse.identity.throttle import LoginThrottle

router = APIRouter(tags=["auth"])


class LoginIn(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


def _password_sign_in(body: LoginIn, request: Request, session: SessionDep) -> tuple[str, dict[str, Any]]:
    """Failed sign-ins are throttled per account and per client address (429 with
    ``Retry-After``), unknown accounts exactly like known ones."""
    throttle: LoginThrottle = request.app.state.login_throttle
    address = request.client.host if request.client else "unknown"
    throttle.check(body.username, address)
    try:
        token, user = auth.login(session, body.username, body.password)
    except auth.BadCredentials:
        throttle.failed(body.username, address)
        raise
    throttle.succeeded(body.username, session)
    return token, directory.user_view(user)


@router.post("/auth/login", **typed(Login, 401, 422, 429))
def login(body: LoginIn, request: Request, session: SessionDep) -> dict[str, Any]:
    """A bearer token (for the payroll system, scripts, a mobile client)."""
    token, user = _password_sign_in(body, request, session)
    return {"token": token, "token_type": "bearer", "user": user}


@router.post("/auth/session", **typed(WebSession, 401, 403, 422, 429))
def web_sign_in(
    body: LoginIn, request: Request, response: Response, session: SessionDep, settings: SettingsDep
) -> dict[str, Any]:
    """The web app's sign-in: the session goes into an HttpOnly, SameSite=Strict cookie (see
    ``api.session_cookie``), the answer carries the CSRF token for the changes it will send.
    Refused from another site's page (login CSRF)."""
    session_cookie.check_origin(request, settings)
    token, user = _password_sign_in(body, request, session)
    csrf = session_cookie.set_session(response, request, settings, token, auth.TOKEN_LIFETIME)
    return {"user": user, "csrf_token": csrf}


@router.post("/auth/logout", status_code=204, responses=answers(None, 401, 403))
def logout(
    request: Request, principal: CurrentPrincipal, session: SessionDep, settings: SettingsDep
) -> Response:
    """End the caller's session: the bearer token sent, or the session cookie (then cleared)."""
    response = Response(status_code=204)
    cache = request.app.state.principal_cache
    header = request.headers.get("authorization", "")
    if header:
        auth.logout(session, header)
        cache.evict(header)
        token = header.strip().partition(" ")[2].strip()
    else:
        token = request.cookies.get(session_cookie.SESSION_COOKIE, "")
        auth.revoke(session, token)
        session_cookie.clear_session(response, request, settings)
    # the same token may have been looked up both ways (cookie and bearer): forget both now
    cache.evict(f"Bearer {token}")
    cache.evict(cookie_cache_key(token))
    return response


@router.get("/people", **typed(PeoplePage, 401))
def people(principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    """The colleague directory (names only) for transfer / add-signer pickers."""
    return {"items": directory.people(session) if principal.user_id is not None else []}


@router.get("/departments", **typed(DepartmentList, 401))
def departments(principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    """The department tree (names, parents, heads): for pickers, filters and labels."""
    return {"items": directory.departments(session) if principal.user_id is not None else []}


@router.get("/me", **typed(Me, 401, 404))
@key_scope(ANY_KEY)
def me(principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    return directory.me(session, principal)
