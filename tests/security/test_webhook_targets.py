"""Webhook targets: internal addresses are refused when saved and again at delivery."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from reimburse.core import netguard
from reimburse.core.db import utcnow
from reimburse.core.settings import Settings
from reimburse.webhooks import service as webhooks
from reimburse.webhooks.records import WebhookDeliveryRecord, WebhookEndpointRecord
from tests.api_helpers import demo_api, login
from tests.service.test_webhooks import Receiver

REFUSED = [
    "http://169.254.169.254/latest/meta-data/",
    "http://127.0.0.1:5432/",
    "http://[::1]:8000/hook",
    "http://2130706433/hook",  # 127.0.0.1 as one number
    "http://0x7f.1/hook",
    "http://0.0.0.0:80/",
    "http://localhost:8000/",
    "http://metadata.google.internal/computeMetadata/v1/",
    "http://[::ffff:169.254.169.254]/",
    "http://10.0.0.5/hook",  # private, not on the allow-list
    "http://192.168.1.10/hook",
    "http://[fd00::1]/hook",
    "http://user:pw@93.184.216.34/",
    "ftp://93.184.216.34/",
]


@pytest.mark.parametrize("url", REFUSED)
def test_internal_targets_are_refused_by_the_checker(url: str) -> None:
    with pytest.raises(netguard.TargetNotAllowed):
        netguard.check_url(url, ())


def test_public_and_listed_private_targets_are_accepted() -> None:
    public = netguard.check_url("https://93.184.216.34/hook", ())
    assert [a.compressed for a in public] == ["93.184.216.34"]
    listed = netguard.parse_networks("10.0.0.0/8, 127.0.0.1/32")
    assert netguard.check_url("http://10.0.0.5/hook", listed)
    assert netguard.check_url("http://127.0.0.1:9/hook", listed)
    # a listed network does not open its neighbours
    with pytest.raises(netguard.TargetNotAllowed):
        netguard.check_url("http://127.0.0.2:9/hook", listed)


def test_a_name_is_refused_when_any_of_its_addresses_is_internal() -> None:
    def resolve(host: str, port: int) -> list[str]:
        return ["93.184.216.34", "127.0.0.1"]

    with pytest.raises(netguard.TargetNotAllowed):
        netguard.check_url("https://hooks.example.net/x", (), resolve)


def test_the_api_refuses_internal_webhook_targets(migrated_engine: Engine, settings: Settings) -> None:
    with demo_api(migrated_engine, settings) as (client, _):
        admin = login(client, "admin")
        for url in [*REFUSED[:9], "http://10.0.0.5/hook"]:
            r = client.post(
                "/api/v1/admin/webhooks", headers=admin, json={"url": url, "events": ["claim.paid"]}
            )
            assert r.status_code == 422, (url, r.text)
            assert r.json()["error"]["code"] in ("target_not_allowed", "invalid_input"), url
        assert client.get("/api/v1/admin/webhooks", headers=admin).json()["items"] == []


def test_the_allow_list_admits_a_private_network(migrated_engine: Engine, settings: Settings) -> None:
    allowed = settings.model_copy(update={"webhook_allowed_networks": "10.0.0.0/8"})
    with demo_api(migrated_engine, allowed) as (client, _):
        admin = login(client, "admin")
        ok = client.post(
            "/api/v1/admin/webhooks",
            headers=admin,
            json={"url": "http://10.1.2.3/hook", "events": ["claim.paid"]},
        )
        assert ok.status_code == 201
        loop = client.post(
            "/api/v1/admin/webhooks",
            headers=admin,
            json={"url": "http://127.0.0.1/hook", "events": ["claim.paid"]},
        )
        assert loop.status_code == 422


def _pending_delivery(session: Session, url: str) -> WebhookDeliveryRecord:
    # stored directly: an endpoint saved before these checks existed, or whose DNS changed since
    from reimburse.core.outbox import OutboxRecord

    endpoint = WebhookEndpointRecord(url=url, secret="whsec_x", events=["claim.paid"])
    session.add(endpoint)
    outbox = OutboxRecord(kind="webhook", topic="claim.paid", payload={"claim_id": 1})
    session.add(outbox)
    session.flush()
    delivery = WebhookDeliveryRecord(
        endpoint_id=endpoint.id, outbox_id=outbox.id, event="claim.paid", body="{}", next_attempt_at=utcnow()
    )
    session.add(delivery)
    session.flush()
    return delivery


def test_delivery_checks_the_target_again_and_sends_nothing_inside(session: Session) -> None:
    receiver = Receiver()
    try:
        delivery = _pending_delivery(session, receiver.url + "/hook")
        with httpx.Client(timeout=5) as http:
            webhooks.attempt(session, delivery, http, utcnow())  # no allow-list
        assert receiver.received == []
        assert delivery.status == "failed" and delivery.attempts == 1
        assert delivery.last_error is not None and delivery.last_error.startswith("target_not_allowed")
        # with the loopback listed, the same endpoint is delivered to (the check is not a blanket no)
        delivery.status = "pending"
        with httpx.Client(timeout=5) as http:
            webhooks.attempt(session, delivery, http, utcnow(), netguard.parse_networks("127.0.0.1/32"))
        assert delivery.status == "delivered" and len(receiver.received) == 1
        assert receiver.received[0][1]["Host"] == receiver.url.removeprefix("http://")
    finally:
        receiver.close()


def test_a_name_that_rebinds_to_loopback_after_saving_is_not_delivered(session: Session) -> None:
    receiver = Receiver()
    try:
        port = receiver.url.rsplit(":", 1)[1]
        delivery = _pending_delivery(session, f"http://hooks.example.net:{port}/hook")
        answers = iter([["93.184.216.34"], ["127.0.0.1"]])

        def resolve(host: str, p: int) -> list[str]:
            return next(answers)

        assert netguard.check_url(f"http://hooks.example.net:{port}/hook", (), resolve)  # saved: public
        with httpx.Client(timeout=5) as http:
            webhooks.attempt(session, delivery, http, utcnow(), (), resolve)  # now loopback
        assert receiver.received == [] and delivery.status == "failed"
    finally:
        receiver.close()


def test_delivery_errors_do_not_tell_which_internal_port_answered(session: Session) -> None:
    closed = _pending_delivery(session, "http://127.0.0.1:9/hook")  # nothing listens: refused
    receiver = Receiver()
    try:
        # a listener that closes without an HTTP answer
        import socket

        silent = socket.socket()
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        quiet = _pending_delivery(session, f"http://127.0.0.1:{silent.getsockname()[1]}/hook")
        local = netguard.parse_networks("127.0.0.1/32")
        with httpx.Client(timeout=0.5) as http:
            webhooks.attempt(session, closed, http, utcnow(), local)
            webhooks.attempt(session, quiet, http, utcnow(), local)
        silent.close()
        assert closed.last_error == quiet.last_error == "no HTTP answer from the endpoint"
        assert closed.last_status_code is None and quiet.last_status_code is None
    finally:
        receiver.close()
