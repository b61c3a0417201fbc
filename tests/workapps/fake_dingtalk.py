"""A local DingTalk (钉钉) following the documented API; its callbacks are signed and encrypted."""

from __future__ import annotations

import json
import secrets
import time
from typing import Any
from urllib.parse import urlencode

import httpx

from reimburse.workapps import crypto
from tests.workapps.fakebase import FakeServer, Req, Resp

CORP_ID = "dingfakecorp0001"
AGENT_ID = "2000001"
APP_KEY = "dingfakeappkey0001"
APP_SECRET = "fake-dingtalk-app-secret-0123456789"
TOKEN = "dtToken77"
AES_KEY = "Nzk5ZjFiODIxMzkyNGMyNWIyMmFiZWZkNjIzNjIxYTg"
TEMPLATE = "fake-card-template.schema"


def _err(code: int, msg: str) -> Resp:
    return Resp(200, {"errcode": code, "errmsg": msg})


class FakeDingTalk(FakeServer):
    def __init__(self) -> None:
        super().__init__()
        self.tokens: set[str] = set()
        self.user_tokens: dict[str, str | None] = {}  # user access token -> userid (None: outsider)
        self.codes: dict[str, str | None] = {}
        self.signed_in: str | None = None
        self.departments: dict[int, dict[str, Any]] = {}
        self.users: dict[str, dict[str, Any]] = {}
        self.texts: list[dict[str, Any]] = []
        self.cards: dict[str, dict[str, Any]] = {}  # outTrackId -> card
        self.last_callback: tuple[dict[str, str], bytes] = ({}, b"")
        r = self.routes
        r[("GET", "/gettoken")] = self.gettoken
        r[("GET", "/oauth2/auth")] = self.authorize
        r[("POST", "/v1.0/oauth2/userAccessToken")] = self.user_access_token
        r[("GET", "/v1.0/contact/users/me")] = self.me
        r[("POST", "/topapi/user/getbyunionid")] = self.getbyunionid
        r[("POST", "/topapi/message/corpconversation/asyncsend_v2")] = self.asyncsend
        r[("POST", "/v1.0/im/interactiveCards/send")] = self.card_send
        r[("PUT", "/v1.0/im/interactiveCards")] = self.card_update
        r[("POST", "/topapi/v2/department/get")] = self.department_get
        r[("POST", "/topapi/v2/department/listsub")] = self.department_listsub
        r[("POST", "/topapi/v2/user/list")] = self.user_list

    def settings(self) -> dict[str, str]:
        return {
            "dingtalk_corp_id": CORP_ID,
            "dingtalk_agent_id": AGENT_ID,
            "dingtalk_app_key": APP_KEY,
            "dingtalk_app_secret": APP_SECRET,
            "dingtalk_token": TOKEN,
            "dingtalk_aes_key": AES_KEY,
            "dingtalk_card_template_id": TEMPLATE,
            "dingtalk_api_base": self.base,
        }

    def set_directory(
        self, departments: list[tuple[int, str, int | None, str]], members: dict[str, Any]
    ) -> None:
        self.departments = {i: {"name": n, "parent_id": p, "head": f"dt_{h}"} for i, n, p, h in departments}
        self.users = {
            f"dt_{u}": {"name": m["name"], "dept_id_list": [d], "email": m["email"], "active": True}
            for u, (d, m) in members.items()
        }

    def _ok(self, req: Req) -> bool:
        return req.query.get("access_token") in self.tokens

    def _v1_ok(self, req: Req) -> bool:
        return req.headers.get("x-acs-dingtalk-access-token") in self.tokens

    def gettoken(self, req: Req) -> Resp:
        if req.query.get("appkey") != APP_KEY or req.query.get("appsecret") != APP_SECRET:
            return _err(40089, "invalid appkey or appsecret")
        token = secrets.token_hex(16)
        self.tokens.add(token)
        return Resp(200, {"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": 7200})

    def authorize(self, req: Req) -> Resp:
        if req.query.get("client_id") != APP_KEY:
            return Resp(400, b"bad client_id", {"Content-Type": "text/plain"})
        code = secrets.token_urlsafe(12)
        self.codes[code] = self.signed_in
        target = (
            req.query["redirect_uri"]
            + "?"
            + urlencode({"authCode": code, "code": code, "state": req.query["state"]})
        )
        return Resp(302, b"", {"Location": target, "Content-Type": "text/plain"})

    def user_access_token(self, req: Req) -> Resp:
        body = req.json()
        if body.get("clientId") != APP_KEY or body.get("clientSecret") != APP_SECRET:
            return Resp(400, {"code": "invalidClientId", "message": "bad client"})
        if body.get("code") not in self.codes:
            return Resp(400, {"code": "invalidAuthCode", "message": "code invalid or used"})
        token = secrets.token_hex(12)
        self.user_tokens[token] = self.codes.pop(body["code"])
        return Resp(200, {"accessToken": token, "refreshToken": "r", "expireIn": 7200})

    def me(self, req: Req) -> Resp:
        token = req.headers.get("x-acs-dingtalk-access-token", "")
        if token not in self.user_tokens:
            return Resp(401, {"code": "InvalidAuthentication", "message": "bad token"})
        who = self.user_tokens[token]
        return Resp(200, {"nick": who or "outsider", "unionId": f"union-{who or 'outsider'}"})

    def getbyunionid(self, req: Req) -> Resp:
        if not self._ok(req):
            return _err(88, "invalid access_token")
        who = req.json().get("unionid", "").removeprefix("union-")
        if who not in self.users:
            return _err(60121, "找不到该用户")
        return Resp(200, {"errcode": 0, "errmsg": "ok", "result": {"contact_type": 0, "userid": who}})

    def asyncsend(self, req: Req) -> Resp:
        if not self._ok(req):
            return _err(88, "invalid access_token")
        body = req.json()
        if str(body.get("agent_id")) != AGENT_ID:
            return _err(40056, "bad agent_id")
        with self.lock:
            self.texts.append({"touser": body["userid_list"], **body["msg"]["action_card"]})
        return Resp(200, {"errcode": 0, "task_id": secrets.randbelow(10**9), "request_id": "r"})

    def card_send(self, req: Req) -> Resp:
        if not self._v1_ok(req):
            return Resp(401, {"code": "InvalidAuthentication", "message": "bad token"})
        body = req.json()
        if body.get("cardTemplateId") != TEMPLATE or body.get("robotCode") != APP_KEY:
            return Resp(400, {"code": "param.error", "message": "bad template or robot"})
        (user,) = body["receiverUserIdList"]
        self.cards[body["outTrackId"]] = {
            "touser": user,
            "data": body["cardData"]["cardParamMap"],
            "final": None,
        }
        return Resp(200, {"success": True, "result": {"processQueryKeys": [secrets.token_hex(6)]}})

    def card_update(self, req: Req) -> Resp:
        if not self._v1_ok(req):
            return Resp(401, {"code": "InvalidAuthentication", "message": "bad token"})
        body = req.json()
        card = self.cards.get(body.get("outTrackId", ""))
        if card is None:
            return Resp(400, {"code": "param.error", "message": "unknown outTrackId"})
        card["data"] = body["cardData"]["cardParamMap"]
        card["final"] = card["data"].get("status") or None
        return Resp(200, {"success": True, "result": True})

    def department_get(self, req: Req) -> Resp:
        if not self._ok(req):
            return _err(88, "invalid access_token")
        dept_id = int(req.json()["dept_id"])
        d = self.departments[dept_id]
        result = {"dept_id": dept_id, "name": d["name"], "parent_id": d["parent_id"] or 0,
                  "dept_manager_userid_list": [d["head"]]}  # fmt: skip
        return Resp(200, {"errcode": 0, "result": result})

    def department_listsub(self, req: Req) -> Resp:
        if not self._ok(req):
            return _err(88, "invalid access_token")
        parent = int(req.json()["dept_id"])
        subs = [{"dept_id": i, "name": d["name"], "parent_id": parent}
                for i, d in self.departments.items() if d["parent_id"] == parent]  # fmt: skip
        return Resp(200, {"errcode": 0, "result": subs})

    def user_list(self, req: Req) -> Resp:
        if not self._ok(req):
            return _err(88, "invalid access_token")
        body = req.json()
        members = [
            {"userid": uid, **u} for uid, u in self.users.items() if int(body["dept_id"]) in u["dept_id_list"]
        ]
        start, size = int(body.get("cursor", 0)), int(body.get("size", 100))
        page = members[start : start + size]
        more = start + size < len(members)
        return Resp(
            200, {"errcode": 0, "result": {"has_more": more, "next_cursor": start + size, "list": page}}
        )

    # --- DingTalk calling the service ----------------------------------------------------------

    def post_event(self, url: str, data: dict[str, Any]) -> httpx.Response:
        ts, nonce = str(int(time.time() * 1000)), secrets.token_hex(4)
        encrypted = crypto.wx_encrypt(AES_KEY, json.dumps(data).encode(), APP_KEY)
        query = {
            "signature": crypto.sha1_signature(TOKEN, ts, nonce, encrypted),
            "timestamp": ts,
            "nonce": nonce,
        }
        body = json.dumps({"encrypt": encrypted}).encode()
        self.last_callback = (query, body)
        r = httpx.post(
            url, params=query, content=body, headers={"Content-Type": "application/json"}, timeout=30
        )
        if r.status_code == 200:  # the service must answer the encrypted "success"
            a = r.json()
            assert a["msg_signature"] == crypto.sha1_signature(
                TOKEN, a["timeStamp"], a["nonce"], a["encrypt"]
            )
            assert crypto.wx_decrypt(AES_KEY, a["encrypt"], APP_KEY) == b"success"
        return r

    def click(self, url: str, userid: str, ref: str, action: str, comment: str = "") -> httpx.Response:
        params = {"comment": comment} if comment else {}
        content = {"cardPrivateData": {"actionIds": [action], "params": params}}
        data = {"outTrackId": ref, "corpId": CORP_ID, "userId": userid, "content": json.dumps(content)}
        return self.post_event(url, data)

    def leave(self, url: str, userid: str) -> httpx.Response:
        return self.post_event(url, {"EventType": "user_leave_org", "UserId": [userid], "CorpId": CORP_ID,
                                     "TimeStamp": str(int(time.time() * 1000))})  # fmt: skip

    def outcome_titles(self, userid: str) -> list[tuple[str, str]]:
        return [(t["title"], t["single_url"]) for t in self.texts if t["touser"] == userid]
