"""Admin: the controls (hand-over rule, when budget spend is consumed), delegations (list,
revoke), reassigning open tasks, and API keys. Each change is recorded on the audit trail."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from reimburse.api.admin import _admin, _record
from reimburse.api.deps import CurrentPrincipal, SessionDep
from reimburse.claims import access, handover
from reimburse.core.controls import get_control, set_control
from reimburse.core.db import utcnow
from reimburse.core.errors import InvalidInput, NotFound
from reimburse.core.principal import Principal
from reimburse.identity.approvers import assignable
from reimburse.identity.records import DelegationRecord, UserRecord

router = APIRouter(tags=["admin"], prefix="/admin")
mine = APIRouter(tags=["delegations"], prefix="/delegations")  # people manage their own


class HandoverIn(BaseModel):
    mode: Literal["manager", "fallback"] = "manager"
    # role (or "*" for anyone) -> the user who takes a leaver's work
    fallbacks: dict[str, int] = Field(default_factory=dict, max_length=50)


class BudgetConsumptionIn(BaseModel):
    at: Literal["approval", "payment"]


@router.get("/controls")
def get_controls(principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    _admin(principal)
    return {
        "handover": get_control(session, "handover"),
        "budget_consume_at": get_control(session, "budget_consume_at"),
    }


@router.put("/controls/handover")
def put_handover(body: HandoverIn, principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    _admin(principal)
    for role, user_id in body.fallbacks.items():
        try:
            assignable(session, user_id)
        except InvalidInput as exc:
            raise InvalidInput(f"fallback for {role!r}: {exc}", code="invalid_assignee") from exc
    value = body.model_dump()
    before = set_control(session, "handover", value)
    _record(session, principal, "control:handover", "control.set", {"before": before, "after": value})
    return value


@router.put("/controls/budget-consumption")
def put_budget_consumption(
    body: BudgetConsumptionIn, principal: CurrentPrincipal, session: SessionDep
) -> dict[str, Any]:
    _admin(principal)
    before = set_control(session, "budget_consume_at", body.at)
    _record(
        session, principal, "control:budget_consume_at", "control.set", {"before": before, "after": body.at}
    )
    return {"budget_consume_at": body.at}


def _delegation_view(d: DelegationRecord) -> dict[str, Any]:
    return {"id": d.id, "user_id": d.user_id, "delegate_id": d.delegate_id,
            "starts_on": d.starts_on.isoformat(), "ends_on": d.ends_on.isoformat()}  # fmt: skip


@router.get("/delegations")
def list_delegations(principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    _admin(principal)
    return {
        "items": [
            _delegation_view(d)
            for d in session.scalars(select(DelegationRecord).order_by(DelegationRecord.id))
        ]
    }


@router.delete("/delegations/{delegation_id}")
def revoke_delegation(delegation_id: int, principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    _admin(principal)
    return _revoke(session, principal, delegation_id)


@mine.get("")
def my_delegations(principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    """The delegations I gave or hold."""
    me = principal.user_id or -1
    query = select(DelegationRecord).where(
        or_(DelegationRecord.user_id == me, DelegationRecord.delegate_id == me)
    )
    return {"items": [_delegation_view(d) for d in session.scalars(query.order_by(DelegationRecord.id))]}


@mine.delete("/{delegation_id}")
def revoke_my_delegation(
    delegation_id: int, principal: CurrentPrincipal, session: SessionDep
) -> dict[str, Any]:
    row = session.get(DelegationRecord, delegation_id)
    if row is None or row.user_id != principal.user_id:
        raise NotFound(f"delegation {delegation_id} not found")
    return _revoke(session, principal, delegation_id)


def _revoke(session: Session, principal: Principal, delegation_id: int) -> dict[str, Any]:
    row = session.get(DelegationRecord, delegation_id)
    if row is None:
        raise NotFound(f"delegation {delegation_id} not found")
    view = _delegation_view(row)
    handover.revoke_delegation(session, row)
    _record(session, principal, f"delegation:{delegation_id}", "delegation.revoke", view)
    return {**view, "revoked": True}


class ReassignIn(BaseModel):
    to_user_id: int
    comment: str = Field(default="", max_length=2000)


@router.post("/claims/{claim_id}/tasks/{task_id}/reassign")
def reassign(
    claim_id: int, task_id: str, body: ReassignIn, principal: CurrentPrincipal, session: SessionDep
) -> dict[str, Any]:
    """Move any open task to an active approver (the move is on the claim's timeline)."""
    _admin(principal)
    claim = access.claim_for(session, principal, claim_id)
    handover.reassign_task(
        session, claim, task_id, body.to_user_id, principal.subject, utcnow(), body.comment
    )
    return {"claim_id": claim.id, "task_id": task_id, "to_user_id": body.to_user_id, "status": claim.status}


@router.post("/users/{user_id}/hand-over")
def hand_over_again(user_id: int, principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    """Run the hand-over of a deactivated user again (after fixing the rule for stranded work)."""
    _admin(principal)
    user = session.get(UserRecord, user_id)
    if user is None:
        raise NotFound(f"user {user_id} not found")
    if user.active:
        raise InvalidInput("hand-over is for deactivated users", code="user_active")
    result = handover.hand_over(session, user, principal.subject, utcnow())
    _record(session, principal, f"user:{user_id}", "user.hand_over", result)
    return result
