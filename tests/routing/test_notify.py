"""Notifications end to end against a real local HTTP server and a real local SMTP server."""

from __future__ import annotations

import base64
import email
import hashlib
import hmac
import json
import socketserver
import threading
from collections.abc import Iterator
from decimal import Decimal
from email.message import Message as MimeMessage
from email.policy import default as default_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote_plus, urlsplit

import pytest

from reimburse.notify import (
    ClaimSummary,
    DingTalkBot,
    FeishuBot,
    Message,
    NotifyFailed,
    Person,
    SmtpServer,
    WebhookSender,
    WeComBot,
    render,
    send_email,
)
from reimburse.notify.channels import dingtalk_sign, feishu_sign, wecom_payload
from reimburse.notify.messages import truncate_utf8
from reimburse.routing.domain import Notify, NotifyKind

CLAIM = ClaimSummary(
    "C7", "华东客户拜访差旅", "员工甲", Decimal("12345.6"), url="https://reimburse.example.test/c/C7"
)
PEOPLE = {
    "east_head": Person("east_head", "华东经理", "east@example.test", "13800000001"),
    "alice": Person("alice", "员工甲", "alice@example.test", None),
}
SECRET = "SECtest-secret-0123"
NOW = 1_767_225_600.25  # a fixed clock


def message(kind: NotifyKind = NotifyKind.ASSIGNED, comment: str = "") -> Message:
    effect = Notify("C7", kind, ("east_head",), step_id="dept_head", actor="alice", comment=comment)
    return render(effect, CLAIM, PEOPLE, step_name="部门负责人审批")


# --- a bot server that checks what the platforms check ---------------------------------------


class BotServer(ThreadingHTTPServer):
    requests: list[dict[str, Any]]
    answer: tuple[int, dict[str, Any]] | None


