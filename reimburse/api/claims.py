"""Claims: create, edit, check, submit, withdraw, act; the approver's inbox.

Thin: parse, call the expenses services, shape the answer. Access rules live in
``expenses.access``; errors become HTTP in ``api.errors``.
"""

from __future__ import annotations

import base64
import json
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Query
from pydantic import BaseModel, Field

from reimburse.api.deps import CurrentPrincipal, SessionDep
from reimburse.api.idempotent import idempotent
from reimburse.api.schemas import Claim, ClaimCheck, ClaimsPage, InboxPage, typed
from reimburse.claims import access, inbox, views
from reimburse.claims import service as claims
from reimburse.claims.assessment import assess_claim, preview
from reimburse.claims.evidence import extracted_for
from reimburse.core.db import utcnow
from reimburse.core.errors import InvalidInput
from reimburse.identity.org import load_org

router = APIRouter(tags=["claims"])
_CHANGE = (401, 403, 404, 409, 422)  # what a change to a claim can answer besides 200


class ItemIn(BaseModel):
    category: Literal["travel", "lodging", "meals", "transport", "office", "client_entertainment", "other"]
    amount: Decimal = Field(gt=0, max_digits=14, decimal_places=2)
    expense_date: date
    description: str = Field(default="", max_length=500)
    document_id: int | None = None
    result_index: int | None = Field(default=None, ge=0)
    fields: dict[str, str | None] | None = None
    no_invoice_kind: Literal["per_diem", "mileage"] | None = None
    no_invoice_reason: str | None = Field(default=None, max_length=500)
    attendees: int | None = Field(default=None, ge=1, le=1000)
    nights: int | None = Field(default=None, ge=1, le=365)
    city_tier: int | None = Field(default=None, ge=1, le=3)


class ClaimIn(BaseModel):
    purpose: str = Field(min_length=1, max_length=500)
    items: list[ItemIn] = Field(default_factory=list, max_length=200)
    trip_start: date | None = None
    trip_end: date | None = None
    cost_centre: str | None = Field(default=None, max_length=32)
    version: int | None = None  # for edits: the version the page showed


class ActionIn(BaseModel):
    # release/decline: finance's decision on a claim stopped by a bad tax-bureau answer
    action: Literal[
        "approve", "reject", "return", "transfer", "add_signer", "comment", "remind", "release", "decline"
    ]
    comment: str = Field(default="", max_length=2000)
    task_id: str | None = None
    to_user_id: int | None = None
    position: Literal["before", "after"] = "after"
    version: int | None = None


class WithdrawIn(BaseModel):
    comment: str = Field(default="", max_length=2000)


def _input(body: ClaimIn) -> claims.ClaimInput:
    return claims.ClaimInput(
        purpose=body.purpose,
        trip_start=body.trip_start,
        trip_end=body.trip_end,
        cost_centre=body.cost_centre,
        items=tuple(claims.ItemInput(**i.model_dump()) for i in body.items),
    )


