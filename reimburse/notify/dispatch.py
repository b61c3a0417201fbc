"""Send one ``Notify`` effect everywhere it should go.

The service layer calls ``Dispatcher.deliver`` from a background task (with the claim summary and
the people it loads by id). Every channel is tried even if one fails; the result lists what
happened per channel, so the task can log it and retry only the channels whose failure is
retryable.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from reimburse.notify.messages import ClaimSummary, Person, render
from reimburse.notify.senders import Bot, NotifyFailed, SmtpServer, WebhookSender, send_email
from reimburse.routing.domain import Notify, NotifyKind

# Group chats hear about decisions and work to do; comments and CCs go to the people only.
GROUP_KINDS = frozenset(
    {
        NotifyKind.ASSIGNED,
        NotifyKind.REMINDER,
        NotifyKind.APPROVED,
        NotifyKind.REJECTED,
        NotifyKind.RETURNED,
        NotifyKind.ESCALATED,
    }
)


@dataclass(frozen=True, slots=True)
class Delivery:
    channel: str
    ok: bool
    detail: str = ""
    retryable: bool = False


@dataclass
class Dispatcher:
    bots: Sequence[Bot] = ()
    smtp: SmtpServer | None = None
    group_kinds: frozenset[NotifyKind] = GROUP_KINDS
    sender: WebhookSender = field(default_factory=WebhookSender)
    public_url: str = ""  # links to the claim in the web app

    def deliver(
        self, effect: Notify, claim: ClaimSummary, people: Mapping[str, Person], step_name: str = ""
    ) -> list[Delivery]:
        msg = render(effect, claim, people, step_name)
        results: list[Delivery] = []
        if effect.event in self.group_kinds:
            for bot in self.bots:
                name = type(bot).__name__
                try:
                    self.sender.send(bot, msg)
                    results.append(Delivery(name, True))
                except NotifyFailed as exc:
                    results.append(Delivery(name, False, exc.message, exc.retryable))
        if self.smtp is not None and msg.recipient_emails:
            try:
                results.append(Delivery("email", True, send_email(self.smtp, msg)))
            except NotifyFailed as exc:
                results.append(Delivery("email", False, exc.message, exc.retryable))
        return results
