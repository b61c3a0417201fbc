"""A local WeCom (企业微信) that follows the documented API, and signs and encrypts its callbacks.

Not a mock: the service reaches it over HTTP (``REIMBURSE_WECOM_API_BASE``), and it posts
events to the service's callback URL over HTTP, signed and AES-encrypted like WeCom does.
"""

from __future__ import annotations

import secrets
import time
from typing import Any
from urllib.parse import urlencode

import httpx

from reimburse.workapps import crypto
from tests.workapps.fakebase import FakeServer, Req, Resp

CORP_ID = "ww0fake0corp0id01"
AGENT_ID = "1000002"
SECRET = "fake-wecom-app-secret-0123456789"
TOKEN = "fakeToken42"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"


def _err(code: int, msg: str) -> Resp:
    return Resp(200, {"errcode": code, "errmsg": msg})


class FakeWeCom(FakeServer):
    def __init__(self) -> None:
        super().__init__()
        self.tokens: set[str] = set()
        self.codes: dict[str, str | None] = {}  # code -> userid (None: an outsider's openid)
        self.signed_in: str | None = None  # who is signed into the app on this "phone"
        self.departments: list[dict[str, Any]] = [{"id": 1, "name": "公司", "parentid": 0}]
        self.users: dict[str, dict[str, Any]] = {}
        self.sent: list[dict[str, Any]] = []
        self.updates: list[dict[str, Any]] = []
        self.cards: dict[str, dict[str, Any]] = {}  # response_code -> card state
        self.last_callback: tuple[dict[str, str], bytes] = ({}, b"")

        self.routes[("GET", "/cgi-bin/gettoken")] = self.gettoken
        self.routes[("GET", "/connect/oauth2/authorize")] = self.authorize
        self.routes[("GET", "/wwlogin/sso/login")] = self.authorize
        self.routes[("GET", "/cgi-bin/auth/getuserinfo")] = self.getuserinfo
        self.routes[("POST", "/cgi-bin/message/send")] = self.send
        self.routes[("POST", "/cgi-bin/message/update_template_card")] = self.update
        self.routes[("GET", "/cgi-bin/department/list")] = self.department_list
        self.routes[("GET", "/cgi-bin/user/list")] = self.user_list

    def settings(self) -> dict[str, str]:
        return {
            "wecom_corp_id": CORP_ID,
            "wecom_agent_id": AGENT_ID,
            "wecom_secret": SECRET,
            "wecom_token": TOKEN,
            "wecom_aes_key": AES_KEY,
            "wecom_api_base": self.base,
        }

    def _token_ok(self, req: Req) -> bool:
        return req.query.get("access_token") in self.tokens

    def gettoken(self, req: Req) -> Resp:
        if req.query.get("corpid") != CORP_ID or req.query.get("corpsecret") != SECRET:
            return _err(40001, "invalid credential")
        token = secrets.token_hex(16)
        self.tokens.add(token)
        return Resp(200, {"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": 7200})

    def authorize(self, req: Req) -> Resp:
        if req.query.get("appid") != CORP_ID:
            return Resp(400, b"bad appid", {"Content-Type": "text/plain"})
        code = secrets.token_urlsafe(12)
        self.codes[code] = self.signed_in
        target = (
            req.query["redirect_uri"] + "?" + urlencode({"code": code, "state": req.query.get("state", "")})
        )
        return Resp(302, b"", {"Location": target, "Content-Type": "text/plain"})

    def getuserinfo(self, req: Req) -> Resp:
        if not self._token_ok(req):
            return _err(40014, "invalid access_token")
        code = req.query.get("code", "")
        if code not in self.codes:
            return _err(40029, "invalid code")
        userid = self.codes.pop(code)  # single use
        if userid is None or userid not in self.users:
            return Resp(200, {"errcode": 0, "errmsg": "ok", "openid": "oOutsider" + code[:6]})
        return Resp(200, {"errcode": 0, "errmsg": "ok", "userid": userid})

    def send(self, req: Req) -> Resp:
        if not self._token_ok(req):
            return _err(40014, "invalid access_token")
        body = req.json()
        if str(body.get("agentid")) != AGENT_ID:
            return _err(40056, "invalid agentid")
        if body.get("touser") not in self.users:
            return Resp(200, {"errcode": 0, "errmsg": "ok", "invaliduser": body.get("touser")})
        answer: dict[str, Any] = {"errcode": 0, "errmsg": "ok", "msgid": secrets.token_hex(8)}
        if body["msgtype"] == "template_card":
            code = secrets.token_hex(10)
            answer["response_code"] = code
            self.cards[code] = {"touser": body["touser"], "card": body["template_card"], "final": None}
        with self.lock:
            self.sent.append(body)
        return Resp(200, answer)

    def update(self, req: Req) -> Resp:
        if not self._token_ok(req):
            return _err(40014, "invalid access_token")
        body = req.json()
        card = self.cards.get(body.get("response_code", ""))
        if card is None:
            return _err(40003, "invalid response_code")
        if card["final"] is not None:
            return _err(40004, "response_code already used")  # one update per code, as documented
        card["final"] = body["button"]["replace_name"]
        with self.lock:
            self.updates.append(body)
        return Resp(200, {"errcode": 0, "errmsg": "ok"})

    def department_list(self, req: Req) -> Resp:
        if not self._token_ok(req):
            return _err(40014, "invalid access_token")
        return Resp(200, {"errcode": 0, "errmsg": "ok", "department": self.departments})

    def user_list(self, req: Req) -> Resp:
        if not self._token_ok(req):
            return _err(40014, "invalid access_token")
        dept = int(req.query.get("department_id", "0"))
        users = [{"userid": uid, **u} for uid, u in self.users.items() if dept in u["department"]]
        return Resp(200, {"errcode": 0, "errmsg": "ok", "userlist": users})

    # --- the platform calling the service ------------------------------------------------------

    def cards_for(self, userid: str) -> list[tuple[str, dict[str, Any]]]:
        return [(code, c) for code, c in self.cards.items() if c["touser"] == userid]

    def envelope(
        self, xml: str, *, timestamp: str | None = None, nonce: str | None = None
    ) -> tuple[dict[str, str], bytes]:
        ts = timestamp or str(int(time.time()))
        nonce = nonce or secrets.token_hex(5)
        encrypted = crypto.wx_encrypt(AES_KEY, xml.encode(), CORP_ID)
        signature = crypto.sha1_signature(TOKEN, ts, nonce, encrypted)
        body = (
            f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName><AgentID><![CDATA[{AGENT_ID}]]></AgentID>"
            f"<Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
        ).encode()
        return {"msg_signature": signature, "timestamp": ts, "nonce": nonce}, body

    def post(self, url: str, query: dict[str, str], body: bytes) -> httpx.Response:
        self.last_callback = (query, body)
        return httpx.post(url, params=query, content=body, headers={"Content-Type": "text/xml"}, timeout=30)

    def click(self, url: str, userid: str, response_code: str, button: str) -> httpx.Response:
        card = self.cards[response_code]["card"]
        xml = (
            f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName><FromUserName><![CDATA[{userid}]]></FromUserName>"
            f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
            f"<Event><![CDATA[template_card_event]]></Event><EventKey><![CDATA[{button}]]></EventKey>"
            f"<TaskId><![CDATA[{card['task_id']}]]></TaskId><CardType><![CDATA[button_interaction]]></CardType>"
            f"<ResponseCode><![CDATA[{response_code}]]></ResponseCode><AgentID>{AGENT_ID}</AgentID></xml>"
        )
        query, body = self.envelope(xml)
        return self.post(url, query, body)

    def contact_event(self, url: str, change: str, userid: str) -> httpx.Response:
        xml = (
            f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName>"
            f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
            f"<Event><![CDATA[change_contact]]></Event><ChangeType><![CDATA[{change}]]></ChangeType>"
            f"<UserID><![CDATA[{userid}]]></UserID></xml>"
        )
        query, body = self.envelope(xml)
        return self.post(url, query, body)
