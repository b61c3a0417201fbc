"""DingTalk (钉钉) internal app ("企业内部应用").

- token: ``GET /gettoken?appkey&appsecret`` (oapi);
- sign-in: ``login.dingtalk.com/oauth2/auth`` (OAuth 2.0; the same page shows the QR code on a
  desktop), the code becomes a user token at ``POST api.dingtalk.com/v1.0/oauth2/userAccessToken``,
  ``GET /v1.0/contact/users/me`` gives the ``unionId``, ``POST /topapi/user/getbyunionid`` the
  member's ``userid`` (errcode 60121: not in this company);
- messages: work notifications ``POST /topapi/message/corpconversation/asyncsend_v2``
  (``action_card`` with the link); the approval card is an interactive card
  ``POST /v1.0/im/interactiveCards/send`` (``outTrackId`` is ours), updated by
  ``PUT /v1.0/im/interactiveCards``;
- callbacks: ``{"encrypt"}`` signed with ``signature``/``msg_signature``, ``timestamp``/``timeStamp``
  and ``nonce`` (see ``crypto``; receive id: the AppKey); answered with the encrypted "success";
  card clicks carry ``outTrackId``, ``userId`` and the pressed action in ``content``;
- directory: ``/topapi/v2/department/listsub``, ``/topapi/v2/department/get``, ``/topapi/v2/user/list``.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
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
    WorkAppError,
)
from reimburse.workapps.http import Api, TokenCache

LOGIN = "https://login.dingtalk.com/oauth2/auth"
NEW_API = "https://api.dingtalk.com"
NOT_A_MEMBER = 60121
_EVENTS = {
    "user_add_org": ChangeKind.USER_CREATED,
    "user_modify_org": ChangeKind.USER_UPDATED,
    "user_leave_org": ChangeKind.USER_LEFT,
    "user_active_org": ChangeKind.USER_UPDATED,
}


class DingTalk:
    platform = Platform.DINGTALK

    def __init__(self, config: AppConfig, api: Api | None = None) -> None:
        self.config = config
        self.api = api or Api(config.api_base)
        # the v1.0 APIs live on another host; a fake (or proxy) serves both
        self.new_api = Api(config.api_base if config.fake_hosts else NEW_API, client=self.api.client)
        self.tokens = TokenCache(self._fetch_token)

    def _fetch_token(self) -> tuple[str, int]:
        answer = self.api.call(
            "GET",
            "/gettoken",
            params={"appkey": self.config.app_key or "", "appsecret": self.config.secret or ""},
        )
        return str(answer["access_token"]), int(answer.get("expires_in", 7200))

    def _oapi(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        return self.api.call("POST", path, params={"access_token": self.tokens.get()}, json=body)

    def _v1(self, method: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
        headers = {"x-acs-dingtalk-access-token": self.tokens.get()}
        return self.new_api.call(method, path, code_key="code", json=body, headers=headers)

    def check(self) -> None:
        self.tokens.clear()
        self.tokens.get()

    # --- sign-in -------------------------------------------------------------------------------

    def login_url(self, redirect_uri: str, state: str, *, qr: bool) -> str:
        base = self.config.api_base.rstrip("/") + "/oauth2/auth" if self.config.fake_hosts else LOGIN
        query = {
            "redirect_uri": redirect_uri,
            "response_type": "code",
            "client_id": self.config.app_key or "",
            "scope": "openid",
            "state": state,
            "prompt": "consent",
        }
        return f"{base}?{urlencode(query)}"

    def user_for_code(self, code: str, redirect_uri: str) -> str | None:
        token = self.new_api.call(
            "POST",
            "/v1.0/oauth2/userAccessToken",
            code_key="code",
            json={
                "clientId": self.config.app_key or "",
                "clientSecret": self.config.secret or "",
                "code": code,
                "grantType": "authorization_code",
            },
        )
        me = self.new_api.call(
            "GET",
            "/v1.0/contact/users/me",
            code_key="code",
            headers={"x-acs-dingtalk-access-token": str(token["accessToken"])},
        )
        try:
            found = self._oapi("/topapi/user/getbyunionid", {"unionid": me["unionId"]})
        except WorkAppError as exc:
            if f"error {NOT_A_MEMBER}" in exc.message:
                return None
            raise
        user_id = found.get("result", {}).get("userid")
        return str(user_id) if user_id else None

    # --- messages ------------------------------------------------------------------------------

    def send_text(self, user_id: str, message: Text) -> str:
        markdown = "\n\n".join([f"### {message.title}", *message.lines])
        answer = self._oapi(
            "/topapi/message/corpconversation/asyncsend_v2",
            {
                "agent_id": int(self.config.agent_id or 0),
                "userid_list": user_id,
                "msg": {
                    "msgtype": "action_card",
                    "action_card": {
                        "title": message.title,
                        "markdown": markdown,
                        "single_title": "查看报销单",
                        "single_url": message.url,
                    },
                },
            },
        )
        return str(answer.get("task_id", ""))

    def _card_data(self, card: Card) -> dict[str, Any]:
        return {
            "cardParamMap": {
                "title": card.title,
                "content": "\n".join(card.lines),
                "url": card.url,
                "key": card.key,
                "status": card.final or "",
                "review_url": card.review_url,
                "closed": "true" if card.final else "false",
            }
        }

    def send_card(self, user_id: str, card: Card) -> str:
        self._v1(
            "POST",
            "/v1.0/im/interactiveCards/send",
            {
                "cardTemplateId": self.config.card_template_id or "",
                "outTrackId": card.key,
                "robotCode": self.config.app_key or "",
                "conversationType": 0,  # a one-to-one chat with the app's robot
                "receiverUserIdList": [user_id],
                "cardData": self._card_data(card),
            },
        )
        return card.key

    def update_card(self, user_id: str, ref: str, card: Card) -> None:
        self._v1("PUT", "/v1.0/im/interactiveCards", {"outTrackId": ref, "cardData": self._card_data(card)})

    # --- callbacks -----------------------------------------------------------------------------

    def open_callback(self, request: CallbackRequest) -> Inbound:
        token, aes_key = self.config.token or "", self.config.aes_key or ""
        if not token or not aes_key:
            raise crypto.CallbackRefused("callbacks are not configured (token, aes_key)")
        q = request.query
        signature = q.get("msg_signature") or q.get("signature") or ""
        timestamp = q.get("timeStamp") or q.get("timestamp") or ""
        nonce = q.get("nonce", "")
        try:
            encrypted = str(json.loads(request.body or b"{}").get("encrypt", ""))
        except (ValueError, AttributeError) as exc:
            raise crypto.CallbackRefused("the callback is not JSON") from exc
        plain = crypto.wx_open(
            token,
            aes_key,
            self.config.app_key,
            signature=signature,
            timestamp=timestamp,
            nonce=nonce,
            encrypted=encrypted,
        )
        try:
            data = json.loads(plain)
        except ValueError as exc:
            raise crypto.CallbackRefused("the decrypted callback is not JSON") from exc
        replay = hashlib.sha256(f"{signature}|{timestamp}|{nonce}".encode()).hexdigest()
        sent_at = float(timestamp) / 1000 if timestamp.isdigit() else None  # milliseconds
        return _event(data, replay, sent_at)

    def reply(self, inbound: Inbound, text: str) -> Reply:
        # DingTalk wants the word "success", encrypted and signed, within 1.5 seconds
        timestamp, nonce = str(int(time.time() * 1000)), secrets.token_hex(4)
        encrypted = crypto.wx_encrypt(self.config.aes_key or "", b"success", self.config.app_key or "")
        body = {
            "msg_signature": crypto.sha1_signature(self.config.token or "", timestamp, nonce, encrypted),
            "timeStamp": timestamp,
            "nonce": nonce,
            "encrypt": encrypted,
        }
        return Reply(json.dumps(body).encode(), "application/json")

    # --- directory -----------------------------------------------------------------------------

    def directory(self) -> Directory:
        departments: list[PlatformDepartment] = []
        queue = [1]
        while queue:
            dept_id = queue.pop(0)
            info = self._oapi("/topapi/v2/department/get", {"dept_id": dept_id}).get("result", {})
            parent = info.get("parent_id")
            departments.append(
                PlatformDepartment(
                    id=str(dept_id),
                    name=str(info.get("name", "")),
                    parent_id=str(parent) if parent and dept_id != 1 else None,
                    heads=tuple(str(u) for u in info.get("dept_manager_userid_list", [])),
                )
            )
            subs = self._oapi("/topapi/v2/department/listsub", {"dept_id": dept_id}).get("result", [])
            queue.extend(int(d["dept_id"]) for d in subs)
        users: dict[str, PlatformUser] = {}
        for d in departments:
            cursor: int | None = 0
            while cursor is not None:
                page = self._oapi(
                    "/topapi/v2/user/list", {"dept_id": int(d.id), "cursor": cursor, "size": 100}
                ).get("result", {})
                for u in page.get("list", []):
                    users[str(u["userid"])] = PlatformUser(
                        id=str(u["userid"]),
                        name=str(u.get("name", u["userid"])),
                        departments=tuple(str(x) for x in u.get("dept_id_list", [])),
                        email=u.get("email") or u.get("org_email") or None,
                        mobile=u.get("mobile") or None,
                        active=bool(u.get("active", True)),
                        employee_number=str(u["job_number"]) if u.get("job_number") else None,
                    )
                cursor = int(page["next_cursor"]) if page.get("has_more") else None
        return Directory(tuple(departments), tuple(users.values()))


def _event(data: dict[str, Any], replay: str, sent_at: float | None) -> Inbound:
    if "outTrackId" in data:  # an interactive card's button
        try:
            content = json.loads(data.get("content") or "{}")
        except ValueError:
            content = {}
        private = content.get("cardPrivateData", {})
        actions = private.get("actionIds") or [""]
        params = private.get("params", {})
        return CardClick(
            replay,
            str(data.get("userId", "")),
            str(data.get("outTrackId", "")),
            str(actions[0]),
            str(params.get("comment", "")),
            sent_at=sent_at,
        )
    event = str(data.get("EventType", ""))
    if event == "check_url":
        return UrlCheck("success")
    if event in _EVENTS:
        users = tuple(str(u) for u in data.get("UserId", []))
        return DirectoryChange(replay, _EVENTS[event], user_ids=users, sent_at=sent_at)
    if event.startswith("org_dept_"):
        return DirectoryChange(replay, ChangeKind.DEPARTMENT_CHANGED, sent_at=sent_at)
    return Ignored(event or "unknown")
