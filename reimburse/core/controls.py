"""Controls an admin sets at run time (hand-over rule for leavers, when budget spend is
consumed), stored as one JSON value per key so a new control needs no new table."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from reimburse.core.db import Base

DEFAULTS: dict[str, Any] = {
    # leavers' open tasks go to their manager; else to the fallback named for one of their roles
    # (first match in the order given), else to the fallback for "*"
    "handover": {"mode": "manager", "fallbacks": {}},
    "budget_consume_at": "approval",  # approval | payment
    # claim type -> the approval flow its claims run (claims.types); every type starts on the
    # company's default flow until an admin maps it to another
    "claim_types": {"expense": "default", "travel": "default", "entertainment": "default"},
}


class ControlSettingRecord(Base):
    __tablename__ = "control_settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)


def get_control(session: Session, key: str) -> Any:
    row = session.get(ControlSettingRecord, key)
    return row.value if row is not None else DEFAULTS[key]


def set_control(session: Session, key: str, value: Any) -> Any:
    """Store a control; returns the value it had before."""
    row = session.get(ControlSettingRecord, key)
    before = row.value if row is not None else DEFAULTS[key]
    if row is None:
        session.add(ControlSettingRecord(key=key, value=value))
    else:
        row.value = value
    session.flush()
    return before
