"""Structured logs: JSON lines with the request id the response carries."""

from __future__ import annotations

import json
import logging

import pytest
from fastapi.testclient import TestClient

from reimburse.api.app import create_app
from reimburse.core.logs import JsonFormatter
from reimburse.core.settings import Settings


def test_each_request_logs_one_json_line_with_its_id(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    with (
        caplog.at_level(logging.INFO, logger="reimburse.request"),
        TestClient(create_app(settings)) as client,
    ):
        r = client.get("/healthz", headers={"X-Request-Id": "abc123"})
    assert r.headers["X-Request-Id"] == "abc123"
    record = next(rec for rec in caplog.records if rec.name == "reimburse.request")
    line = json.loads(JsonFormatter().format(record))  # formatted outside the request: no id here
    assert line["msg"] == "GET /healthz 200"
    assert (line["method"], line["path"], line["status"], line["level"]) == ("GET", "/healthz", 200, "info")
    assert isinstance(line["ms"], float)
