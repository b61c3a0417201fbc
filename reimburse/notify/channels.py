"""Payloads for the group bots of WeCom, DingTalk and Feishu/Lark, and e-mail messages.

Formats as documented by each platform for its custom group bot (webhook):

- WeCom 企业微信群机器人: ``POST https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=KEY`` with
  ``{"msgtype": "markdown", "markdown": {"content": ...}}`` (≤ 4096 bytes) or ``{"msgtype": "text",
  "text": {"content": ..., "mentioned_mobile_list": [...]}}`` (≤ 2048 bytes); answer
  ``{"errcode": 0, "errmsg": "ok"}``. Markdown cannot @-mention by mobile, text can.
- DingTalk 自定义机器人: ``POST https://oapi.dingtalk.com/robot/send?access_token=T`` with
  ``{"msgtype": "markdown", "markdown": {"title", "text"}, "at": {"atMobiles": [...], "isAtAll":
  false}}``; with 加签 the URL also carries ``timestamp`` (ms) and ``sign`` = URL-encoded
  base64(HMAC-SHA256(key=secret, msg=f"{timestamp}\\n{secret}")); answer ``{"errcode": 0}``.
  A mention shows only if ``@mobile`` also appears in the text.
- Feishu/Lark 自定义机器人: ``POST https://open.feishu.cn/open-apis/bot/v2/hook/ID`` with
  ``{"msg_type": "post", "content": {"post": {"zh_cn": {"title", "content": [[...]]}}}}``; with
  签名校验 the body also carries ``timestamp`` (seconds, as a string) and ``sign`` =
  base64(HMAC-SHA256(key=f"{timestamp}\\n{secret}", msg=b"")) — note the key/message swap
  compared with DingTalk; answer ``{"code": 0, "msg": "success"}``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from html import escape
from typing import Any
from urllib.parse import parse_qsl, quote_plus, urlencode, urlsplit, urlunsplit

from reimburse.notify.messages import Message, truncate_utf8

WECOM_MARKDOWN_LIMIT = 4096
WECOM_TEXT_LIMIT = 2048
DINGTALK_LIMIT = 20000
FEISHU_TEXT_LIMIT = 18000  # the whole request body must stay under 20 KB


# --- WeCom -------------------------------------------------------------------------------------


def wecom_payload(msg: Message, *, markdown: bool = True) -> dict[str, Any]:
    if markdown:
        body = [f"### {msg.title}", *(f"> {line}" for line in msg.lines)]
        if msg.url:
            body.append(f"[查看报销单]({msg.url})")
        content = truncate_utf8("\n".join(body), WECOM_MARKDOWN_LIMIT)
        return {"msgtype": "markdown", "markdown": {"content": content}}
    text: dict[str, Any] = {"content": truncate_utf8(msg.text, WECOM_TEXT_LIMIT)}
    if msg.mention_mobiles:
        text["mentioned_mobile_list"] = list(msg.mention_mobiles)
    return {"msgtype": "text", "text": text}


# --- DingTalk ----------------------------------------------------------------------------------


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """The ``sign`` query value (already URL-encoded, as DingTalk's own samples produce it)."""
    string_to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode("utf-8"), string_to_sign, hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest).decode("ascii"))


def dingtalk_url(webhook: str, secret: str | None, timestamp_ms: int) -> str:
    if not secret:
        return webhook
    parts = urlsplit(webhook)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k not in ("timestamp", "sign")]
    encoded = urlencode(query)
    extra = f"timestamp={timestamp_ms}&sign={dingtalk_sign(secret, timestamp_ms)}"
    return urlunsplit(parts._replace(query=f"{encoded}&{extra}" if encoded else extra))


def dingtalk_payload(msg: Message) -> dict[str, Any]:
    body = [f"### {msg.title}", *(f"- {line}" for line in msg.lines)]
    if msg.url:
        body.append(f"\n[查看报销单]({msg.url})")
    if msg.mention_mobiles:
        body.append(" ".join(f"@{m}" for m in msg.mention_mobiles))
    return {
        "msgtype": "markdown",
        "markdown": {"title": msg.title, "text": truncate_utf8("\n".join(body), DINGTALK_LIMIT)},
        "at": {"atMobiles": list(msg.mention_mobiles), "isAtAll": False},
    }


# --- Feishu / Lark -----------------------------------------------------------------------------


def feishu_sign(secret: str, timestamp_s: int) -> str:
    key = f"{timestamp_s}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode("ascii")


def feishu_payload(
    msg: Message, *, secret: str | None = None, timestamp_s: int | None = None
) -> dict[str, Any]:
    paragraphs: list[list[dict[str, str]]] = [
        [{"tag": "text", "text": truncate_utf8(line, FEISHU_TEXT_LIMIT)}] for line in msg.lines
    ]
    if msg.url:
        paragraphs.append([{"tag": "a", "text": "查看报销单", "href": msg.url}])
    payload: dict[str, Any] = {
        "msg_type": "post",
        "content": {"post": {"zh_cn": {"title": msg.title, "content": paragraphs}}},
    }
    if secret:
        if timestamp_s is None:
            raise ValueError("a signed Feishu message needs a timestamp")
        payload = {"timestamp": str(timestamp_s), "sign": feishu_sign(secret, timestamp_s), **payload}
    return payload


# --- E-mail ------------------------------------------------------------------------------------


def email_message(
    msg: Message, *, sender: str, to: tuple[str, ...], timestamp: float | None = None
) -> EmailMessage:
    """A multipart (text + HTML) message; the subject is UTF-8 encoded by ``EmailMessage``."""
    em = EmailMessage()
    em["Subject"] = f"[报销] {msg.title}"
    em["From"] = sender
    em["To"] = ", ".join(to)
    em["Date"] = formatdate(timestamp, localtime=False)
    em["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    em.set_content(msg.text)
    items = "".join(f"<li>{escape(line)}</li>" for line in msg.lines)
    link = f'<p><a href="{escape(msg.url)}">查看报销单</a></p>' if msg.url else ""
    em.add_alternative(f"<h3>{escape(msg.title)}</h3><ul>{items}</ul>{link}", subtype="html")
    return em