class BotHandler(BaseHTTPRequestHandler):
    server: BotServer

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        raw = self.rfile.read(length)
        body = json.loads(raw.decode("utf-8"))
        url = urlsplit(self.path)
        self.server.requests.append(
            {
                "path": url.path,
                "raw_query": url.query,
                "query": {k: v[0] for k, v in parse_qs(url.query).items()},
                "content_type": self.headers["Content-Type"],
                "body": body,
            }
        )
        status, answer = self.server.answer or self._platform_answer(url.path, url.query, body)
        data = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _platform_answer(self, path: str, query: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if path.startswith("/robot/send"):  # DingTalk verifies timestamp + sign when present
            q = parse_qs(query)
            if "sign" in q:
                ts = q["timestamp"][0]
                expected = base64.b64encode(
                    hmac.new(SECRET.encode(), f"{ts}\n{SECRET}".encode(), hashlib.sha256).digest()
                ).decode()
                if q["sign"][0] != expected:  # parse_qs already URL-decoded it
                    return 200, {"errcode": 310000, "errmsg": "sign not match"}
            return 200, {"errcode": 0, "errmsg": "ok"}
        if path.startswith("/open-apis/bot/v2/hook/"):
            if "sign" in body:
                key = f"{body['timestamp']}\n{SECRET}".encode()
                expected = base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
                if body["sign"] != expected:
                    return 200, {"code": 19021, "msg": "sign match fail", "data": {}}
            return 200, {"code": 0, "msg": "success", "data": {}}
        return 200, {"errcode": 0, "errmsg": "ok"}

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def bot_server() -> Iterator[BotServer]:
    server = BotServer(("127.0.0.1", 0), BotHandler)
    server.requests = []
    server.answer = None
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def base(server: BotServer) -> str:
    host, port = server.server_address[:2]
    return f"http://{host!s}:{port}"


@pytest.fixture
def sender() -> Iterator[WebhookSender]:
    s = WebhookSender(clock=lambda: NOW, timeout=5)
    yield s
    s.close()


# --- message rendering -----------------------------------------------------------------------


def test_render() -> None:
    msg = message(NotifyKind.REJECTED, comment="发票抬头不符")
    assert msg.title == "报销单已驳回"
    assert msg.lines == (
        "报销单：C7  华东客户拜访差旅",
        "提交人：员工甲",
        "金额：¥12,345.60",
        "环节：部门负责人审批",
        "操作人：员工甲",
        "意见：发票抬头不符",
    )
    assert msg.mention_mobiles == ("13800000001",) and msg.recipient_emails == ("east@example.test",)
    assert msg.text.endswith("查看：https://reimburse.example.test/c/C7")


def test_truncation_counts_utf8_bytes() -> None:
    cut = truncate_utf8("审" * 3000, 4096)
    assert len(cut.encode()) <= 4096 and cut.endswith("…")
    payload = wecom_payload(Message(NotifyKind.CC, "t", ("长" * 5000,)), markdown=True)
    assert len(payload["markdown"]["content"].encode()) <= 4096


# --- WeCom -------------------------------------------------------------------------------------


def test_wecom_markdown_and_text(bot_server: BotServer, sender: WebhookSender) -> None:
    url = f"{base(bot_server)}/cgi-bin/webhook/send?key=k-123"
    assert sender.send(WeComBot(url), message()) == {"errcode": 0, "errmsg": "ok"}
    assert sender.send(WeComBot(url, markdown=False), message()) == {"errcode": 0, "errmsg": "ok"}
    md, text = bot_server.requests
    assert md["path"] == "/cgi-bin/webhook/send" and md["query"] == {"key": "k-123"}
    assert md["content_type"] == "application/json"
    assert md["body"]["msgtype"] == "markdown"
    assert md["body"]["markdown"]["content"].startswith("### 待您审批\n> 报销单：C7")
    assert "[查看报销单](https://reimburse.example.test/c/C7)" in md["body"]["markdown"]["content"]
    assert text["body"] == {
        "msgtype": "text",
        "text": {"content": message().text, "mentioned_mobile_list": ["13800000001"]},
    }


def test_wecom_error_code_is_raised(bot_server: BotServer, sender: WebhookSender) -> None:
    bot_server.answer = (200, {"errcode": 93000, "errmsg": "invalid webhook url"})
    with pytest.raises(NotifyFailed) as exc:
        sender.send(WeComBot(f"{base(bot_server)}/cgi-bin/webhook/send?key=bad"), message())
    assert exc.value.retryable is False and "93000" in exc.value.message
    bot_server.answer = (200, {"errcode": 45009, "errmsg": "api freq out of limit"})
    with pytest.raises(NotifyFailed) as exc:
        sender.send(WeComBot(f"{base(bot_server)}/cgi-bin/webhook/send?key=k"), message())
    assert exc.value.retryable is True


# --- DingTalk ----------------------------------------------------------------------------------


def test_dingtalk_signed(bot_server: BotServer, sender: WebhookSender) -> None:
    bot = DingTalkBot(f"{base(bot_server)}/robot/send?access_token=tok", secret=SECRET)
    assert sender.send(bot, message()) == {"errcode": 0, "errmsg": "ok"}
    req = bot_server.requests[0]
    assert req["query"]["access_token"] == "tok"
    assert req["query"]["timestamp"] == str(int(NOW * 1000))
    # the sign travels URL-encoded exactly once
    assert unquote_plus(req["raw_query"].split("sign=")[1]) == req["query"]["sign"]
    body = req["body"]
    assert body["msgtype"] == "markdown" and body["markdown"]["title"] == "待您审批"
    assert body["at"] == {"atMobiles": ["13800000001"], "isAtAll": False}
    assert body["markdown"]["text"].endswith("@13800000001")


def test_dingtalk_wrong_secret_is_refused_by_the_server(bot_server: BotServer, sender: WebhookSender) -> None:
    bot = DingTalkBot(f"{base(bot_server)}/robot/send?access_token=tok", secret="SECwrong")
    with pytest.raises(NotifyFailed, match="310000"):
        sender.send(bot, message())


def test_dingtalk_sign_known_answer() -> None:
    # Recomputed independently with the documented recipe (HMAC key = secret).
    digest = hmac.new(b"SECx", b"1700000000000\nSECx", hashlib.sha256).digest()
    assert unquote_plus(dingtalk_sign("SECx", 1_700_000_000_000)) == base64.b64encode(digest).decode()


# --- Feishu ------------------------------------------------------------------------------------


def test_feishu_signed_post(bot_server: BotServer, sender: WebhookSender) -> None:
    bot = FeishuBot(f"{base(bot_server)}/open-apis/bot/v2/hook/abc", secret=SECRET)
    assert sender.send(bot, message())["code"] == 0
    body = bot_server.requests[0]["body"]
    assert body["timestamp"] == str(int(NOW)) and body["sign"] == feishu_sign(SECRET, int(NOW))
    post = body["content"]["post"]["zh_cn"]
    assert body["msg_type"] == "post" and post["title"] == "待您审批"
    assert post["content"][0] == [{"tag": "text", "text": "报销单：C7  华东客户拜访差旅"}]
    assert post["content"][-1] == [{"tag": "a", "text": "查看报销单", "href": CLAIM.url}]


def test_feishu_unsigned_and_bad_signature(bot_server: BotServer, sender: WebhookSender) -> None:
    sender.send(FeishuBot(f"{base(bot_server)}/open-apis/bot/v2/hook/abc"), message())
    assert "sign" not in bot_server.requests[0]["body"]
    with pytest.raises(NotifyFailed, match="19021"):
        sender.send(FeishuBot(f"{base(bot_server)}/open-apis/bot/v2/hook/abc", secret="other"), message())


def test_http_failures_are_retryable(bot_server: BotServer, sender: WebhookSender) -> None:
    bot_server.answer = (503, {})
    with pytest.raises(NotifyFailed) as exc:
        sender.send(WeComBot(f"{base(bot_server)}/cgi-bin/webhook/send?key=k"), message())
    assert exc.value.retryable
    bot_server.answer = (404, {})
    with pytest.raises(NotifyFailed) as exc:
        sender.send(WeComBot(f"{base(bot_server)}/cgi-bin/webhook/send?key=k"), message())
    assert not exc.value.retryable
    with pytest.raises(NotifyFailed) as exc:
        sender.send(WeComBot("http://127.0.0.1:9/cgi-bin/webhook/send?key=k"), message())  # nothing listens
    assert exc.value.retryable


# --- e-mail through a minimal real SMTP server -----------------------------------------------


class SmtpHandler(socketserver.StreamRequestHandler):
    """Just enough RFC 5321 for smtplib: EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT."""

    server: SmtpTestServer

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        self.reply("220 localhost test SMTP")
        sender, rcpts = "", list[str]()
        while True:
            line = self.rfile.readline()
            if not line:
                return
            cmd = line.decode().strip()
            verb = cmd.split(" ", 1)[0].upper()
            if verb == "EHLO":
                self.reply("250-localhost")
                self.reply("250 8BITMIME")
            elif verb == "HELO":
                self.reply("250 localhost")
            elif verb == "MAIL":
                sender, rcpts = cmd.split(":", 1)[1].strip().split()[0].strip("<>"), []
                self.reply("250 OK")
            elif verb == "RCPT":
                addr = cmd.split(":", 1)[1].strip().strip("<>")
                if addr.endswith("@refused.test"):
                    self.reply("550 no such user")
                else:
                    rcpts.append(addr)
                    self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 end with .")
                data = bytearray()
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data += chunk[1:] if chunk.startswith(b"..") else chunk
                self.server.mails.append((sender, list(rcpts), bytes(data)))
                self.reply("250 queued")
            elif verb in ("RSET", "NOOP"):
                self.reply("250 OK")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("502 not implemented")


class SmtpTestServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    mails: list[tuple[str, list[str], bytes]]


@pytest.fixture
def smtp_server() -> Iterator[SmtpTestServer]:
    server = SmtpTestServer(("127.0.0.1", 0), SmtpHandler)
    server.mails = []
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_email_is_delivered(smtp_server: SmtpTestServer) -> None:
    port = smtp_server.server_address[1]
    msg_id = send_email(SmtpServer("127.0.0.1", port, sender="reimburse@example.test"), message())
    [(sender, rcpts, data)] = smtp_server.mails
    assert sender == "reimburse@example.test" and rcpts == ["east@example.test"]
    parsed: MimeMessage = email.message_from_bytes(data, policy=default_policy)
    assert parsed["Subject"] == "[报销] 待您审批" and parsed["Message-ID"] == msg_id
    plain = parsed.get_body(("plain",))  # type: ignore[attr-defined]
    html = parsed.get_body(("html",))  # type: ignore[attr-defined]
    assert "金额：¥12,345.60" in plain.get_content()
    assert "<li>提交人：员工甲</li>" in html.get_content()


def test_email_refused_recipient(smtp_server: SmtpTestServer) -> None:
    port = smtp_server.server_address[1]
    with pytest.raises(NotifyFailed) as exc:
        send_email(SmtpServer("127.0.0.1", port), message(), to=("x@refused.test",))
    assert not exc.value.retryable and smtp_server.mails == []
    with pytest.raises(NotifyFailed, match="no e-mail recipients"):
        send_email(SmtpServer("127.0.0.1", port), Message(NotifyKind.CC, "t", ()))


def test_dispatcher_sends_to_every_channel_and_reports_each(
    bot_server: BotServer, smtp_server: SmtpTestServer, sender: WebhookSender
) -> None:
    from reimburse.notify import Dispatcher

    url = base(bot_server)
    dispatcher = Dispatcher(
        bots=(
            WeComBot(f"{url}/cgi-bin/webhook/send?key=k"),
            DingTalkBot(f"{url}/robot/send?access_token=t", secret=SECRET),
            FeishuBot(f"{url}/open-apis/bot/v2/hook/h", secret="wrong-secret"),
        ),
        smtp=SmtpServer("127.0.0.1", smtp_server.server_address[1]),
        sender=sender,
    )
    effect = Notify("C7", NotifyKind.ASSIGNED, ("east_head",), step_id="dept_head")
    results = dispatcher.deliver(effect, CLAIM, PEOPLE)
    assert [(r.channel, r.ok) for r in results] == [
        ("WeComBot", True),
        ("DingTalkBot", True),
        ("FeishuBot", False),  # the server refused the signature; the others still went out
        ("email", True),
    ]
    assert len(bot_server.requests) == 3 and len(smtp_server.mails) == 1
    # comments go to the people only, not to group chats
    comment = Notify("C7", NotifyKind.COMMENTED, ("east_head",), actor="alice", comment="请看附件")
    assert [r.channel for r in dispatcher.deliver(comment, CLAIM, PEOPLE)] == ["email"]
    assert len(bot_server.requests) == 3 and len(smtp_server.mails) == 2
