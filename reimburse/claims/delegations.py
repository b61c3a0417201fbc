"""Out-of-office delegations: a delegate may act for someone over a date range. Admins set and
revoke any; people set and revoke their own. Each change is on the audit trail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from reimburse.audit import service as trail
from reimburse.claims import handover
from reimburse.core.errors import Forbidden, InvalidInput, NotFound
from reimburse.core.principal import Principal, Role
from reimburse.identity.approvers import assignable
from reimburse.identity.records import DelegationRecord, UserRecord


@dataclass(frozen=True)
class NewDelegation:
    user_id: int
    delegate_id: int
    starts_on: date
    ends_on: date


def view(d: DelegationRecord) -> dict[str, Any]:
    return {"id": d.id, "user_id": d.user_id, "delegate_id": d.delegate_id,
            "starts_on": d.starts_on.isoformat(), "ends_on": d.ends_on.isoformat()}  # fmt: skip


def create(session: Session, principal: Principal, new: NewDelegation, now: datetime) -> dict[str, Any]:
    if not principal.has_role(Role.ADMIN) and principal.user_id != new.user_id:
        raise Forbidden("you can delegate only your own approvals")
    if new.ends_on < new.starts_on or new.user_id == new.delegate_id:
        raise InvalidInput("a delegation needs another person and an end on or after its start")
    if session.get(UserRecord, new.user_id) is None:
        raise InvalidInput(f"user {new.user_id} does not exist", code="invalid_user")
    assignable(session, new.delegate_id)  # a delegate must be able to act
    row = DelegationRecord(
        user_id=new.user_id, delegate_id=new.delegate_id, starts_on=new.starts_on, ends_on=new.ends_on
    )
    session.add(row)
    session.flush()
    if row.starts_on <= now.date() <= row.ends_on:
        handover.apply_delegation(session, row)  # tasks already waiting reach the delegate too
    shown = view(row)
    trail.record_admin(session, f"delegation:{row.id}", "delegation.create", principal.subject, now, shown)
    return shown


def listing(session: Session, *, involving: int | None = None) -> list[dict[str, Any]]:
    """Every delegation, or those ``involving`` one person (given or held)."""
    query = select(DelegationRecord)
    if involving is not None:
        query = query.where(
            or_(DelegationRecord.user_id == involving, DelegationRecord.delegate_id == involving)
        )
    return [view(d) for d in session.scalars(query.order_by(DelegationRecord.id))]


def revoke(
    session: Session, principal: Principal, delegation_id: int, now: datetime, *, own_only: bool
) -> dict[str, Any]:
    """End a delegation at once. ``own_only``: the caller may revoke only one they gave (and
    learns nothing about anyone else's)."""
    row = session.get(DelegationRecord, delegation_id)
    if row is None or (own_only and row.user_id != principal.user_id):
        raise NotFound(f"delegation {delegation_id} not found")
    shown = view(row)
    handover.revoke_delegation(session, row)
    trail.record_admin(
        session, f"delegation:{delegation_id}", "delegation.revoke", principal.subject, now, shown
    )
    return {**shown, "revoked": True}
