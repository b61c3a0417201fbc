"""Feishu / Lark (飞书) custom app ("企业自建应用").

- token: ``POST /open-apis/auth/v3/tenant_access_token/internal``;
- sign-in: ``accounts.feishu.cn/open-apis/authen/v1/authorize`` (OAuth 2.0, in the Feishu app or
  by QR code on a desktop), ``POST /open-apis/authen/v2/oauth/token`` exchanges the code,
  ``GET /open-apis/authen/v1/user_info`` names the user (``user_id``; another tenant's user is
  refused by ``tenant_key``);
- messages: ``POST /open-apis/im/v1/messages?receive_id_type=user_id`` with a message card
  (``interactive``); the approval card has approve / reject / open buttons and is replaced by
  ``PATCH /open-apis/im/v1/messages/{message_id}``;
- callbacks: ``{"encrypt"}`` (see ``crypto``), ``X-Lark-Signature`` checked when present, the
  verification token in the event header; ``url_verification``, ``card.action.trigger``,
  ``contact.user.deleted_v3`` / ``updated_v3`` (resigned, frozen) / ``created_v3``;
- directory: ``GET /open-apis/contact/v3/departments/0/children`` and
  ``GET /open-apis/contact/v3/users/find_by_department``.
"""

from __future__ import annotations

import hmac
import json
from typing import Any
from urllib.parse import urlencode

from reimburse.workapps import crypto
from reimburse.workapps.config import AppConfig
from reimburse.workapps.domain import (
    CallbackRequest,
    Card,
    CardClick,
    ChangeKind,
    Directory,
    DirectoryChange,
    Ignored,
    Inbound,
    Platform,
    PlatformDepartment,
    PlatformUser,
    Reply,
    Text,
    UrlCheck,
)
from reimburse.workapps.http import Api, TokenCache

AUTHORIZE = "https://accounts.feishu.cn/open-apis/authen/v1/authorize"
_USER_EVENTS = {
    "contact.user.created_v3": ChangeKind.USER_CREATED,
    "contact.user.updated_v3": ChangeKind.USER_UPDATED,
    "contact.user.deleted_v3": ChangeKind.USER_LEFT,
}


