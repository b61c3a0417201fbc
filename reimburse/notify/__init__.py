"""Notifications of approval events: WeCom, DingTalk and Feishu group bots, and e-mail.

``render`` (messages) makes one channel-neutral ``Message`` from an engine ``Notify`` effect;
``channels`` builds each platform's payload; ``senders`` delivers over HTTP and SMTP.
"""

from reimburse.notify.dispatch import Delivery, Dispatcher
from reimburse.notify.messages import ClaimSummary, Message, Person, render
from reimburse.notify.senders import (
    DingTalkBot,
    FeishuBot,
    NotifyFailed,
    SmtpServer,
    WebhookSender,
    WeComBot,
    send_email,
)

__all__ = [
    "ClaimSummary",
    "Delivery",
    "DingTalkBot",
    "Dispatcher",
    "FeishuBot",
    "Message",
    "NotifyFailed",
    "Person",
    "SmtpServer",
    "WeComBot",
    "WebhookSender",
    "render",
    "send_email",
]
