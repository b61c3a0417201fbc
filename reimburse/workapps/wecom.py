"""WeCom (企业微信) self-built app ("自建应用").

- token: ``GET /cgi-bin/gettoken?corpid&corpsecret``;
- sign-in: in the app ``open.weixin.qq.com/connect/oauth2/authorize`` (``snsapi_base``), on a
  desktop the QR page ``login.work.weixin.qq.com/wwlogin/sso/login``; the code gives the user
  by ``GET /cgi-bin/auth/getuserinfo`` (``userid`` for members, only ``openid`` for outsiders);
- messages: ``POST /cgi-bin/message/send`` (``textcard``; the approval card is a
  ``template_card`` of type ``button_interaction`` whose answer carries ``response_code``);
  ``POST /cgi-bin/message/update_template_card`` closes it;
- callbacks: XML ``<Encrypt>`` signed with ``msg_signature`` (see ``crypto``): ``template_card_event``
  (a button) and ``change_contact`` (directory);
- directory: ``GET /cgi-bin/department/list`` and ``GET /cgi-bin/user/list``.
"""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import urlencode
from xml.etree.ElementTree import Element

from defusedxml import ElementTree

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

OAUTH = "https://open.weixin.qq.com/connect/oauth2/authorize"
QR_LOGIN = "https://login.work.weixin.qq.com/wwlogin/sso/login"
_USER_EVENTS = {
    "create_user": ChangeKind.USER_CREATED,
    "update_user": ChangeKind.USER_UPDATED,
    "delete_user": ChangeKind.USER_LEFT,
}


