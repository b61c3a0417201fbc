"""Cash advances (借款) and pre-approvals (事前申请): ask, pay out, repay, the balance.

The requests are approved like claims (``POST /claims/{id}/actions``, the approvers' inbox);
what happens to an advance after approval is here. Thin: parse, call the services, shape.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Header
from pydantic import BaseModel, Field

from reimburse.api import claims as claims_api
from reimburse.api.claims import ItemIn
from reimburse.api.deps import CurrentPrincipal, SessionDep
from reimburse.api.idempotent import idempotent
from reimburse.api.params import Day, Id, QueryId
from reimburse.api.schemas import Advance, AdvanceBalance, AdvanceBalances, Claim, typed
from reimburse.api.scopes import key_scope
from reimburse.claims import access, borrowing, views
from reimburse.claims import service as claims
from reimburse.core.db import utcnow
from reimburse.core.errors import Forbidden
from reimburse.core.principal import Principal, Role
from reimburse.identity.org import load_org

router = APIRouter(tags=["advances"])


class AdvanceIn(BaseModel):
    purpose: str = Field(min_length=1, max_length=500)
    amount: Decimal = Field(gt=0, max_digits=14, decimal_places=2)


class AdvancePaidIn(BaseModel):
    reference: str | None = Field(default=None, max_length=128)
    paid_at: datetime | None = None


class RepaymentIn(BaseModel):
    amount: Decimal = Field(gt=0, max_digits=14, decimal_places=2)
    reference: str | None = Field(default=None, max_length=128)


class PreApprovalIn(BaseModel):
    purpose: str = Field(min_length=1, max_length=500)
    trip_start: Day | None = None
    trip_end: Day | None = None
    lines: list[ItemIn] = Field(
        min_length=1, max_length=50, description="the estimate, one line per category"
    )


def _finance(principal: Principal, scope: str | None = None) -> None:
    if principal.has_role(Role.FINANCE, Role.ADMIN) or (scope is not None and scope in principal.scopes):
        return
    raise Forbidden(
        "needs the finance role" + (f" or the {scope} scope" if scope else ""), code="missing_scope"
    )


@router.post("/advances", status_code=201, **typed(Claim, 401, 403, 422))
def request_advance(body: AdvanceIn, principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    """Ask for a cash advance; it goes to its approval flow (department head, then finance) at once."""
    request = borrowing.request_advance(
        session, principal, purpose=body.purpose, amount=body.amount, load_org=load_org, now=utcnow()
    )
    return views.claim_view_with_timeline(session, request)


@router.get("/advances/balance", **typed(AdvanceBalance, 401, 403, 404, 422))
def advance_balance(
    principal: CurrentPrincipal, session: SessionDep, user_id: QueryId = None
) -> dict[str, Any]:
    """My advances (or, for finance, anyone's): outstanding, each offset and repayment."""
    if user_id is not None and user_id != principal.user_id:
        _finance(principal)
    person = user_id if user_id is not None else principal.user_id
    if person is None:
        raise Forbidden("say whose balance (user_id)", code="user_required")
    return borrowing.balance(session, person)


@router.get("/advances/balances", **typed(AdvanceBalances, 401, 403))
def advance_balances(principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    """Everyone with an advance and what they still owe (finance)."""
    _finance(principal)
    return {"items": borrowing.balances(session)}


@router.get("/advances/{request_id}", **typed(Advance, 401, 404, 422))
def get_advance(request_id: Id, principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    request = access.claim_for(session, principal, request_id)
    return borrowing.advance_view(session, borrowing.request_of(session, "advance", request.id))


@router.post("/advances/{request_id}/paid", **typed(Advance, 401, 403, 404, 409, 422))
@key_scope("payouts:write")
def pay_advance(
    request_id: Id,
    principal: CurrentPrincipal,
    session: SessionDep,
    body: AdvancePaidIn | None = None,
    idempotency_key: Annotated[str | None, Header(max_length=255)] = None,
) -> dict[str, Any]:
    """Finance paid the approved advance out (repeating the call changes nothing)."""
    _finance(principal, "payouts:write")
    data = body or AdvancePaidIn()

    def work() -> dict[str, Any]:
        request = borrowing.request_of(session, "advance", request_id)
        return borrowing.pay_advance(
            session,
            request,
            reference=data.reference,
            actor=principal.subject,
            now=utcnow(),
            paid_at=data.paid_at,
        )

    return idempotent(
        session, principal, f"advances/{request_id}/paid", idempotency_key, data.model_dump(mode="json"), work
    )


@router.post("/advances/{request_id}/repayments", **typed(Advance, 401, 403, 404, 409, 422))
def repay_advance(
    request_id: Id,
    body: RepaymentIn,
    principal: CurrentPrincipal,
    session: SessionDep,
    idempotency_key: Annotated[str | None, Header(max_length=255)] = None,
) -> dict[str, Any]:
    """Finance records cash returned against a paid advance (never more than is outstanding)."""
    _finance(principal)

    def work() -> dict[str, Any]:
        request = borrowing.request_of(session, "advance", request_id)
        return borrowing.repay_advance(
            session,
            request,
            amount=body.amount,
            reference=body.reference,
            actor=principal.subject,
            now=utcnow(),
        )

    return idempotent(
        session,
        principal,
        f"advances/{request_id}/repayments",
        idempotency_key,
        body.model_dump(mode="json"),
        work,
    )


@router.post("/pre-approvals", status_code=201, **typed(Claim, 401, 403, 409, 422))
def request_pre_approval(
    body: PreApprovalIn, principal: CurrentPrincipal, session: SessionDep
) -> dict[str, Any]:
    """Ask for a pre-approval (a trip, client entertainment) with its estimate: the budget is
    reserved now; a claim links it (``pre_approval_id``) once approved."""
    data = claims.ClaimInput(
        purpose=body.purpose,
        trip_start=body.trip_start,
        trip_end=body.trip_end,
        items=tuple(claims_api.item_input(line) for line in body.lines),
    )
    request = borrowing.request_pre_approval(session, principal, data, load_org=load_org, now=utcnow())
    return views.claim_view_with_timeline(session, request)
