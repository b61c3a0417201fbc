"""What a notification says, independent of where it goes.

``render`` turns a ``Notify`` effect from the engine plus what the service knows about the claim
(``ClaimSummary``) and the people (``Person``) into a ``Message``: a title, plain lines, an
optional link and the mobiles to @-mention. The channel modules turn a ``Message`` into their own
payloads.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from reimburse.routing.domain import Notify, NotifyKind

TITLES: dict[NotifyKind, str] = {
    NotifyKind.ASSIGNED: "待您审批",
    NotifyKind.REMINDER: "审批提醒",
    NotifyKind.APPROVED: "报销单已通过",
    NotifyKind.REJECTED: "报销单已驳回",
    NotifyKind.RETURNED: "报销单已退回修改",
    NotifyKind.ESCALATED: "审批超时，已升级",
    NotifyKind.CC: "报销单抄送",
    NotifyKind.WITHDRAWN: "报销单已撤回",
    NotifyKind.COMMENTED: "报销单有新评论",
    NotifyKind.TRANSFERRED: "审批已转交给您",
}


@dataclass(frozen=True, slots=True)
class ClaimSummary:
    claim_id: str
    purpose: str
    submitter_name: str
    amount: Decimal
    currency: str = "CNY"
    url: str | None = None
    approvers: str = ""  # who holds the claim now (names), for group chats


@dataclass(frozen=True, slots=True)
class Person:
    id: str
    name: str
    email: str | None = None
    mobile: str | None = None


@dataclass(frozen=True, slots=True)
class Message:
    kind: NotifyKind
    title: str
    lines: tuple[str, ...]
    url: str | None = None
    mention_mobiles: tuple[str, ...] = ()
    recipient_emails: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        parts = [f"【{self.title}】", *self.lines]
        if self.url:
            parts.append(f"查看：{self.url}")
        return "\n".join(parts)


def money(amount: Decimal, currency: str = "CNY") -> str:
    symbol = "¥" if currency == "CNY" else f"{currency} "
    return f"{symbol}{amount:,.2f}"


def render(effect: Notify, claim: ClaimSummary, people: Mapping[str, Person], step_name: str = "") -> Message:
    """The message for one Notify effect; unknown user ids are shown as they are."""

    def name(uid: str | None) -> str:
        if uid is None:
            return ""
        if uid == "system":
            return "系统"
        person = people.get(uid)
        return person.name if person else uid

    lines = [
        f"报销单：{claim.claim_id}  {claim.purpose}",
        f"提交人：{claim.submitter_name}",
        f"金额：{money(claim.amount, claim.currency)}",
    ]
    if step_name or effect.step_id:
        lines.append(f"环节：{step_name or effect.step_id}")
    if effect.actor:
        lines.append(f"操作人：{name(effect.actor)}")
    if effect.comment:
        lines.append(f"意见：{effect.comment}")
    if claim.approvers:
        lines.append(f"审批人：{claim.approvers}")
    recipients = [people[r] for r in effect.recipients if r in people]
    return Message(
        kind=effect.event,
        title=TITLES[effect.event],
        lines=tuple(lines),
        url=claim.url,
        mention_mobiles=tuple(p.mobile for p in recipients if p.mobile),
        recipient_emails=tuple(p.email for p in recipients if p.email),
    )


def truncate_utf8(text: str, limit: int) -> str:
    """At most ``limit`` UTF-8 bytes, cut on a character boundary (the bots count bytes)."""
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    cut = data[: max(0, limit - 3)].decode("utf-8", errors="ignore")
    return cut + "…"
