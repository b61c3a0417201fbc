"""Sign-in and the current user."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from sqlalchemy import select

from reimburse.api.deps import CurrentPrincipal, SessionDep
from reimburse.api.schemas import DepartmentList, Login, Me, PeoplePage, answers
from reimburse.api.scopes import ANY_KEY, key_scope
from reimburse.core.errors import NotFound
from reimburse.identity import auth
from reimburse.identity.records import DepartmentRecord, UserRecord
from reimburse.identity.throttle import LoginThrottle

router = APIRouter(tags=["auth"])


class LoginIn(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


def user_view(user: UserRecord) -> dict[str, Any]:
    return {
        "id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "email": user.email,
        "roles": sorted(set(user.roles) | {"employee"}),
        "department_id": user.department_id,
        "manager_id": user.manager_id,
        "rank": user.rank,
        "locale": user.locale,
        "active": user.active,
    }


@router.post("/auth/login", responses=answers(Login, 401, 422, 429))
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
    throttle.succeeded(body.username)
    return {"token": token, "token_type": "bearer", "user": user_view(user)}


@router.post("/auth/logout", status_code=204, responses=answers(None, 401))
def logout(request: Request, principal: CurrentPrincipal, session: SessionDep) -> None:
    header = request.headers.get("authorization", "")
    auth.logout(session, header)
    request.app.state.principal_cache.evict(header)


@router.get("/people", responses=answers(PeoplePage, 401))
def people(principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    """The colleague directory (names only) for transfer / add-signer pickers."""
    if principal.user_id is None:
        return {"items": []}
    rows = session.scalars(select(UserRecord).where(UserRecord.active.is_(True)).order_by(UserRecord.id))
    return {
        "items": [
            {"id": u.id, "display_name": u.display_name, "department_id": u.department_id} for u in rows
        ]
    }


@router.get("/departments", responses=answers(DepartmentList, 401))
def departments(principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    """The department tree (names, parents, heads): for pickers, filters and labels."""
    if principal.user_id is None:
        return {"items": []}
    rows = session.scalars(select(DepartmentRecord).order_by(DepartmentRecord.id))
    return {
        "items": [
            {"id": d.id, "name": d.name, "parent_id": d.parent_id, "head_user_id": d.head_user_id}
            for d in rows
        ]
    }


@router.get("/me", responses=answers(Me, 401, 404))
@key_scope(ANY_KEY)
def me(principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    if principal.user_id is None:
        return {
            "subject": principal.subject,
            "roles": sorted(principal.roles),
            "scopes": sorted(principal.scopes),
        }
    user = session.get(UserRecord, principal.user_id)
    if user is None:
        raise NotFound("user not found")
    return user_view(user)
