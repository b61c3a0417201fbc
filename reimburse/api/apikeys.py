"""Admin: API keys (machine clients such as payroll): create, list, revoke."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Request
from pydantic import AwareDatetime, BaseModel, Field

from reimburse.api import schemas as s
from reimburse.api.deps import CurrentPrincipal, SessionDep
from reimburse.api.params import Id
from reimburse.api.schemas import typed
from reimburse.api.scopes import SCOPES
from reimburse.core.db import utcnow
from reimburse.core.errors import Forbidden
from reimburse.core.principal import Principal, Role
from reimburse.identity import apikeys

router = APIRouter(tags=["admin"], prefix="/admin/api-keys")


class ApiKeyIn(BaseModel):
    name: str = Field(min_length=1, max_length=128)
    scopes: list[Annotated[str, Field(max_length=32)]] = Field(min_length=1, max_length=len(SCOPES))
    expires_at: AwareDatetime | None = None


def _admin(principal: Principal) -> None:
    if not principal.has_role(Role.ADMIN) or principal.user_id is None:
        raise Forbidden("only admins manage API keys")


@router.get("", **typed(s.ApiKeyList))
def list_keys(principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    _admin(principal)
    return {"items": [k.describe() for k in apikeys.listing(session)], "scopes": sorted(SCOPES)}


@router.post("", status_code=201, **typed(s.ApiKeyCreated, 422))
def create_key(body: ApiKeyIn, principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    _admin(principal)
    expires: datetime | None = body.expires_at
    secret, row = apikeys.create(
        session, principal.subject, body.name, body.scopes, SCOPES, expires, utcnow()
    )
    return row.describe() | {"key": secret}  # the secret, once


@router.post("/{key_id}/revoke", **typed(s.ApiKey, 404))
def revoke_key(
    key_id: Id, request: Request, principal: CurrentPrincipal, session: SessionDep
) -> dict[str, Any]:
    _admin(principal)
    row = apikeys.revoke(session, principal.subject, key_id, utcnow())
    request.app.state.principal_cache.clear()  # this process refuses the key at once
    return row.describe()