class WeCom:
    platform = Platform.WECOM

    def __init__(self, config: AppConfig, api: Api | None = None) -> None:
        self.config = config
        self.api = api or Api(config.api_base)
        self.tokens = TokenCache(self._fetch_token)

    # --- token ---------------------------------------------------------------------------------

    def _fetch_token(self) -> tuple[str, int]:
        answer = self.api.call(
            "GET",
            "/cgi-bin/gettoken",
            params={"corpid": self.config.corp_id or "", "corpsecret": self.config.secret or ""},
        )
        return str(answer["access_token"]), int(answer.get("expires_in", 7200))

    def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        params = {**kwargs.pop("params", {}), "access_token": self.tokens.get()}
        return self.api.call(method, path, params=params, **kwargs)

    def check(self) -> None:
        self.tokens.clear()
        self.tokens.get()

    # --- sign-in -------------------------------------------------------------------------------

    def login_url(self, redirect_uri: str, state: str, *, qr: bool) -> str:
        base = self.config.api_base.rstrip("/") if self.config.fake_hosts else None
        if qr:
            query = {
                "login_type": "CorpApp",
                "appid": self.config.corp_id or "",
                "agentid": self.config.agent_id or "",
                "redirect_uri": redirect_uri,
                "state": state,
            }
            return f"{base + '/wwlogin/sso/login' if base else QR_LOGIN}?{urlencode(query)}"
        query = {
            "appid": self.config.corp_id or "",
            "redirect_uri": redirect_uri,
            "response_type": "code",
            "scope": "snsapi_base",
            "state": state,
            "agentid": self.config.agent_id or "",
        }
        oauth = base + "/connect/oauth2/authorize" if base else OAUTH
        return f"{oauth}?{urlencode(query)}#wechat_redirect"

    def user_for_code(self, code: str, redirect_uri: str) -> str | None:
        answer = self._call("GET", "/cgi-bin/auth/getuserinfo", params={"code": code})
        user_id = answer.get("userid")  # outsiders get an ``openid`` only
        return str(user_id) if user_id else None

    # --- messages ------------------------------------------------------------------------------

    def send_text(self, user_id: str, message: Text) -> str:
        description = "".join(f'<div class="normal">{line}</div>' for line in message.lines)
        answer = self._call(
            "POST",
            "/cgi-bin/message/send",
            json={
                "touser": user_id,
                "msgtype": "textcard",
                "agentid": int(self.config.agent_id or 0),
                "textcard": {
                    "title": message.title,
                    "description": description,
                    "url": message.url,
                    "btntxt": "查看",
                },
            },
        )
        return str(answer.get("msgid", ""))

    def _template_card(self, card: Card) -> dict[str, Any]:
        body: dict[str, Any] = {
            "card_type": "button_interaction",
            "main_title": {"title": card.title},
            "horizontal_content_list": [_pair(line) for line in card.lines],
            "card_action": {"type": 1, "url": card.url},
            "task_id": card.key,
        }
        if card.final is None:
            body["button_list"] = [
                {"text": "同意", "style": 1, "key": f"approve:{card.key}"},
                # a template card cannot ask for a reason: "reject" opens the reject screen
                {"text": "驳回…", "style": 2, "type": 1, "url": card.review_url or card.url},
            ]
        return body

    def send_card(self, user_id: str, card: Card) -> str:
        answer = self._call(
            "POST",
            "/cgi-bin/message/send",
            json={
                "touser": user_id,
                "msgtype": "template_card",
                "agentid": int(self.config.agent_id or 0),
                "template_card": self._template_card(card),
            },
        )
        code = answer.get("response_code")
        if not code:
            raise WorkAppError("/cgi-bin/message/send: no response_code for the card")
        return str(code)

    def update_card(self, user_id: str, ref: str, card: Card) -> None:
        # the documented "replace the buttons with one greyed-out text" update
        self._call(
            "POST",
            "/cgi-bin/message/update_template_card",
            json={
                "userids": [user_id],
                "agentid": int(self.config.agent_id or 0),
                "response_code": ref,
                "button": {"replace_name": card.final or "已处理"},
            },
        )

    # --- callbacks -----------------------------------------------------------------------------

    def open_callback(self, request: CallbackRequest) -> Inbound:
        q = request.query
        token, aes_key = self.config.token or "", self.config.aes_key or ""
        if not token or not aes_key:
            raise crypto.CallbackRefused("callbacks are not configured (token, EncodingAESKey)")
        signature, timestamp, nonce = q.get("msg_signature", ""), q.get("timestamp", ""), q.get("nonce", "")
        if request.method == "GET":  # the URL check when the callback is saved in the admin console
            echo = crypto.wx_open(
                token,
                aes_key,
                self.config.corp_id,
                signature=signature,
                timestamp=timestamp,
                nonce=nonce,
                encrypted=q.get("echostr", ""),
            )
            return UrlCheck(echo.decode())
        envelope = _xml(request.body)
        encrypted = envelope.findtext("Encrypt") or ""
        plain = crypto.wx_open(
            token,
            aes_key,
            self.config.corp_id,
            signature=signature,
            timestamp=timestamp,
            nonce=nonce,
            encrypted=encrypted,
        )
        replay = hashlib.sha256(f"{signature}|{timestamp}|{nonce}".encode()).hexdigest()
        return _event(_xml(plain), replay, _epoch(timestamp))

    def reply(self, inbound: Inbound, text: str) -> Reply:
        if isinstance(inbound, UrlCheck):
            return Reply(inbound.echo.encode())
        return Reply(b"success")  # WeCom only needs a quick 200; the card is updated by API

    # --- directory -----------------------------------------------------------------------------

    def directory(self) -> Directory:
        departments = tuple(
            PlatformDepartment(
                id=str(d["id"]),
                name=str(d.get("name", "")),
                parent_id=str(d["parentid"]) if d.get("parentid") else None,
                heads=tuple(str(u) for u in d.get("department_leader", [])),
            )
            for d in self._call("GET", "/cgi-bin/department/list").get("department", [])
        )
        users: dict[str, PlatformUser] = {}
        # one department at a time: ``fetch_child`` is not offered to every app any more
        for department in departments:
            answer = self._call("GET", "/cgi-bin/user/list", params={"department_id": department.id})
            for u in answer.get("userlist", []):
                users[str(u["userid"])] = PlatformUser(
                    id=str(u["userid"]),
                    name=str(u.get("name", u["userid"])),
                    departments=tuple(str(x) for x in u.get("department", [])),
                    email=u.get("email") or None,
                    mobile=u.get("mobile") or None,
                    active=int(u.get("status", 1)) == 1,  # 2 disabled, 4 not activated, 5 quit
                )
        return Directory(departments, tuple(users.values()))


def _pair(line: str) -> dict[str, str]:
    key, sep, value = line.partition("：")
    return {"keyname": key, "value": value} if sep else {"keyname": "", "value": line}


def _xml(data: bytes) -> Element:
    try:
        root: Element = ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        raise crypto.CallbackRefused("the callback is not XML") from exc
    return root


def _epoch(timestamp: str) -> float | None:
    return float(timestamp) if timestamp.isdigit() else None


def _event(xml: Element, replay: str, sent_at: float | None) -> Inbound:
    event = xml.findtext("Event") or ""
    if event == "template_card_event":
        action, _, key = (xml.findtext("EventKey") or "").partition(":")
        return CardClick(replay, xml.findtext("FromUserName") or "", key, action, sent_at=sent_at)
    if event == "change_contact":
        change = xml.findtext("ChangeType") or ""
        if change in _USER_EVENTS:
            kind = _USER_EVENTS[change]
            if kind is ChangeKind.USER_UPDATED and (xml.findtext("Status") or "1") not in ("1", ""):
                kind = ChangeKind.USER_LEFT  # disabled or quit
            return DirectoryChange(replay, kind, user_ids=(xml.findtext("UserID") or "",), sent_at=sent_at)
        if change.endswith("_party"):
            return DirectoryChange(
                replay, ChangeKind.DEPARTMENT_CHANGED, department_id=xml.findtext("Id"), sent_at=sent_at
            )
    return Ignored(event or (xml.findtext("MsgType") or "unknown"))
