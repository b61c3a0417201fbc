"""Outgoing webhooks for payroll and other systems: signed, retried, logged, replayable.

Each event (``claim.approved``, ``claim.paid``, ...) is written to the outbox in the same
transaction as the change it reports; delivery happens afterwards, per subscribed endpoint,
with exponential backoff. The body is signed with HMAC-SHA256 over ``"<timestamp>.<body>"``
(the Stripe scheme: the timestamp in the signature stops replays of old bodies):

    X-Reimburse-Signature: t=1732440000,v1=<hex digest>
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from reimburse.core import netguard
from reimburse.core.errors import InvalidInput, NotFound
from reimburse.webhooks.records import WebhookDeliveryRecord, WebhookEndpointRecord

MAX_ATTEMPTS = 8
EVENTS = frozenset(
    {"claim.submitted", "claim.approved", "claim.rejected", "claim.withdrawn", "claim.returned", "claim.paid"}
)


def sign(secret: str, timestamp: int, body: str) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(secret: str, header: str, body: str, now: int, tolerance: int = 300) -> bool:
    """What a receiver does (used by our tests; documented for integrators)."""
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), header)


def create_endpoint(session: Session, url: str, events: list[str]) -> tuple[WebhookEndpointRecord, str]:
    if not url.startswith(("https://", "http://")):
        raise InvalidInput("a webhook URL starts with https:// (or http:// inside your network)")
    unknown = set(events) - EVENTS
    if unknown or not events:
        raise InvalidInput(f"events must be some of {sorted(EVENTS)}", code="invalid_events")
    secret = "whsec_" + secrets.token_urlsafe(24)
    row = WebhookEndpointRecord(url=url, secret=secret, events=sorted(set(events)))
    session.add(row)
    session.flush()
    return row, secret


def fan_out(session: Session, outbox_id: int, topic: str, payload: dict[str, Any], now: datetime) -> int:
    """One pending delivery per active endpoint subscribed to the event."""
    count = 0
    body = json.dumps({"id": outbox_id, "type": topic, "data": payload}, ensure_ascii=False, sort_keys=True)
    for endpoint in session.scalars(
        select(WebhookEndpointRecord).where(WebhookEndpointRecord.active.is_(True))
    ):
        if topic in endpoint.events:
            session.add(
                WebhookDeliveryRecord(
                    endpoint_id=endpoint.id, outbox_id=outbox_id, event=topic, body=body, next_attempt_at=now
                )
            )
            count += 1
    return count


def attempt(
    session: Session,
    delivery: WebhookDeliveryRecord,
    client: httpx.Client,
    now: datetime,
    allowed: Sequence[netguard.Network] = (),
    resolve: netguard.Resolver = netguard.system_resolver,
) -> None:
    """One delivery attempt. The URL is checked again first (``allowed``: the operator's
    private networks) and the request goes to the address that was checked."""
    endpoint = session.get(WebhookEndpointRecord, delivery.endpoint_id)
    if endpoint is None or not endpoint.active:
        delivery.status, delivery.last_error = "failed", "endpoint removed or disabled"
        return
    delivery.attempts += 1
    try:
        target = netguard.pinned_request(endpoint.url, allowed, resolve)
    except netguard.TargetNotAllowed as exc:
        # not retried: the endpoint's configuration (or its DNS) is what must change
        delivery.status, delivery.last_error = "failed", f"{exc.code}: {exc.message}"
        return
    headers = {
        "Content-Type": "application/json",
        "X-Reimburse-Event": delivery.event,
        "X-Reimburse-Delivery": str(delivery.id),
        "X-Reimburse-Signature": sign(endpoint.secret, int(now.timestamp()), delivery.body),
    }
    try:
        response = client.post(
            target.url,
            content=delivery.body.encode(),
            headers=headers | target.headers,
            extensions=target.extensions,
        )
        delivery.last_status_code = response.status_code
        ok = 200 <= response.status_code < 300
        delivery.last_error = None if ok else f"HTTP {response.status_code}"
    except httpx.HTTPError:
        # one message for refused, reset, timed out, TLS failure: the log must not tell an
        # admin which address and port of the network answered (a port scanner otherwise)
        ok, delivery.last_error = False, "no HTTP answer from the endpoint"
    if ok:
        delivery.status, delivery.delivered_at = "delivered", now
    elif delivery.attempts >= MAX_ATTEMPTS:
        delivery.status = "failed"
    else:
        # 10 s, 20 s, 40 s, ... about 21 minutes before the last try
        delivery.next_attempt_at = now + timedelta(seconds=10 * 2 ** (delivery.attempts - 1))


def due(session: Session, now: datetime, limit: int = 50) -> list[WebhookDeliveryRecord]:
    return list(
        session.scalars(
            select(WebhookDeliveryRecord)
            .where(WebhookDeliveryRecord.status == "pending", WebhookDeliveryRecord.next_attempt_at <= now)
            .order_by(WebhookDeliveryRecord.id)
            .limit(limit)
        )
    )


def replay(session: Session, delivery_id: int, now: datetime) -> WebhookDeliveryRecord:
    """Send a delivery again (e.g. after the receiver was fixed): a new attempt series."""
    delivery = session.get(WebhookDeliveryRecord, delivery_id)
    if delivery is None:
        raise NotFound(f"delivery {delivery_id} not found")
    delivery.status, delivery.attempts, delivery.next_attempt_at = "pending", 0, now
    return delivery


def delivery_view(d: WebhookDeliveryRecord) -> dict[str, Any]:
    return {
        "id": d.id,
        "endpoint_id": d.endpoint_id,
        "event": d.event,
        "status": d.status,
        "attempts": d.attempts,
        "last_status_code": d.last_status_code,
        "last_error": d.last_error,
        "next_attempt_at": d.next_attempt_at.isoformat(),
        "delivered_at": d.delivered_at.isoformat() if d.delivered_at else None,
    }


def endpoints(session: Session) -> list[dict[str, Any]]:
    rows = session.scalars(select(WebhookEndpointRecord).order_by(WebhookEndpointRecord.id))
    return [{"id": r.id, "url": r.url, "events": r.events, "active": r.active} for r in rows]


def deliveries(session: Session, limit: int) -> list[dict[str, Any]]:
    """The newest deliveries first: the delivery log admins read and replay from."""
    rows = session.scalars(
        select(WebhookDeliveryRecord).order_by(WebhookDeliveryRecord.id.desc()).limit(min(max(limit, 1), 500))
    )
    return [delivery_view(d) for d in rows]
