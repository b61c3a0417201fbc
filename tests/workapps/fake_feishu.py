"""A local Feishu (飞书) following the documented API; its callbacks are encrypted and signed."""

from __future__ import annotations

import json
import secrets
import time
from typing import Any
from urllib.parse import urlencode

import httpx

from reimburse.workapps import crypto
from tests.workapps.fakebase import FakeServer, Req, Resp

TENANT = "fake-tenant-key-01"
APP_ID = "cli_fakeapp0001"
APP_SECRET = "fake-feishu-app-secret-0123456789"
TOKEN = "fsVerificationToken"
ENCRYPT_KEY = "fs-encrypt-key-0001"


def _err(status: int, code: int, msg: str) -> Resp:
    return Resp(status, {"code": code, "msg": msg})


class FakeFeishu(FakeServer):
    def __init__(self) -> None:
        super().__init__()
        self.tokens: set[str] = set()
        self.codes: dict[str, str | None] = {}
        self.user_tokens: dict[str, str | None] = {}
        self.signed_in: str | None = None
        self.departments: dict[str, dict[str, Any]] = {}
        self.users: dict[str, dict[str, Any]] = {}
        self.messages: dict[str, dict[str, Any]] = {}  # message_id -> {touser, card}
        self.last_callback: tuple[dict[str, str], bytes] = ({}, b"")
        r = self.routes
        r[("POST", "/open-apis/auth/v3/tenant_access_token/internal")] = self.tenant_token
        r[("GET", "/open-apis/authen/v1/authorize")] = self.authorize
        r[("POST", "/open-apis/authen/v2/oauth/token")] = self.oauth_token
        r[("GET", "/open-apis/authen/v1/user_info")] = self.user_info
        r[("POST", "/open-apis/im/v1/messages")] = self.send
        r[("PATCH", "/open-apis/im/v1/messages/*")] = self.patch
        r[("GET", "/open-apis/contact/v3/departments/0/children")] = self.children
        r[("GET", "/open-apis/contact/v3/users/find_by_department")] = self.find_by_department

    def settings(self) -> dict[str, str]:
        return {
            "feishu_corp_id": TENANT,
            "feishu_agent_id": APP_ID,
            "feishu_app_secret": APP_SECRET,
            "feishu_token": TOKEN,
            "feishu_aes_key": ENCRYPT_KEY,
            "feishu_api_base": self.base,
        }

    def set_directory(
        self, departments: list[tuple[int, str, int | None, str]], members: dict[str, Any]
    ) -> None:
        self.departments = {
            f"od-{i}": {"name": n, "parent": f"od-{p}" if p else "0", "leader": f"fs_{h}"}
            for i, n, p, h in departments
        }
        self.users = {
            f"fs_{u}": {"name": m["name"], "department_ids": [f"od-{d}"], "email": m["email"],
                        "status": {"is_resigned": False, "is_frozen": False, "is_activated": True}}
            for u, (d, m) in members.items()
        }  # fmt: skip

    def _ok(self, req: Req) -> bool:
        return req.headers.get("authorization", "").removeprefix("Bearer ") in self.tokens

    def tenant_token(self, req: Req) -> Resp:
        body = req.json()
        if body.get("app_id") != APP_ID or body.get("app_secret") != APP_SECRET:
            return _err(400, 10014, "app secret invalid")
        token = "t-" + secrets.token_hex(16)
        self.tokens.add(token)
        return Resp(200, {"code": 0, "msg": "ok", "tenant_access_token": token, "expire": 7200})

    def authorize(self, req: Req) -> Resp:
        if req.query.get("client_id") != APP_ID:
            return Resp(400, b"bad client_id", {"Content-Type": "text/plain"})
        code = secrets.token_urlsafe(12)
        self.codes[code] = self.signed_in
        target = req.query["redirect_uri"] + "?" + urlencode({"code": code, "state": req.query["state"]})
        return Resp(302, b"", {"Location": target, "Content-Type": "text/plain"})

    def oauth_token(self, req: Req) -> Resp:
        body = req.json()
        if body.get("client_id") != APP_ID or body.get("client_secret") != APP_SECRET:
            return _err(400, 20002, "client invalid")
        if body.get("code") not in self.codes:
            return _err(400, 20003, "code invalid or used")
        token = "u-" + secrets.token_hex(12)
        self.user_tokens[token] = self.codes.pop(body["code"])
        return Resp(200, {"code": 0, "access_token": token, "expires_in": 7200, "token_type": "Bearer"})

    def user_info(self, req: Req) -> Resp:
        token = req.headers.get("authorization", "").removeprefix("Bearer ")
        if token not in self.user_tokens:
            return _err(401, 20005, "bad user token")
        who = self.user_tokens[token]
        if who is None or who not in self.users:  # someone of another tenant
            return Resp(
                200, {"code": 0, "data": {"open_id": "ou_x", "tenant_key": "other-tenant", "name": "外人"}}
            )
        return Resp(200, {"code": 0, "data": {"user_id": who, "open_id": f"ou_{who}", "tenant_key": TENANT,
                                              "name": self.users[who]["name"]}})  # fmt: skip

    def send(self, req: Req) -> Resp:
        if not self._ok(req):
            return _err(401, 99991663, "invalid tenant access token")
        body = req.json()
        if req.query.get("receive_id_type") != "user_id" or body.get("receive_id") not in self.users:
            return _err(400, 230013, "bot has no availability to this user")
        message_id = "om_" + secrets.token_hex(10)
        card = json.loads(body["content"])
        self.messages[message_id] = {"touser": body["receive_id"], "card": card, "final": None}
        return Resp(200, {"code": 0, "msg": "success", "data": {"message_id": message_id}})

    def patch(self, req: Req) -> Resp:
        if not self._ok(req):
            return _err(401, 99991663, "invalid tenant access token")
        message_id = req.path.rsplit("/", 1)[1]
        message = self.messages.get(message_id)
        if message is None:
            return _err(400, 230001, "message not found")
        message["card"] = json.loads(req.json()["content"])
        message["final"] = (
            _text(message["card"]).rsplit("**", 2)[-2] if "**" in _text(message["card"]) else None
        )
        return Resp(200, {"code": 0, "msg": "success"})

    def children(self, req: Req) -> Resp:
        if not self._ok(req):
            return _err(401, 99991663, "invalid tenant access token")
        items = [{"open_department_id": i, "name": d["name"], "parent_department_id": d["parent"],
                  "leader_user_id": d["leader"]} for i, d in self.departments.items()]  # fmt: skip
        return Resp(200, {"code": 0, "data": {"items": items, "has_more": False}})

    def find_by_department(self, req: Req) -> Resp:
        if not self._ok(req):
            return _err(401, 99991663, "invalid tenant access token")
        dept = req.query.get("department_id")
        items = [{"user_id": uid, **u} for uid, u in self.users.items() if dept in u["department_ids"]]
        return Resp(200, {"code": 0, "data": {"items": items, "has_more": False}})

    # --- Feishu calling the service ------------------------------------------------------------

    @property
    def cards(self) -> dict[str, dict[str, Any]]:
        return {mid: m for mid, m in self.messages.items() if _buttons(m["card"]) or m["final"]}

    def post_event(self, url: str, data: dict[str, Any]) -> httpx.Response:
        body = json.dumps({"encrypt": crypto.feishu_encrypt(ENCRYPT_KEY, json.dumps(data).encode())}).encode()
        ts, nonce = str(int(time.time())), secrets.token_hex(6)
        headers = {
            "Content-Type": "application/json",
            "X-Lark-Request-Timestamp": ts,
            "X-Lark-Request-Nonce": nonce,
            "X-Lark-Signature": crypto.feishu_signature(ts, nonce, ENCRYPT_KEY, body),
        }
        self.last_callback = (headers, body)
        return httpx.post(url, content=body, headers=headers, timeout=30)

    def _header(self, event_type: str) -> dict[str, Any]:
        return {
            "event_id": secrets.token_hex(16),
            "event_type": event_type,
            "token": TOKEN,
            "create_time": str(int(time.time() * 1000)),
            "tenant_key": TENANT,
            "app_id": APP_ID,
        }

    def click(self, url: str, userid: str, ref: str, action: str) -> httpx.Response:
        value = next(
            b["value"] for b in _buttons(self.messages[ref]["card"]) if b["value"]["action"] == action
        )
        event = {
            "operator": {"user_id": userid, "open_id": f"ou_{userid}", "tenant_key": TENANT},
            "action": {"value": value, "tag": "button"},
            "context": {"open_message_id": ref},
        }
        return self.post_event(
            url, {"schema": "2.0", "header": self._header("card.action.trigger"), "event": event}
        )

    def leave(self, url: str, userid: str) -> httpx.Response:
        event = {"object": {"user_id": userid, "open_id": f"ou_{userid}", "status": {"is_resigned": True}}}
        return self.post_event(
            url, {"schema": "2.0", "header": self._header("contact.user.deleted_v3"), "event": event}
        )

    def outcome_titles(self, userid: str) -> list[tuple[str, str]]:
        return [
            (m["card"]["header"]["title"]["content"], _url(m["card"]))
            for m in self.messages.values()
            if m["touser"] == userid and not _buttons(m["card"])
        ]


def _text(card: dict[str, Any]) -> str:
    return "".join(e.get("text", {}).get("content", "") for e in card["elements"] if e.get("tag") == "div")


def _buttons(card: dict[str, Any]) -> list[dict[str, Any]]:
    return [a for e in card["elements"] if e.get("tag") == "action" for a in e["actions"] if "value" in a]


def _url(card: dict[str, Any]) -> str:
    return next(
        a["url"] for e in card["elements"] if e.get("tag") == "action" for a in e["actions"] if "url" in a
    )
