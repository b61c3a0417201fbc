"""Admin: webhook endpoints, the delivery log, replay."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from reimburse.api import schemas as s
from reimburse.api.deps import CurrentPrincipal, SessionDep, SettingsDep
from reimburse.api.params import Id
from reimburse.api.schemas import typed
from reimburse.audit import service as trail
from reimburse.core import netguard
from reimburse.core.db import utcnow
from reimburse.core.errors import Forbidden
from reimburse.core.principal import Principal, Role
from reimburse.webhooks import service as webhooks

router = APIRouter(tags=["webhooks"], prefix="/admin/webhooks")


class EndpointIn(BaseModel):
    url: str = Field(min_length=8, max_length=500)
    events: list[str] = Field(min_length=1, max_length=20)


def _admin(principal: Principal) -> None:
    if not principal.has_role(Role.ADMIN):
        raise Forbidden("only admins manage webhooks")


@router.post("", status_code=201, **typed(s.WebhookCreated))
def create_endpoint(
    body: EndpointIn, principal: CurrentPrincipal, session: SessionDep, settings: SettingsDep
) -> dict[str, Any]:
    _admin(principal)
    # resolved and checked here, and again before every delivery (DNS can change)
    netguard.check_url(body.url, settings.webhook_networks)
    row, secret = webhooks.create_endpoint(session, body.url, body.events)
    trail.record_admin(
        session, f"webhook:{row.id}", "webhook.create", principal.subject, utcnow(),
        {"url": row.url, "events": row.events},
    )  # fmt: skip
    return {"id": row.id, "url": row.url, "events": row.events, "secret": secret}  # the secret, once


@router.get("", **typed(s.WebhookEndpointList))
def list_endpoints(principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    _admin(principal)
    return {"items": webhooks.endpoints(session)}


@router.get("/deliveries", **typed(s.WebhookDeliveryList))
def list_deliveries(principal: CurrentPrincipal, session: SessionDep, limit: int = 100) -> dict[str, Any]:
    _admin(principal)
    return {"items": webhooks.deliveries(session, limit)}


@router.post("/deliveries/{delivery_id}/replay", **typed(s.WebhookDelivery, 401, 403, 404, 422))
def replay(delivery_id: Id, principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    _admin(principal)
    view = webhooks.delivery_view(webhooks.replay(session, delivery_id, utcnow()))
    trail.record_admin(
        session, f"webhook_delivery:{delivery_id}", "webhook.replay", principal.subject, utcnow()
    )
    return view
