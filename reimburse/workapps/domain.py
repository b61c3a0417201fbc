"""Values the platforms and the service exchange, and the one protocol each platform implements."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol


class Platform(StrEnum):
    WECOM = "wecom"
    DINGTALK = "dingtalk"
    FEISHU = "feishu"


LABELS = {Platform.WECOM: "企业微信", Platform.DINGTALK: "钉钉", Platform.FEISHU: "飞书"}


@dataclass(frozen=True, slots=True)
class Text:
    """A personal message: title, lines, a link to the claim."""

    title: str
    lines: tuple[str, ...]
    url: str


@dataclass(frozen=True, slots=True)
class Card:
    """An approval card. ``key`` goes into the buttons and comes back in the click callback."""

    title: str
    lines: tuple[str, ...]
    url: str
    key: str
    final: str | None = None  # set: the card is closed and shows this instead of the buttons
    review_url: str = ""  # the reject screen, for platforms whose cards cannot ask for a reason


@dataclass(frozen=True, slots=True)
class PlatformDepartment:
    id: str
    name: str
    parent_id: str | None
    heads: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PlatformUser:
    id: str
    name: str
    departments: tuple[str, ...] = ()
    email: str | None = None
    mobile: str | None = None
    active: bool = True
    employee_number: str | None = None  # DingTalk job_number, Feishu employee_no (fills an empty one)


@dataclass(frozen=True, slots=True)
class Directory:
    departments: tuple[PlatformDepartment, ...]
    users: tuple[PlatformUser, ...]


# --- what a callback says ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class UrlCheck:
    """The platform checks the callback URL: answer ``echo``."""

    echo: str


@dataclass(frozen=True, slots=True)
class CardClick:
    """Someone pressed a card button. ``replay_key`` is unique per platform delivery."""

    replay_key: str
    user_id: str
    card_key: str
    action: str  # approve | reject
    comment: str = ""
    sent_at: float | None = None  # the platform's timestamp (epoch seconds), when it gives one


class ChangeKind(StrEnum):
    USER_CREATED = "user_created"
    USER_UPDATED = "user_updated"
    USER_LEFT = "user_left"  # deleted, disabled, resigned: access ends at once
    DEPARTMENT_CHANGED = "department_changed"


@dataclass(frozen=True, slots=True)
class DirectoryChange:
    replay_key: str
    kind: ChangeKind
    user_ids: tuple[str, ...] = ()
    department_id: str | None = None
    sent_at: float | None = None


@dataclass(frozen=True, slots=True)
class Ignored:
    what: str


Inbound = UrlCheck | CardClick | DirectoryChange | Ignored


@dataclass(frozen=True, slots=True)
class CallbackRequest:
    method: str
    query: Mapping[str, str]
    headers: Mapping[str, str]  # lower-case names
    body: bytes


@dataclass(frozen=True, slots=True)
class Reply:
    body: bytes
    media_type: str = "text/plain"
    extra: dict[str, str] = field(default_factory=dict)


class WorkAppError(Exception):
    """The platform refused or could not be reached; ``retryable`` for network and rate limits."""

    def __init__(self, message: str, *, retryable: bool = False) -> None:
        super().__init__(message)
        self.message, self.retryable = message, retryable


class WorkApp(Protocol):
    """One platform. Adapters talk HTTP to ``api_base``; tests point it at a local fake."""

    platform: Platform

    def login_url(self, redirect_uri: str, state: str, *, qr: bool) -> str:
        """Where the browser goes to sign in (inside the work app, or by QR code on a desktop)."""
        ...

    def user_for_code(self, code: str, redirect_uri: str) -> str | None:
        """The platform user id behind a one-time OAuth code (None: not a member of the company)."""
        ...

    def send_text(self, user_id: str, message: Text) -> str: ...

    def send_card(self, user_id: str, card: Card) -> str:
        """Send the card; returns the reference ``update_card`` needs."""
        ...

    def update_card(self, user_id: str, ref: str, card: Card) -> None: ...

    def open_callback(self, request: CallbackRequest) -> Inbound:
        """Verify and decrypt a callback; raises ``crypto.CallbackRefused`` if it is not genuine."""
        ...

    def reply(self, inbound: Inbound, text: str) -> Reply:
        """What to answer the platform (encrypted where the platform wants it)."""
        ...

    def directory(self) -> Directory: ...

    def check(self) -> None:
        """Fetch an access token: raises ``WorkAppError`` when the configuration is wrong."""
        ...
