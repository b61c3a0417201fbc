"""Admin: webhook endpoints, the delivery log, replay."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field
from sqlalchemy import select

from reimburse.api.deps import CurrentPrincipal, SessionDep
from reimburse.audit import service as trail
from reimburse.core.db import utcnow
from reimburse.core.errors import Forbidden
from reimburse.core.principal import Principal, Role
from reimburse.webhooks import service as webhooks
from reimburse.webhooks.records import WebhookDeliveryRecord, WebhookEndpointRecord

router = APIRouter(tags=["webhooks"], prefix="/admin/webhooks")


class EndpointIn(BaseModel):
    url: str = Field(min_length=8, max_length=500)
    events: list[str] = Field(min_length=1, max_length=20)


def _admin(principal: Principal) -> None:
    if not principal.has_role(Role.ADMIN):
        raise Forbidden("only admins manage webhooks")


@router.post("", status_code=201)
def create_endpoint(body: EndpointIn, principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    _admin(principal)
    row, secret = webhooks.create_endpoint(session, body.url, body.events)
    trail.record_admin(
        session, f"webhook:{row.id}", "webhook.create", principal.subject, utcnow(),
        {"url": row.url, "events": row.events},
    )  # fmt: skip
    return {"id": row.id, "url": row.url, "events": row.events, "secret": secret}  # the secret, once


@router.get("")
def list_endpoints(principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    _admin(principal)
    rows = session.scalars(select(WebhookEndpointRecord).order_by(WebhookEndpointRecord.id))
    return {"items": [{"id": r.id, "url": r.url, "events": r.events, "active": r.active} for r in rows]}


@router.get("/deliveries")
def list_deliveries(principal: CurrentPrincipal, session: SessionDep, limit: int = 100) -> dict[str, Any]:
    _admin(principal)
    rows = session.scalars(
        select(WebhookDeliveryRecord).order_by(WebhookDeliveryRecord.id.desc()).limit(min(max(limit, 1), 500))
    )
    return {"items": [webhooks.delivery_view(d) for d in rows]}


@router.post("/deliveries/{delivery_id}/replay")
def replay(delivery_id: int, principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    _admin(principal)
    view = webhooks.delivery_view(webhooks.replay(session, delivery_id, utcnow()))
    trail.record_admin(
        session, f"webhook_delivery:{delivery_id}", "webhook.replay", principal.subject, utcnow()
    )
    return view
