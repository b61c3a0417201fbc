"""Deliver messages: group-bot webhooks over HTTP (httpx) and e-mail over SMTP (smtplib).

Senders raise ``NotifyFailed`` with ``retryable`` set for failures worth retrying (network
errors, HTTP 5xx and 429, the platforms' rate-limit codes); a Celery task can retry those with
backoff and give up on the others. The clock is a parameter so that signatures are testable.
"""

from __future__ import annotations

import smtplib
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from reimburse.core.errors import ReimburseError
from reimburse.notify.channels import (
    dingtalk_payload,
    dingtalk_url,
    email_message,
    feishu_payload,
    wecom_payload,
)
from reimburse.notify.messages import Message

# Rate-limit answers: WeCom 45009 (API freq out of limit), DingTalk 130101 (send too fast),
# Feishu 11232 (frequency limited). Worth a retry later, unlike a bad key or a bad payload.
_RATE_LIMITED = {45009, 130101, 11232}


class NotifyFailed(ReimburseError):
    code = "notify_failed"
    status = 502

    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


@dataclass(frozen=True, slots=True)
class WeComBot:
    url: str  # https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=...
    markdown: bool = True


@dataclass(frozen=True, slots=True)
class DingTalkBot:
    url: str  # https://oapi.dingtalk.com/robot/send?access_token=...
    secret: str | None = None  # 加签 secret (starts with SEC)


@dataclass(frozen=True, slots=True)
class FeishuBot:
    url: str  # https://open.feishu.cn/open-apis/bot/v2/hook/...
    secret: str | None = None


@dataclass(frozen=True, slots=True)
class SmtpServer:
    host: str
    port: int = 25
    sender: str = "reimburse@localhost"
    username: str | None = None
    password: str | None = None
    starttls: bool = False
    ssl: bool = False  # SMTPS (port 465)
    timeout: float = 10.0


Bot = WeComBot | DingTalkBot | FeishuBot


class WebhookSender:
    """Posts to group bots; one ``httpx.Client`` per sender, reused across messages."""

    def __init__(
        self,
        client: httpx.Client | None = None,
        *,
        clock: Callable[[], float] = time.time,
        timeout: float = 10.0,
    ) -> None:
        self._client = client or httpx.Client(timeout=timeout)
        self._clock = clock

    def close(self) -> None:
        self._client.close()

    def request_for(self, bot: Bot, msg: Message) -> tuple[str, dict[str, Any]]:
        """The URL and JSON body that ``send`` posts (useful for logging a delivery)."""
        now = self._clock()
        if isinstance(bot, WeComBot):
            return bot.url, wecom_payload(msg, markdown=bot.markdown)
        if isinstance(bot, DingTalkBot):
            return dingtalk_url(bot.url, bot.secret, int(now * 1000)), dingtalk_payload(msg)
        return bot.url, feishu_payload(msg, secret=bot.secret, timestamp_s=int(now))

    def send(self, bot: Bot, msg: Message) -> dict[str, Any]:
        url, body = self.request_for(bot, msg)
        try:
            response = self._client.post(url, json=body)
        except httpx.HTTPError as exc:
            raise NotifyFailed(f"{type(bot).__name__}: {exc}", retryable=True) from exc
        if response.status_code >= 500 or response.status_code == 429:
            raise NotifyFailed(f"{type(bot).__name__}: HTTP {response.status_code}", retryable=True)
        if response.status_code >= 400:
            raise NotifyFailed(f"{type(bot).__name__}: HTTP {response.status_code}", retryable=False)
        try:
            answer: dict[str, Any] = response.json()
        except ValueError as exc:
            raise NotifyFailed(f"{type(bot).__name__}: answer is not JSON", retryable=True) from exc
        # WeCom and DingTalk answer errcode/errmsg, Feishu code/msg (older: StatusCode).
        code = answer.get("errcode", answer.get("code", answer.get("StatusCode", 0)))
        if code != 0:
            message = answer.get("errmsg") or answer.get("msg") or ""
            raise NotifyFailed(
                f"{type(bot).__name__}: error {code} {message}", retryable=code in _RATE_LIMITED
            )
        return answer


def send_email(server: SmtpServer, msg: Message, to: tuple[str, ...] | None = None) -> str:
    """Send one message to ``to`` (default: the message's recipients); returns its Message-ID."""
    recipients = to if to is not None else msg.recipient_emails
    if not recipients:
        raise NotifyFailed("no e-mail recipients", retryable=False)
    em = email_message(msg, sender=server.sender, to=recipients)
    try:
        smtp: smtplib.SMTP
        if server.ssl:
            smtp = smtplib.SMTP_SSL(
                server.host, server.port, timeout=server.timeout, context=ssl.create_default_context()
            )
        else:
            smtp = smtplib.SMTP(server.host, server.port, timeout=server.timeout)
        with smtp:
            if server.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if server.username:
                smtp.login(server.username, server.password or "")
            refused = smtp.send_message(em)
    except smtplib.SMTPRecipientsRefused as exc:
        raise NotifyFailed(f"SMTP refused all recipients: {sorted(exc.recipients)}", retryable=False) from exc
    except smtplib.SMTPResponseException as exc:
        raise NotifyFailed(
            f"SMTP {exc.smtp_code}: {exc.smtp_error!r}", retryable=400 <= exc.smtp_code < 500
        ) from exc
    except (OSError, smtplib.SMTPException) as exc:
        raise NotifyFailed(f"SMTP: {exc}", retryable=True) from exc
    if refused:
        raise NotifyFailed(f"SMTP refused some recipients: {sorted(refused)}", retryable=False)
    return str(em["Message-ID"])
