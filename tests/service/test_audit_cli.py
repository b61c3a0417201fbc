"""`reimburse audit verify`: an intact chain passes; an edited or deleted entry is reported."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text
from typer.testing import CliRunner

from reimburse.cli import app
from reimburse.core.settings import Settings, get_settings
from tests.allowance_items import per_diem
from tests.api_helpers import demo_api, login


def _verify(monkeypatch: pytest.MonkeyPatch, url: str, *args: str, data_dir: Path | None = None) -> Any:
    monkeypatch.setenv("REIMBURSE_DATABASE_URL", url)
    monkeypatch.setenv("REIMBURSE_ENVIRONMENT", "test")  # a development key is made under the data dir
    if data_dir is not None:  # where the development audit key lives (not ./var of the checkout)
        monkeypatch.setenv("REIMBURSE_DATA_DIR", str(data_dir))
    get_settings.cache_clear()  # the command reads the environment, as in production
    try:
        return CliRunner().invoke(app, ["audit", "verify", *args])
    finally:
        get_settings.cache_clear()


def test_audit_verify_finds_edits_and_deletions(
    migrated_engine: Engine, settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    url = migrated_engine.url.render_as_string(hide_password=False)
    with demo_api(migrated_engine, settings) as (client, _):
        alice, lead = login(client, "alice"), login(client, "teamlead")
        item = per_diem("300.00", "2026-11-20")
        claim = client.post("/api/v1/claims", headers=alice, json={"purpose": "出差", "items": [item]}).json()
        client.post(f"/api/v1/claims/{claim['id']}/submit", headers=alice)
        client.post(
            f"/api/v1/claims/{claim['id']}/actions", headers=lead, json={"action": "comment", "comment": "ok"}
        )
        ok = _verify(monkeypatch, url, data_dir=tmp_path)
        assert ok.exit_code == 0 and "intact" in ok.stdout
        with migrated_engine.begin() as conn:
            conn.execute(text("UPDATE audit_entries SET comment = 'changed later' WHERE seq = 2"))
        edited = _verify(monkeypatch, url, "--claim", str(claim["id"]), data_dir=tmp_path)
        assert edited.exit_code == 1 and f"claim {claim['id']}" in edited.stdout
        with migrated_engine.begin() as conn:
            conn.execute(text("UPDATE audit_entries SET comment = 'ok' WHERE seq = 2"))
        assert _verify(monkeypatch, url, data_dir=tmp_path).exit_code == 0
        with migrated_engine.begin() as conn:
            conn.execute(text("DELETE FROM audit_entries WHERE seq = 1"))
        assert _verify(monkeypatch, url, data_dir=tmp_path).exit_code == 1
