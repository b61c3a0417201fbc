"""Stored routing state beside a claim's route: the open tasks (inboxes), the audit chain, SLA
timers, and the admin-saved versions of the approval flows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from reimburse.core.db import Base, UTCDateTime, utcnow


class ApprovalTaskRecord(Base):
    """The open tasks of running claims, one row per person who may act on a task (the
    assignee, and whoever stands in for them): the approvers' inboxes, one indexed lookup.

    Derived from the claim's stored route after every transition; the route is the truth.
    """

    __tablename__ = "approval_tasks"
    __table_args__ = (Index("ix_approval_tasks_user_open", "user_id", "open"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    task_key: Mapped[str] = mapped_column(String(64))
    step_name: Mapped[str] = mapped_column(String(128))
    user_id: Mapped[int] = mapped_column(Integer)
    assignee_id: Mapped[int] = mapped_column(Integer)
    open: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AuditEntryRecord(Base):
    """One entry of the installation's audit chain (see ``reimburse.audit.chain``): a claim
    transition, payment or edit (``claim_id`` set, ``seq`` the claim's own count), or an admin
    change (``claim_id`` empty). No foreign key: the trail outlives what it describes."""

    __tablename__ = "audit_entries"
    __table_args__ = (UniqueConstraint("claim_id", "seq"), UniqueConstraint("chain_seq"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chain_seq: Mapped[int] = mapped_column(Integer)
    claim_id: Mapped[int | None] = mapped_column(Integer, index=True)
    seq: Mapped[int | None] = mapped_column(Integer)
    subject: Mapped[str] = mapped_column(String(128), default="")
    actor: Mapped[str] = mapped_column(String(128))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    action: Mapped[str] = mapped_column(String(64))
    comment: Mapped[str] = mapped_column(Text, default="")
    state_before: Mapped[str] = mapped_column(String(32))
    state_after: Mapped[str] = mapped_column(String(32))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    material: Mapped[str] = mapped_column(String(64), default="")
    prev_hash: Mapped[str] = mapped_column(String(64))
    claim_prev_hash: Mapped[str] = mapped_column(String(64), default="")
    hash: Mapped[str] = mapped_column(String(64))


class RouteTimerRecord(Base):
    """A routing SLA timer waiting to fire (reminder, escalation): survives restarts."""

    __tablename__ = "route_timers"
    __table_args__ = (UniqueConstraint("claim_id", "timer_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    timer_key: Mapped[str] = mapped_column(String(128))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class FlowVersionRecord(Base):
    __tablename__ = "flow_versions"
    __table_args__ = (UniqueConstraint("flow_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    flow_id: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
