"""Security headers on every answer; stored files served as attachments; only invoice XML."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from sqlalchemy import Engine

from reimburse.api.web import WEB
from reimburse.core.settings import Settings
from tests.api_helpers import demo_api, login

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def _assert_common(headers: dict[str, str] | object) -> None:
    h = headers  # httpx.Headers: case-insensitive
    assert h["x-content-type-options"] == "nosniff"  # type: ignore[index]
    assert h["x-frame-options"] == "DENY"  # type: ignore[index]
    assert h["referrer-policy"] == "no-referrer"  # type: ignore[index]
    csp = h["content-security-policy"]  # type: ignore[index]
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp


def test_every_answer_carries_the_security_headers(migrated_engine: Engine, settings: Settings) -> None:
    with demo_api(migrated_engine, settings) as (client, _):
        for url in ("/", "/app/app.js", "/healthz", "/api/v1/no-such-route", "/claims/3"):
            _assert_common(client.get(url).headers)
        shell_csp = client.get("/").headers["content-security-policy"]
        assert "script-src 'self';" in shell_csp and "unsafe-inline" not in shell_csp
        signed_in = client.post("/api/v1/auth/login", json={"username": "alice", "password": "demo-pass-123"})
        assert signed_in.status_code == 200
        _assert_common(signed_in.headers)
        assert signed_in.headers["cache-control"] == "no-store"  # the answer carries a token
        refused = client.post("/api/v1/auth/login", json={"username": "alice", "password": "wrong-one"})
        assert refused.headers["cache-control"] == "no-store"
        _assert_common(refused.headers)
        me = client.get("/api/v1/me", headers=login(client, "alice"))
        assert me.headers["cache-control"] == "no-store"


class _Inline(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {k for k, _ in attrs}
        self.problems += [f"{tag} {k}=" for k in names if k.startswith("on") or k == "style"]
        if tag == "script" and "src" not in names:
            self.problems.append("inline <script>")
        if tag == "style":
            self.problems.append("inline <style>")
        self.problems += [
            f"{tag} javascript: URL" for _, v in attrs if v and v.strip().lower().startswith("javascript:")
        ]


def test_the_app_shell_has_no_inline_script_style_or_handler() -> None:
    parser = _Inline()
    parser.feed((WEB / "index.html").read_text())
    assert parser.problems == []
    # nor does any module set a style attribute (refused by the policy) or build markup from text
    for path in WEB.glob("*.js"):
        source = path.read_text()
        assert not re.search(
            r"setAttribute\(\s*[\"']style|\.innerHTML\s*=|insertAdjacentHTML|eval\(", source
        ), path


def test_stored_files_are_attachments_and_only_invoice_xml_is_accepted(
    migrated_engine: Engine, settings: Settings
) -> None:
    with demo_api(migrated_engine, settings) as (client, _):
        alice = login(client, "alice")
        hostile = {
            "page.xml": b"<html><body><script>alert(document.cookie)</script></body></html>",
            "image.xml": b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
            "doc.xml": b"<!DOCTYPE html><html><script>alert(1)</script></html>",
            "other.xml": b"<?xml version='1.0'?><catalog><book/></catalog>",
        }
        for name, data in hostile.items():
            r = client.post(
                "/api/v1/documents", headers=alice, files=[("files", (name, data, "application/xml"))]
            )
            assert r.status_code == 415, (name, r.text)
            assert r.json()["error"]["code"] == "unsupported_format"
        invoice = next(SAMPLES.glob("*.xml")).read_bytes()
        up = client.post(
            "/api/v1/documents",
            headers=alice,
            files=[("files", ("发票;1.xml", invoice, "application/xml"))],
        )
        assert up.status_code == 202, up.text
        doc_id = up.json()["documents"][0]["id"]
        served = client.get(f"/api/v1/documents/{doc_id}/file", headers=alice)
        assert served.status_code == 200 and served.content == invoice
        disposition = served.headers["content-disposition"]
        assert disposition.startswith("attachment;")
        assert "filename*=UTF-8''%E5%8F%91%E7%A5%A8%3B1.xml" in disposition
        assert 'filename="__' in disposition and ";1.xml" not in disposition  # no header injection
        assert served.headers["x-content-type-options"] == "nosniff"
