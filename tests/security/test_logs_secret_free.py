"""SQL errors are logged without their bound values; ``--workers N`` keeps the JSON log format."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, insert
from sqlalchemy.orm import Session

from reimburse.api.app import create_app
from reimburse.core.db import make_engine
from reimburse.core.settings import Settings
from reimburse.identity.records import UserRecord
from tests.api_helpers import wipe

MARKER = "argon2-HASH-that-must-not-be-logged"


def test_a_database_error_is_logged_without_the_values(
    migrated_engine: Engine, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    wipe(migrated_engine)
    app = create_app(settings)

    def clash() -> None:  # two users with one name: the database refuses the second
        with Session(app.state.engine) as s:
            row = {"username": MARKER, "display_name": MARKER, "password_hash": MARKER, "roles": []}
            s.execute(insert(UserRecord), [row])
            s.execute(insert(UserRecord), [row])
            s.commit()

    app.add_api_route("/api/v1/test-clash", clash, methods=["POST"])
    try:
        with caplog.at_level(logging.DEBUG):
            r = TestClient(app, raise_server_exceptions=False).post("/api/v1/test-clash")
        assert r.status_code == 409
        assert caplog.records  # the refusal was logged...
        assert MARKER not in caplog.text  # ...without the values
        engine = make_engine(settings.sqlalchemy_url)
        try:
            with Session(engine) as s:
                s.execute(insert(UserRecord), [{"username": MARKER, "display_name": "x", "roles": []}] * 2)
                s.commit()
        except Exception as exc:  # the exception text (what a traceback prints) has no parameters
            assert "[parameters:" not in str(exc) and "hide_parameters" in str(exc)
        else:
            pytest.fail("the duplicate was accepted")
        engine.dispose()
    finally:
        wipe(migrated_engine)


def test_every_worker_process_logs_json(tmp_path: Path) -> None:
    # uvicorn imports this factory in each of --workers N processes
    code = (
        "import logging; from reimburse.api.app import served_app; served_app();"
        "logging.getLogger('reimburse.test').warning('hello from a worker')"
    )
    env = {**os.environ, "REIMBURSE_ENVIRONMENT": "development", "REIMBURSE_DATA_DIR": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    line = json.loads(out.stdout.strip().splitlines()[-1])
    assert line["msg"] == "hello from a worker" and line["level"] == "warning"
