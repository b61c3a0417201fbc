"""Running the audit commands as an operator would, against the test database and key."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from reimburse.cli import app
from reimburse.core.settings import Settings, get_settings
from tests import allowance_items as allowances
from tests.api_helpers import login


def cli(monkeypatch: pytest.MonkeyPatch, settings: Settings, *args: str) -> Any:
    """``reimburse ARGS`` with the environment pointing at the test database and data dir (where
    the development signing key lives), as in production."""
    monkeypatch.setenv("REIMBURSE_DATABASE_URL", settings.sqlalchemy_url)
    monkeypatch.setenv("REIMBURSE_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("REIMBURSE_ENVIRONMENT", "test")
    get_settings.cache_clear()
    try:
        return CliRunner().invoke(app, list(args))
    finally:
        get_settings.cache_clear()


def act(client: TestClient, who: dict[str, str], claim_id: int, action: str, **extra: Any) -> Any:
    return client.post(f"/api/v1/claims/{claim_id}/actions", headers=who, json={"action": action, **extra})


def inbox_ids(client: TestClient, who: dict[str, str]) -> list[int]:
    return [i["claim"]["id"] for i in client.get("/api/v1/inbox", headers=who).json()["items"]]


def approve_all(client: TestClient, claim_id: int, skip: tuple[str, ...] = ()) -> None:
    """Whoever has the claim in their inbox approves it, until nobody has (``skip``: leavers)."""
    names = ("teamlead", "saleshead", "finrev", "findir", "gm", "ceo")
    people = {u: login(client, u) for u in names if u not in skip}
    for _ in range(10):
        holders = [h for h in people.values() if claim_id in inbox_ids(client, h)]
        if not holders:
            return
        r = act(client, holders[0], claim_id, "approve")
        assert r.status_code == 200, r.text


def per_diem(amount: str, day: str) -> dict[str, Any]:
    """A per-diem allowance that comes to ``amount`` (computed from its city tier and days)."""
    item = allowances.per_diem(amount, day)
    return {**item, "description": f"{item['days']} day(s) away"}


def new_claim(
    client: TestClient, who: dict[str, str], *items: dict[str, Any], **extra: Any
) -> dict[str, Any]:
    body = {"purpose": "拜访客户", "items": list(items), **extra}
    r = client.post("/api/v1/claims", headers=who, json=body)
    assert r.status_code == 201, r.text
    return dict(r.json())


def submit(client: TestClient, who: dict[str, str], claim_id: int) -> dict[str, Any]:
    r = client.post(f"/api/v1/claims/{claim_id}/submit", headers=who)
    assert r.status_code == 200, r.text
    return dict(r.json())
