"""Stored links between platform and local people, the messages sent, and what was seen once.

``workapp_seen`` makes callbacks, sign-in codes and processed outbox rows single-use: a
replayed callback hits the unique key and changes nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from reimburse.core.db import Base, UTCDateTime, utcnow


class WorkAppAccountRecord(Base):
    """A local user's id on one platform, as the directory gave it."""

    __tablename__ = "workapp_accounts"
    __table_args__ = (
        UniqueConstraint("platform", "platform_user_id"),
        UniqueConstraint("platform", "user_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    platform_user_id: Mapped[str] = mapped_column(String(128))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # the values the last sync wrote: a local value that differs was edited here by hand
    synced: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class WorkAppDepartmentRecord(Base):
    __tablename__ = "workapp_departments"
    __table_args__ = (UniqueConstraint("platform", "platform_department_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    platform_department_id: Mapped[str] = mapped_column(String(128))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)


class WorkAppMessageRecord(Base):
    """One personal message or approval card to one person, from one notification."""

    __tablename__ = "workapp_messages"
    __table_args__ = (UniqueConstraint("outbox_id", "platform", "user_id", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    outbox_id: Mapped[int] = mapped_column(Integer, index=True)
    platform: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[int] = mapped_column(Integer, index=True)
    platform_user_id: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(8))  # text | card
    claim_id: Mapped[int] = mapped_column(Integer, index=True)
    task_key: Mapped[str | None] = mapped_column(String(64))
    card_key: Mapped[str | None] = mapped_column(String(64), unique=True)  # random, in the buttons
    content: Mapped[dict[str, Any]] = mapped_column(JSON)  # title, lines, url
    ref: Mapped[str | None] = mapped_column(String(255))  # what the platform needs to update it
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)  # pending|sent|failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    final: Mapped[str | None] = mapped_column(String(255))  # a closed card shows this
    final_status: Mapped[str] = mapped_column(
        String(16), default="none", index=True
    )  # none|pending|done|failed
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class WorkAppSeenRecord(Base):
    __tablename__ = "workapp_seen"
    __table_args__ = (UniqueConstraint("platform", "kind", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16))  # callback | code | outbox
    key: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
