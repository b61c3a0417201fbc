"""Outgoing webhooks and notifications against a real local HTTP server (no mocks)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine

from reimburse.core.db import utcnow
from reimburse.core.settings import Settings
from reimburse.jobs import periodic as background
from reimburse.jobs.tasks import dispatcher_for
from reimburse.webhooks import service as webhooks
from tests.allowance_items import per_diem
from tests.api_helpers import demo_api, login


class Receiver:
    """A local HTTP server that records what it receives; answers 500 for the first ``fail`` posts."""

    def __init__(self, fail: int = 0) -> None:
        self.received: list[tuple[str, dict[str, str], str]] = []
        self.fail = fail
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                outer.received.append((self.path, dict(self.headers), body))
                failing = outer.fail > 0 and self.path.startswith("/hook")
                outer.fail -= 1 if failing else 0
                self.send_response(500 if failing else 200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"errcode":0,"errmsg":"ok"}')

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture()
def receiver() -> Iterator[Receiver]:
    r = Receiver(fail=1)
    yield r
    r.close()


def test_approved_and_paid_claims_reach_subscribers_signed_retried_and_replayable(
    migrated_engine: Engine, settings: Settings, receiver: Receiver
) -> None:
    # the receiver listens on loopback: the operator's allow-list lets webhooks reach it
    bot_settings = settings.model_copy(
        update={"wecom_webhook": receiver.url + "/wecom", "webhook_allowed_networks": "127.0.0.1/32"}
    )
    local = bot_settings.webhook_networks
    with demo_api(migrated_engine, bot_settings) as (client, demo), httpx.Client(timeout=5) as http:
        admin, alice, lead = login(client, "admin"), login(client, "alice"), login(client, "teamlead")
        assert (
            client.post(
                "/api/v1/admin/webhooks", headers=alice, json={"url": receiver.url, "events": ["claim.paid"]}
            ).status_code
            == 403
        )
        made = client.post(
            "/api/v1/admin/webhooks",
            headers=admin,
            json={"url": receiver.url + "/hook", "events": ["claim.approved", "claim.paid"]},
        )
        assert made.status_code == 201
        secret = made.json()["secret"]
        item = per_diem("600.00", utcnow().date().isoformat())
        claim = client.post("/api/v1/claims", headers=alice, json={"purpose": "出差", "items": [item]}).json()
        client.post(f"/api/v1/claims/{claim['id']}/submit", headers=alice)
        now = utcnow()
        background.drain_outbox(migrated_engine, now, dispatcher_for(bot_settings), http)
        wecom = [json.loads(b) for p, _, b in receiver.received if p == "/wecom"]
        assert wecom and wecom[0]["msgtype"] in ("markdown", "text")  # the head was told a task waits
        for holder in ("teamlead", "finrev", "gm"):
            who = login(client, holder)
            items = client.get("/api/v1/inbox", headers=who).json()["items"]
            if any(i["claim"]["id"] == claim["id"] for i in items):
                assert (
                    client.post(
                        f"/api/v1/claims/{claim['id']}/actions", headers=who, json={"action": "approve"}
                    ).status_code
                    == 200
                )
        assert client.get(f"/api/v1/claims/{claim['id']}", headers=lead).json()["status"] == "approved"
        now = utcnow()
        background.drain_outbox(migrated_engine, now, None, http, local)
        hooks = [(h, b) for p, h, b in receiver.received if p == "/hook"]
        assert len(hooks) == 1  # the first try got a 500
        log = client.get("/api/v1/admin/webhooks/deliveries", headers=admin).json()["items"]
        assert log[0]["status"] == "pending" and log[0]["attempts"] == 1 and log[0]["last_status_code"] == 500
        # the backoff has elapsed
        background.drain_outbox(migrated_engine, now + timedelta(minutes=1), None, http, local)
        hooks = [(h, b) for p, h, b in receiver.received if p == "/hook"]
        assert len(hooks) == 2
        headers, body = hooks[-1]
        assert (
            json.loads(body)["type"] == "claim.approved"
            and json.loads(body)["data"]["claim_id"] == claim["id"]
        )
        assert headers["X-Reimburse-Event"] == "claim.approved"
        signature = headers["X-Reimburse-Signature"]
        assert webhooks.verify(secret, signature, body, int(now.timestamp()) + 60)
        assert not webhooks.verify("whsec_wrong", signature, body, int(now.timestamp()) + 60)
        assert not webhooks.verify(secret, signature, body + " ", int(now.timestamp()) + 60)
        log = client.get("/api/v1/admin/webhooks/deliveries", headers=admin).json()["items"]
        assert log[0]["status"] == "delivered"
        replayed = client.post(f"/api/v1/admin/webhooks/deliveries/{log[0]['id']}/replay", headers=admin)
        assert replayed.json()["status"] == "pending"
        background.drain_outbox(migrated_engine, utcnow() + timedelta(minutes=2), None, http, local)
        assert len([1 for p, _, _ in receiver.received if p == "/hook"]) == 3
        payroll = {"Authorization": f"Bearer {demo['payroll_api_key']}"}
        client.post(f"/api/v1/payouts/{claim['id']}/paid", headers=payroll, json={"reference": "SAL-1"})
        background.drain_outbox(migrated_engine, utcnow() + timedelta(minutes=3), None, http, local)
        types = [json.loads(b)["type"] for p, _, b in receiver.received if p == "/hook"]
        assert types[-1] == "claim.paid"


def test_due_sla_timers_fire_after_a_restart(migrated_engine: Engine, settings: Settings) -> None:
    """Timers live in the database: a new process fires them when they are due."""
    with demo_api(migrated_engine, settings) as (client, _):
        alice = login(client, "alice")
        item = per_diem("500.00", utcnow().date().isoformat())
        claim = client.post("/api/v1/claims", headers=alice, json={"purpose": "出差", "items": [item]}).json()
        client.post(f"/api/v1/claims/{claim['id']}/submit", headers=alice)
        assert background.fire_timers(migrated_engine, utcnow()) == 0  # nothing due yet
        # two days later the head has not acted: the reminder and the forward to their manager fire
        fired = background.fire_timers(migrated_engine, utcnow() + timedelta(days=2, hours=1))
        assert fired >= 1
        body = client.get(f"/api/v1/claims/{claim['id']}", headers=alice).json()
        assert [e["action"] for e in body["timeline"]] == ["submit", "sla_remind", "sla_forward_manager"]
        saleshead = login(client, "saleshead")  # the team lead's manager now holds the task
        assert claim["id"] in [
            i["claim"]["id"] for i in client.get("/api/v1/inbox", headers=saleshead).json()["items"]
        ]
