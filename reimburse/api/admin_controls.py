"""Admin: the controls (hand-over rule, when budget spend is consumed), delegations (list,
revoke), reassigning open tasks, and API keys. Each change is recorded on the audit trail."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from reimburse.api import schemas as s
from reimburse.api.admin import _admin
from reimburse.api.deps import CurrentPrincipal, SessionDep
from reimburse.api.params import Id, RefId
from reimburse.api.schemas import typed
from reimburse.budgets import service as budgets
from reimburse.claims import access, delegations, handover
from reimburse.core.controls import get_control
from reimburse.core.db import utcnow

router = APIRouter(tags=["admin"], prefix="/admin")
mine = APIRouter(tags=["delegations"], prefix="/delegations")  # people manage their own


class HandoverIn(BaseModel):
    mode: Literal["manager", "fallback"] = "manager"
    # role (or "*" for anyone) -> the user who takes a leaver's work
    fallbacks: dict[Annotated[str, Field(max_length=32)], RefId] = Field(default_factory=dict, max_length=50)


class BudgetConsumptionIn(BaseModel):
    at: Literal["approval", "payment"]


@router.get("/controls", **typed(s.Controls))
def get_controls(principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    _admin(principal)
    return {
        "handover": get_control(session, "handover"),
        "budget_consume_at": get_control(session, "budget_consume_at"),
    }


@router.put("/controls/handover", **typed(s.HandoverRule))
def put_handover(body: HandoverIn, principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    _admin(principal)
    return handover.set_rule(session, body.model_dump(), principal.subject, utcnow())


@router.put("/controls/budget-consumption", **typed(s.BudgetConsumption))
def put_budget_consumption(
    body: BudgetConsumptionIn, principal: CurrentPrincipal, session: SessionDep
) -> dict[str, Any]:
    _admin(principal)
    return {"budget_consume_at": budgets.set_consume_at(session, body.at, principal.subject, utcnow())}


@router.get("/delegations", **typed(s.DelegationList))
def list_delegations(principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    _admin(principal)
    return {"items": delegations.listing(session)}


@router.delete("/delegations/{delegation_id}", **typed(s.RevokedDelegation, 404))
def revoke_delegation(delegation_id: Id, principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    _admin(principal)
    return delegations.revoke(session, principal, delegation_id, utcnow(), own_only=False)


@mine.get("", **typed(s.DelegationList))
def my_delegations(principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    """The delegations I gave or hold."""
    return {"items": delegations.listing(session, involving=principal.user_id or -1)}


@mine.delete("/{delegation_id}", **typed(s.RevokedDelegation, 404))
def revoke_my_delegation(
    delegation_id: Id, principal: CurrentPrincipal, session: SessionDep
) -> dict[str, Any]:
    return delegations.revoke(session, principal, delegation_id, utcnow(), own_only=True)


class ReassignIn(BaseModel):
    to_user_id: RefId
    comment: str = Field(default="", max_length=2000)


@router.post("/claims/{claim_id}/tasks/{task_id}/reassign", **typed(s.Reassigned, 404, 409, 422))
def reassign(
    claim_id: Id,
    task_id: Annotated[str, Path(max_length=64)],
    body: ReassignIn,
    principal: CurrentPrincipal,
    session: SessionDep,
) -> dict[str, Any]:
    """Move any open task to an active approver (the move is on the claim's timeline)."""
    _admin(principal)
    claim = access.claim_for(session, principal, claim_id)
    handover.reassign_task(
        session, claim, task_id, body.to_user_id, principal.subject, utcnow(), body.comment
    )
    return {"claim_id": claim.id, "task_id": task_id, "to_user_id": body.to_user_id, "status": claim.status}


@router.post("/users/{user_id}/hand-over", **typed(s.HandOver, 404, 422))
def hand_over_again(user_id: Id, principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    """Run the hand-over of a deactivated user again (after fixing the rule for stranded work)."""
    _admin(principal)
    return handover.hand_over_again(session, user_id, principal.subject, utcnow())
