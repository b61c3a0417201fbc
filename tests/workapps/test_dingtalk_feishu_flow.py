"""DingTalk and Feishu end to end over HTTP both ways (service under uvicorn, fakes on loopback):
sign-in, the approver's interactive card, approve pressed in a signed and encrypted callback,
the card updated, the submitter's outcome message, a replay refused, and the leave event."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from reimburse.identity.records import UserRecord
from reimburse.routing.records import AuditEntryRecord
from reimburse.workapps import jobs
from tests.workapps.fake_dingtalk import FakeDingTalk
from tests.workapps.fake_feishu import FakeFeishu
from tests.workapps.harness import (
    DEMO_DEPARTMENTS,
    DEMO_MEMBERS,
    NAMES,
    browser_sign_in,
    running_service,
    wait_for,
)
from tests.workapps.test_wecom_flow import _submit

PLATFORMS = {"dingtalk": (FakeDingTalk, "dt_", "钉钉"), "feishu": (FakeFeishu, "fs_", "飞书")}


@pytest.fixture(params=sorted(PLATFORMS))
def stack(
    request: pytest.FixtureRequest, migrated_engine: Engine, database_url: str, tmp_path: Path
) -> Iterator[dict[str, Any]]:
    make, prefix, label = PLATFORMS[request.param]
    fake = make().start()
    members = {u: (d, {"name": NAMES[u], "email": f"{u}@example.com"}) for u, d in DEMO_MEMBERS.items()}
    fake.set_directory(DEMO_DEPARTMENTS, members)
    try:
        with running_service(migrated_engine, database_url, tmp_path, fake.settings()) as (base, settings):
            (report,) = jobs.directory_sync(settings)
            yield {"platform": request.param, "fake": fake, "prefix": prefix, "label": label, "base": base,
                   "settings": settings, "engine": migrated_engine, "report": report}  # fmt: skip
    finally:
        fake.stop()


def test_sign_in_card_approval_outcome_and_leave(stack: dict[str, Any]) -> None:
    platform, fake, p, base, settings = (stack[k] for k in ("platform", "fake", "prefix", "base", "settings"))
    callback = f"{base}/api/v1/workapps/{platform}/callback"
    assert sorted(stack["report"].linked) == sorted(DEMO_MEMBERS)

    fake.signed_in = f"{p}alice"
    status, session = browser_sign_in(base, platform, qr=True)
    assert status == 303 and isinstance(session, dict), session
    assert session["user"]["username"] == "alice"
    token = session["token"]
    claim_id = _submit(base, token)

    jobs.housekeeping(settings)
    cards = [(ref, c) for ref, c in fake.cards.items() if c["touser"] == f"{p}teamlead"]
    assert len(cards) == 1
    ref, _ = cards[0]
    r = fake.click(callback, f"{p}teamlead", ref, "approve")
    assert r.status_code == 200, r.text
    assert r.headers["x-reimburse-outcome"] == f"approved claim {claim_id}"
    wait_for(lambda: fake.cards[ref]["final"])
    assert fake.cards[ref]["final"].startswith("已同意")
    with Session(stack["engine"]) as s:
        entry = s.scalars(
            select(AuditEntryRecord).where(
                AuditEntryRecord.claim_id == claim_id, AuditEntryRecord.action == "approve"
            )
        ).one()
        assert f"[{stack['label']}]" in entry.comment

    # the same delivery again: a replay changes nothing and says so
    if platform == "dingtalk":
        q, body = fake.last_callback
        replayed = httpx.post(callback, params=q, content=body)
    else:
        headers, body = fake.last_callback
        replayed = httpx.post(callback, headers=headers, content=body)
    assert replayed.headers["x-reimburse-outcome"] == "replayed callback: nothing changed"

    for _ in range(5):  # every further step from its card, until the claim is decided
        jobs.housekeeping(settings)
        open_cards = [(ref, c) for ref, c in fake.cards.items() if c["final"] is None]
        if not open_cards:
            break
        for ref, c in open_cards:
            assert fake.click(callback, c["touser"], ref, "approve").status_code == 200
    me = {"Authorization": f"Bearer {token}"}
    assert httpx.get(f"{base}/api/v1/claims/{claim_id}", headers=me).json()["status"] == "approved"
    jobs.housekeeping(settings)
    outcome = fake.outcome_titles(f"{p}alice")
    assert ("报销单已通过", f"{base}/claims/{claim_id}") in outcome

    r = fake.leave(callback, f"{p}alice")
    assert r.status_code == 200
    assert httpx.get(f"{base}/api/v1/me", headers=me).status_code == 401
    with Session(stack["engine"]) as s:
        assert not s.scalars(select(UserRecord).where(UserRecord.username == "alice")).one().active


def test_strangers_and_forged_callbacks_are_refused(stack: dict[str, Any]) -> None:
    platform, fake, base = stack["platform"], stack["fake"], stack["base"]
    fake.signed_in = None
    status, page = browser_sign_in(base, platform)
    assert status == 403 and "only members of the company" in str(page)
    r = httpx.post(
        f"{base}/api/v1/workapps/{platform}/callback",
        content=b'{"encrypt": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}',
        headers={"Content-Type": "application/json", "X-Lark-Signature": "0" * 64},
        params={"signature": "0" * 40, "timestamp": "1", "nonce": "n"},
    )
    assert r.status_code == 403 and r.json()["error"]["code"] == "callback_refused"


@pytest.mark.parametrize("stack", ["dingtalk"], indirect=True)
def test_reject_from_a_dingtalk_card_needs_a_reason_and_tells_the_submitter(stack: dict[str, Any]) -> None:
    fake, p, base, settings = stack["fake"], stack["prefix"], stack["base"], stack["settings"]
    callback = f"{base}/api/v1/workapps/dingtalk/callback"
    fake.signed_in = f"{p}alice"
    _, session = browser_sign_in(base, "dingtalk")
    assert isinstance(session, dict)
    claim_id = _submit(base, session["token"])
    jobs.housekeeping(settings)
    ((ref, card),) = [(r, c) for r, c in fake.cards.items() if c["touser"] == f"{p}teamlead"]
    assert card["data"]["review_url"] == f"{base}/inbox/{claim_id}"
    r = fake.click(callback, f"{p}teamlead", ref, "reject")
    assert r.headers["x-reimburse-outcome"] == "a rejection needs a reason: open the claim to reject it"
    r = fake.click(callback, f"{p}teamlead", ref, "reject", comment="发票抬头不对")
    assert r.headers["x-reimburse-outcome"] == f"rejected claim {claim_id}"
    wait_for(lambda: fake.cards[ref]["final"])
    assert fake.cards[ref]["final"].startswith("已驳回")
    jobs.housekeeping(settings)
    texts = [t for t in fake.texts if t["touser"] == f"{p}alice" and t["title"] == "报销单已驳回"]
    assert texts and "发票抬头不对" in texts[0]["markdown"]


def test_callback_url_check(stack: dict[str, Any]) -> None:
    fake, platform, base = stack["fake"], stack["platform"], stack["base"]
    url = f"{base}/api/v1/workapps/{platform}/callback"
    if platform == "feishu":
        from tests.workapps.fake_feishu import TOKEN

        r = fake.post_event(url, {"type": "url_verification", "challenge": "c-4711", "token": TOKEN})
        assert r.status_code == 200 and r.json() == {"challenge": "c-4711"}
        r = fake.post_event(url, {"type": "url_verification", "challenge": "c-4711", "token": "not-it"})
        assert r.status_code == 403
    else:
        r = fake.post_event(url, {"EventType": "check_url"})  # the fake checks the encrypted "success"
        assert r.status_code == 200