class Feishu:
    platform = Platform.FEISHU

    def __init__(self, config: AppConfig, api: Api | None = None) -> None:
        self.config = config
        self.api = api or Api(config.api_base)
        self.tokens = TokenCache(self._fetch_token)

    def _fetch_token(self) -> tuple[str, int]:
        answer = self.api.call(
            "POST",
            "/open-apis/auth/v3/tenant_access_token/internal",
            code_key="code",
            json={"app_id": self.config.agent_id or "", "app_secret": self.config.secret or ""},
        )
        return str(answer["tenant_access_token"]), int(answer.get("expire", 7200))

    def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self.tokens.get()}"}
        return self.api.call(method, path, code_key="code", headers=headers, **kwargs)

    def check(self) -> None:
        self.tokens.clear()
        self.tokens.get()

    # --- sign-in -------------------------------------------------------------------------------

    def login_url(self, redirect_uri: str, state: str, *, qr: bool) -> str:
        base = (
            self.config.api_base.rstrip("/") + "/open-apis/authen/v1/authorize"
            if self.config.fake_hosts
            else AUTHORIZE
        )
        query = {"client_id": self.config.agent_id or "", "redirect_uri": redirect_uri, "state": state}
        return f"{base}?{urlencode(query)}"

    def user_for_code(self, code: str, redirect_uri: str) -> str | None:
        token = self.api.call(
            "POST",
            "/open-apis/authen/v2/oauth/token",
            code_key="code",
            json={
                "grant_type": "authorization_code",
                "client_id": self.config.agent_id or "",
                "client_secret": self.config.secret or "",
                "code": code,
                "redirect_uri": redirect_uri,
            },
        )
        info = self.api.call(
            "GET",
            "/open-apis/authen/v1/user_info",
            code_key="code",
            headers={"Authorization": f"Bearer {token['access_token']}"},
        ).get("data", {})
        if self.config.corp_id and info.get("tenant_key") != self.config.corp_id:
            return None  # someone from another company's Feishu
        user_id = info.get("user_id")
        return str(user_id) if user_id else None

    # --- messages ------------------------------------------------------------------------------

    def _card(self, card_title: str, lines: tuple[str, ...], url: str, buttons: list[dict[str, Any]]) -> str:
        elements: list[dict[str, Any]] = [
            {"tag": "div", "text": {"tag": "lark_md", "content": "\n".join(lines)}},
            {"tag": "action", "actions": buttons},
        ]
        return json.dumps(
            {
                "config": {"wide_screen_mode": True, "update_multi": True},
                "header": {"title": {"tag": "plain_text", "content": card_title}},
                "elements": elements,
            },
            ensure_ascii=False,
        )

    def _open(self, url: str) -> dict[str, Any]:
        return {
            "tag": "button",
            "text": {"tag": "plain_text", "content": "查看报销单"},
            "type": "default",
            "url": url,
        }

    def _send(self, user_id: str, content: str) -> str:
        answer = self._call(
            "POST",
            "/open-apis/im/v1/messages",
            params={"receive_id_type": "user_id"},
            json={"receive_id": user_id, "msg_type": "interactive", "content": content},
        )
        return str(answer.get("data", {}).get("message_id", ""))

    def send_text(self, user_id: str, message: Text) -> str:
        return self._send(
            user_id, self._card(message.title, message.lines, message.url, [self._open(message.url)])
        )

    def _approval(self, card: Card) -> str:
        if card.final is not None:
            lines = (*card.lines, f"**{card.final}**")
            return self._card(card.title, lines, card.url, [self._open(card.url)])
        buttons = [
            {
                "tag": "button",
                "text": {"tag": "plain_text", "content": label},
                "type": style,
                "value": {"action": action, "key": card.key},
            }
            for label, style, action in (("同意", "primary", "approve"),)
        ]
        # the reason for a rejection is asked on the reject screen
        reject = {
            "tag": "button",
            "text": {"tag": "plain_text", "content": "驳回…"},
            "type": "danger",
            "url": card.review_url or card.url,
        }
        return self._card(card.title, card.lines, card.url, [*buttons, reject, self._open(card.url)])

    def send_card(self, user_id: str, card: Card) -> str:
        return self._send(user_id, self._approval(card))

    def update_card(self, user_id: str, ref: str, card: Card) -> None:
        self._call("PATCH", f"/open-apis/im/v1/messages/{ref}", json={"content": self._approval(card)})

    # --- callbacks -----------------------------------------------------------------------------

    def open_callback(self, request: CallbackRequest) -> Inbound:
        encrypt_key, token = self.config.aes_key or "", self.config.token or ""
        if not encrypt_key or not token:
            raise crypto.CallbackRefused("callbacks are not configured (verification token, encrypt key)")
        h = request.headers
        if "x-lark-signature" in h:  # event deliveries are signed; the URL check is not
            crypto.feishu_check_signature(
                h.get("x-lark-request-timestamp", ""),
                h.get("x-lark-request-nonce", ""),
                encrypt_key,
                request.body,
                h["x-lark-signature"],
            )
        try:
            outer = json.loads(request.body or b"{}")
            data = json.loads(crypto.feishu_decrypt(encrypt_key, str(outer.get("encrypt", ""))))
        except (ValueError, AttributeError) as exc:
            raise crypto.CallbackRefused("the callback is not encrypted JSON") from exc
        header = data.get("header") or {}
        given = str(header.get("token", data.get("token", "")))
        if not hmac.compare_digest(given, token):
            raise crypto.CallbackRefused("wrong verification token")
        if data.get("type") == "url_verification":
            return UrlCheck(str(data.get("challenge", "")))
        if self.config.corp_id and header.get("tenant_key") not in (None, self.config.corp_id):
            raise crypto.CallbackRefused("the callback is for another tenant")
        created = str(header.get("create_time", ""))
        sent_at = float(created) / 1000 if created.isdigit() else None  # milliseconds
        return _event(
            str(header.get("event_type", "")),
            str(header.get("event_id", "")),
            data.get("event") or {},
            sent_at,
        )

    def reply(self, inbound: Inbound, text: str) -> Reply:
        if isinstance(inbound, UrlCheck):
            body: dict[str, Any] = {"challenge": inbound.echo}
        elif isinstance(inbound, CardClick):
            body = {"toast": {"type": "info", "content": text}}
        else:
            body = {}
        return Reply(json.dumps(body, ensure_ascii=False).encode(), "application/json")

    # --- directory -----------------------------------------------------------------------------

    def _pages(self, path: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        token = ""
        while True:
            data = self._call("GET", path, params={**params, "page_size": 50, "page_token": token}).get(
                "data", {}
            )
            items.extend(data.get("items") or [])
            if not data.get("has_more"):
                return items
            token = str(data.get("page_token", ""))

    def directory(self) -> Directory:
        ids = {"user_id_type": "user_id", "department_id_type": "open_department_id"}
        raw = self._pages("/open-apis/contact/v3/departments/0/children", {**ids, "fetch_child": "true"})
        departments = tuple(
            PlatformDepartment(
                id=str(d["open_department_id"]),
                name=str(d.get("name", "")),
                parent_id=str(d["parent_department_id"])
                if d.get("parent_department_id") not in (None, "0")
                else None,
                heads=(str(d["leader_user_id"]),) if d.get("leader_user_id") else (),
            )
            for d in raw
        )
        users: dict[str, PlatformUser] = {}
        for dept in ("0", *(d.id for d in departments)):
            for u in self._pages(
                "/open-apis/contact/v3/users/find_by_department", {**ids, "department_id": dept}
            ):
                status = u.get("status") or {}
                users[str(u["user_id"])] = PlatformUser(
                    id=str(u["user_id"]),
                    name=str(u.get("name", u["user_id"])),
                    departments=tuple(str(x) for x in u.get("department_ids", [])),
                    email=u.get("email") or u.get("enterprise_email") or None,
                    mobile=u.get("mobile") or None,
                    active=not (status.get("is_resigned") or status.get("is_frozen")),
                    employee_number=str(u["employee_no"]) if u.get("employee_no") else None,
                )
        return Directory(departments, tuple(users.values()))


def _event(event_type: str, event_id: str, event: dict[str, Any], sent_at: float | None) -> Inbound:
    if event_type == "card.action.trigger":
        value = (event.get("action") or {}).get("value") or {}
        operator = event.get("operator") or {}
        form = (event.get("action") or {}).get("form_value") or {}
        return CardClick(
            event_id,
            str(operator.get("user_id", "")),
            str(value.get("key", "")),
            str(value.get("action", "")),
            str(form.get("reason", "")),
            sent_at=sent_at,
        )
    if event_type in _USER_EVENTS:
        obj = event.get("object") or {}
        kind = _USER_EVENTS[event_type]
        status = obj.get("status") or {}
        if kind is ChangeKind.USER_UPDATED and (status.get("is_resigned") or status.get("is_frozen")):
            kind = ChangeKind.USER_LEFT
        return DirectoryChange(event_id, kind, user_ids=(str(obj.get("user_id", "")),), sent_at=sent_at)
    if event_type.startswith("contact.department."):
        return DirectoryChange(event_id, ChangeKind.DEPARTMENT_CHANGED, sent_at=sent_at)
    return Ignored(event_type or "unknown")
