"""Sign-in and the current user."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from reimburse.api.deps import CurrentPrincipal, SessionDep
from reimburse.api.schemas import DepartmentList, Login, Me, PeoplePage, answers, typed
from reimburse.api.scopes import ANY_KEY, key_scope
from reimburse.identity import auth, directory
from reimburse.identity.throttle import LoginThrottle

router = APIRouter(tags=["auth"])


class LoginIn(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


@router.post("/auth/login", **typed(Login, 401, 422, 429))
def login(body: LoginIn, request: Request, session: SessionDep) -> dict[str, Any]:
    """A bearer token. Failed sign-ins are throttled per account and per client address
    (429 with ``Retry-After``), unknown accounts exactly like known ones."""
    throttle: LoginThrottle = request.app.state.login_throttle
    address = request.client.host if request.client else "unknown"
    throttle.check(body.username, address)
    try:
        token, user = auth.login(session, body.username, body.password)
    except auth.BadCredentials:
        throttle.failed(body.username, address)
        raise
    throttle.succeeded(body.username, session)
    return {"token": token, "token_type": "bearer", "user": directory.user_view(user)}


@router.post("/auth/logout", status_code=204, responses=answers(None, 401))
def logout(request: Request, principal: CurrentPrincipal, session: SessionDep) -> None:
    header = request.headers.get("authorization", "")
    auth.logout(session, header)
    request.app.state.principal_cache.evict(header)


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