@router.post("/claims", status_code=201, **typed(Claim, 401, 403, 422))
def create_claim(body: ClaimIn, principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    data = _input(body)
    claim = claims.create_claim(session, principal, data, extracted_for(session, principal, data), utcnow())
    return views.claim_view_with_timeline(session, claim)


@router.get("/claims", **typed(ClaimsPage, 401, 422))
def list_claims(
    principal: CurrentPrincipal,
    session: SessionDep,
    mine: bool = True,
    status: str | None = None,
    cursor: int | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> dict[str, Any]:
    rows, next_cursor = access.claims_page(
        session, principal, mine=mine, status=status, cursor=cursor, limit=limit
    )
    return {"items": [views.claim_summary(c) for c in rows], "next_cursor": next_cursor}


@router.get("/claims/{claim_id}", **typed(Claim, 401, 404, 422))
def get_claim(claim_id: int, principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    return views.claim_view_with_timeline(session, access.claim_for(session, principal, claim_id))


@router.patch("/claims/{claim_id}", **typed(Claim, *_CHANGE))
def edit_claim(
    claim_id: int, body: ClaimIn, principal: CurrentPrincipal, session: SessionDep
) -> dict[str, Any]:
    claim = access.claim_for(session, principal, claim_id)
    data = _input(body)
    claims.update_claim(
        session, principal, claim, data, body.version, extracted_for(session, principal, data), utcnow()
    )
    return views.claim_view_with_timeline(session, claim)


@router.post("/claims/{claim_id}/check", **typed(ClaimCheck, 401, 404, 422))
def check_claim(claim_id: int, principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    """Findings before submitting: duplicates, policy, budget — nothing is changed."""
    claim = access.claim_for(session, principal, claim_id)
    result = preview(session, claim)
    return {"score": result.score, "decision": result.decision, "findings": result.findings}


@router.post("/claims/{claim_id}/submit", **typed(Claim, *_CHANGE))
def submit_claim(
    claim_id: int,
    principal: CurrentPrincipal,
    session: SessionDep,
    idempotency_key: Annotated[str | None, Header()] = None,
) -> dict[str, Any]:
    def work() -> dict[str, Any]:
        claim = access.claim_for(session, principal, claim_id)
        claims.submit(session, principal, claim, assess=assess_claim, load_org=load_org, now=utcnow())
        return views.claim_view_with_timeline(session, claim)

    return idempotent(session, principal, f"claims/{claim_id}/submit", idempotency_key, {}, work)


@router.post("/claims/{claim_id}/withdraw", **typed(Claim, *_CHANGE))
def withdraw_claim(
    claim_id: int, body: WithdrawIn, principal: CurrentPrincipal, session: SessionDep
) -> dict[str, Any]:
    claim = access.claim_for(session, principal, claim_id)
    claims.withdraw(session, principal, claim, load_org=load_org, now=utcnow(), comment=body.comment)
    return views.claim_view_with_timeline(session, claim)


@router.post("/claims/{claim_id}/actions", **typed(Claim, *_CHANGE))
def act_on_claim(
    claim_id: int, body: ActionIn, principal: CurrentPrincipal, session: SessionDep
) -> dict[str, Any]:
    claim = access.claim_for(session, principal, claim_id)
    access.check_version(claim, body.version)
    claims.act(
        session,
        principal,
        claim,
        body.action,
        load_org=load_org,
        now=utcnow(),
        comment=body.comment,
        task_id=body.task_id,
        to_user_id=body.to_user_id,
        position=body.position,
    )
    return views.claim_view_with_timeline(session, claim)


def _inbox_cursor(at: inbox.Position) -> str:
    raw = json.dumps([at.since.isoformat(), str(at.total), at.task_row]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _inbox_position(cursor: str) -> inbox.Position:
    try:
        since, total, task_row = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        return inbox.Position(datetime.fromisoformat(since), Decimal(total), int(task_row))
    except (ValueError, TypeError, ArithmeticError) as exc:
        raise InvalidInput("the cursor is not one this inbox gave out", code="invalid_cursor") from exc


@router.get("/inbox", **typed(InboxPage, 401, 422))
def inbox_route(
    principal: CurrentPrincipal,
    session: SessionDep,
    # a phone screen shows about ten; the web app asks for the next page when it needs it
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    claim_id: int | None = None,
) -> dict[str, Any]:
    """What waits for me (or for someone I stand in for), oldest and largest first, a page at a
    time: ``next_cursor`` continues after the last task shown, even when tasks were decided in
    between; ``total`` counts the whole inbox; ``claim_id`` keeps one claim's tasks."""
    if principal.user_id is None:
        return {"items": [], "next_cursor": None, "total": 0}
    after = _inbox_position(cursor) if cursor is not None else None
    page = inbox.inbox_page(session, principal.user_id, limit, after, claim_id)
    return {
        "items": [
            {"task_id": r.task_key, "node": r.step_name, "claim": views.claim_summary(r)} for r in page.rows
        ],
        "next_cursor": _inbox_cursor(page.next) if page.next is not None else None,
        "total": page.total,
    }
