"""Every route, walked with out-of-range ids, hand-made cursors and absurd values: never a 500.

The routes and their parameters come from the OpenAPI document, so a new route is walked too.
Runs on SQLite by default and on PostgreSQL with ``REIMBURSE_TEST_DATABASE_URL`` (ids past
2^31 overflow PostgreSQL's integer, past 2^63 SQLite's).
"""

from __future__ import annotations

import base64
import itertools
import json
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from reimburse.core.settings import Settings
from tests.api_helpers import demo_api, login

HUGE_INTS = [2**31, 2**63, 10**30, -(2**63) - 1, -1]
CURSORS = [
    "",
    "x",
    base64.urlsafe_b64encode(json.dumps(["9999-12-31T00:00:00", 2**63, 2**63]).encode()).decode(),
    base64.urlsafe_b64encode(json.dumps([None, "a", {}]).encode()).decode(),
    base64.urlsafe_b64encode(b"\xff\xfe").decode(),
    str(2**64),
]
ABSURD_STRINGS = ["9999-12-31", "0001-01-01", "9999-12", "x" * 300, "\x00", "NaN"]


def _resolve(schema: dict[str, Any], doc: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        schema = doc["components"]["schemas"][name]
    if "anyOf" in schema:
        options = [o for o in schema["anyOf"] if o.get("type") != "null"]
        return _resolve(options[0], doc) if options else {}
    if "allOf" in schema:
        return _resolve(schema["allOf"][0], doc)
    return schema


def _sample(schema: dict[str, Any], doc: dict[str, Any], value: Any, depth: int = 0) -> Any:
    """A body of the schema's shape where every integer is ``value[0]`` and every string ``value[1]``."""
    schema = _resolve(schema, doc)
    kind = schema.get("type")
    if depth > 4:
        return None
    if kind == "object" or "properties" in schema:
        return {k: _sample(v, doc, value, depth + 1) for k, v in schema.get("properties", {}).items()}
    if kind == "array":
        return [_sample(schema.get("items", {}), doc, value, depth + 1)]
    if kind == "integer":
        return value[0]
    if kind == "number":
        return value[0]
    if kind == "string":
        if "enum" in schema:
            return schema["enum"][0]
        if schema.get("format") == "date":
            return value[1] if value[1][:1].isdigit() else "9999-12-31"
        return value[1]
    if kind == "boolean":
        return True
    return value[0]


def _operations(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, op)
        for path, ops in doc["paths"].items()
        for method, op in ops.items()
        if path.startswith("/api/") and path not in ("/api/v1/auth/login", "/api/v1/auth/session")
    ]


def _calls(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any], Any]]:
    calls: list[tuple[str, str, dict[str, Any], Any]] = []
    for method, path, op in _operations(doc):
        params = op.get("parameters", [])
        in_path = [p for p in params if p["in"] == "path"]
        in_query = [p for p in params if p["in"] == "query"]
        body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
        for n in HUGE_INTS:
            url = path
            for p in in_path:
                url = url.replace("{" + p["name"] + "}", str(n))
            calls.append((method, url, {}, _sample(body, doc, (1, "x")) if body else None))
        real = path
        for p in in_path:
            real = real.replace("{" + p["name"] + "}", "1")
        for p in in_query:
            kind = _resolve(p.get("schema", {}), doc).get("type")
            values: list[Any] = HUGE_INTS if kind == "integer" else CURSORS + ABSURD_STRINGS
            calls.extend((method, real, {p["name"]: v}, None) for v in values)
        if body:
            for value in itertools.product(HUGE_INTS[:3], ABSURD_STRINGS):
                calls.append((method, real, {}, _sample(body, doc, value)))
    return calls


def _walk(client: TestClient, headers: dict[str, str]) -> tuple[int, list[str]]:
    doc = client.get("/openapi.json").json()
    failures = []
    calls = _calls(doc)
    for method, url, query, body in calls:
        r = client.request(method, url, params=query, json=body, headers=headers)
        if r.status_code >= 500:
            failures.append(
                f"{method} {url} {query} {json.dumps(body)[:120]} -> {r.status_code} {r.text[:120]}"
            )
    return len(calls), failures


def test_every_route_answers_hostile_ids_cursors_and_values_without_a_500(
    migrated_engine: Engine, settings: Settings
) -> None:
    with demo_api(migrated_engine, settings) as (signed_in, demo):
        client = TestClient(signed_in.app, raise_server_exceptions=False)  # a 500 is an answer here
        for headers in (login(signed_in, "admin"), {"Authorization": f"Bearer {demo['payroll_api_key']}"}):
            count, failures = _walk(client, headers)
            assert count > 500  # the walk did reach the routes
            assert failures == [], "\n".join(failures)
