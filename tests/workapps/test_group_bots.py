"""Group bots keep working, and their messages now name the step and the approver and link
to the claim (``REIMBURSE_PUBLIC_URL``)."""

from __future__ import annotations

import httpx
from sqlalchemy import Engine

from reimburse.core.db import utcnow
from reimburse.core.settings import Settings
from reimburse.jobs import periodic as background
from reimburse.jobs.tasks import dispatcher_for
from tests.allowance_items import per_diem
from tests.api_helpers import demo_api, login
from tests.workapps.fakebase import FakeServer, Req, Resp


def test_group_bot_message_has_link_step_and_approver(migrated_engine: Engine, settings: Settings) -> None:
    bot = FakeServer()
    got: list[dict[str, object]] = []

    def receive(req: Req) -> Resp:
        got.append(req.json())
        return Resp(200, {"errcode": 0, "errmsg": "ok"})

    bot.routes[("POST", "/cgi-bin/webhook/send")] = receive
    bot.start()
    try:
        bot_settings = settings.model_copy(
            update={
                "wecom_webhook": bot.base + "/cgi-bin/webhook/send?key=k",
                "public_url": "https://bx.example.com",
            }
        )
        with demo_api(migrated_engine, bot_settings) as (client, _), httpx.Client(timeout=5) as http:
            alice = login(client, "alice")
            item = per_diem("600.00", utcnow().date().isoformat())
            claim = client.post(
                "/api/v1/claims", headers=alice, json={"purpose": "出差", "items": [item]}
            ).json()
            assert client.post(f"/api/v1/claims/{claim['id']}/submit", headers=alice).status_code == 200
            background.drain_outbox(migrated_engine, utcnow(), dispatcher_for(bot_settings), http)
    finally:
        bot.stop()
    (message,) = got
    content = message["markdown"]["content"]  # type: ignore[index]
    assert f"[查看报销单](https://bx.example.com/claims/{claim['id']})" in content
    assert "环节：" in content and "审批人：吴组长" in content
