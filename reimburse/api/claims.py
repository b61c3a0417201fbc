"""Claims: create, edit, check, submit, withdraw, act; the approver's inbox.

Thin: parse, call the expenses services, shape the answer. Access rules live in
``expenses.access``; errors become HTTP in ``api.errors``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field, field_validator

from reimburse.api.deps import CurrentPrincipal, SessionDep, SettingsDep
from reimburse.api.idempotent import idempotent
from reimburse.api.params import MAX_ID, Cursor, Day, Id, QueryId, RefId
from reimburse.api.schemas import Claim, ClaimCheck, ClaimsPage, DeletedClaim, Home, InboxPage, answers, typed
from reimburse.claims import access, home, inbox, views
from reimburse.claims import service as claims
from reimburse.claims.assessment import assess_claim, preview
from reimburse.claims.evidence import extracted_for
from reimburse.claims.splitting import Share
from reimburse.core.db import utcnow
from reimburse.core.errors import InvalidInput
from reimburse.currency.iso4217 import is_currency
from reimburse.identity.org import load_org
from reimburse.ocr.domain import FIELD_NAMES
from reimburse.reports import claimform

router = APIRouter(tags=["claims"])
_CHANGE = (401, 403, 404, 409, 422)  # what a change to a claim can answer besides 200
_FIELD_MAX = 200  # the longest company name on a fapiao is far shorter
_MONEY = frozenset({"amount_excl_tax", "tax", "total"})
_MONEY_TEXT = re.compile(r"-?[0-9]{1,12}(\.[0-9]{1,2})?")


class ForeignDocumentIn(BaseModel):
    """A receipt or invoice from abroad (hotel folio, foreign tax invoice): not a fapiao."""

    kind: Literal["hotel_folio", "tax_invoice", "receipt"]
    issuer: str = Field(min_length=1, max_length=200)
    number: str | None = Field(default=None, max_length=64)
    issue_date: Day
    country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")


class TicketIn(BaseModel):
    """A passenger ticket's facts: the input VAT rules deduct only an employee's own ticket."""

    transport: Literal["air", "train", "road", "water"]
    passenger_name: str = Field(min_length=1, max_length=100)
    passenger_is_employee: bool
    fare: Decimal | None = Field(default=None, ge=0, max_digits=14, decimal_places=2)
    fuel_surcharge: Decimal | None = Field(default=None, ge=0, max_digits=14, decimal_places=2)


class SplitIn(BaseModel):
    """One share of an item: on a cost centre or a project, by amount or by percent."""

    dimension: Literal["cost_centre", "project"]
    code: str = Field(min_length=1, max_length=32)
    amount: Decimal | None = Field(default=None, gt=0, max_digits=14, decimal_places=2)
    percent: Decimal | None = Field(default=None, gt=0, le=100, max_digits=5, decimal_places=2)


class ItemIn(BaseModel):
    category: Literal["travel", "lodging", "meals", "transport", "office", "client_entertainment", "other"]
    # None for an allowance: the service computes it (a typed amount that differs is refused)
    amount: Decimal | None = Field(default=None, gt=0, max_digits=14, decimal_places=2)
    expense_date: Day
    description: str = Field(default="", max_length=500)
    document_id: RefId | None = None
    result_index: int | None = Field(default=None, ge=0, le=1000)
    fields: dict[str, str | None] | None = Field(default=None, max_length=len(FIELD_NAMES))
    no_invoice_kind: Literal["per_diem", "mileage"] | None = Field(
        default=None,
        deprecated=True,
        description="the older name of `allowance`: computed the same way, never typed",
    )
    no_invoice_reason: str | None = Field(
        default=None, max_length=500, description="an optional note; the computation's words when absent"
    )
    attendees: int | None = Field(default=None, ge=1, le=1000)
    nights: int | None = Field(default=None, ge=1, le=365)
    city_tier: int | None = Field(default=None, ge=1, le=3)
    currency: str | None = Field(
        default=None, pattern=r"^[A-Z]{3}$", description="ISO 4217; the company currency when absent"
    )
    foreign_document: ForeignDocumentIn | None = None
    ticket: TicketIn | None = None

    splits: list[SplitIn] = Field(default_factory=list, max_length=50)
    allowance: Literal["per_diem", "mileage"] | None = Field(
        default=None,
        description="computed from the policy's rates: per_diem (city_tier, days), mileage (distance_km)",
    )
    days: int | None = Field(default=None, ge=1, le=366)
    distance_km: Decimal | None = Field(default=None, gt=0, le=100000, max_digits=8, decimal_places=1)
    attachment_ids: list[RefId] = Field(
        default_factory=list, max_length=20, description="documents uploaded with kind=attachment"
    )

    @field_validator("currency")
    @classmethod
    def _iso4217(cls, value: str | None) -> str | None:
        if value is not None and not is_currency(value):
            raise ValueError(f"{value!r} is not an ISO 4217 currency code")
        return value

    @field_validator("fields")
    @classmethod
    def _corrections(cls, value: dict[str, str | None] | None) -> dict[str, str | None] | None:
        # checked here, before anything is stored: a known field, a sane length, money as money
        for name, text in (value or {}).items():
            if name not in FIELD_NAMES:
                raise ValueError(f"unknown invoice field {name[:40]!r}")
            if text is not None and len(text) > _FIELD_MAX:
                raise ValueError(f"{name} is longer than {_FIELD_MAX} characters")
            if text is not None and name in _MONEY and not _MONEY_TEXT.fullmatch(text.strip()):
                raise ValueError(f"{name} is an amount: up to 12 digits and 2 decimals")
        return value


class ClaimIn(BaseModel):
    purpose: str = Field(min_length=1, max_length=500)
    items: list[ItemIn] = Field(default_factory=list, max_length=200)
    trip_start: Day | None = None
    trip_end: Day | None = None
    cost_centre: str | None = Field(default=None, max_length=32)
    claim_type: str = Field(default="expense", min_length=1, max_length=32)
    pre_approval_id: RefId | None = None
    version: int | None = Field(default=None, ge=0, le=MAX_ID)  # for edits: the version the page showed


class ActionIn(BaseModel):
    # release/decline: finance's decision on a claim stopped by a bad tax-bureau answer
    action: Literal[
        "approve", "reject", "return", "transfer", "add_signer", "comment", "remind", "release", "decline"
    ]
    comment: str = Field(default="", max_length=2000)
    task_id: str | None = Field(default=None, max_length=64)
    to_user_id: RefId | None = None
    position: Literal["before", "after"] = "after"
    version: int | None = Field(default=None, ge=0, le=MAX_ID)


class WithdrawIn(BaseModel):
    comment: str = Field(default="", max_length=2000)


def _input(body: ClaimIn) -> claims.ClaimInput:
    return claims.ClaimInput(
        purpose=body.purpose,
        trip_start=body.trip_start,
        trip_end=body.trip_end,
        cost_centre=body.cost_centre,
        claim_type=body.claim_type,
        pre_approval_id=body.pre_approval_id,
        items=tuple(item_input(i) for i in body.items),
    )


def item_input(item: ItemIn) -> claims.ItemInput:
    """An item as the claims service takes it (also the pre-approval's and advance's routes)."""
    data = item.model_dump(exclude={"foreign_document", "ticket", "splits", "attachment_ids"})
    return claims.ItemInput(
        **data,
        foreign_document=item.foreign_document.model_dump(mode="json") if item.foreign_document else None,
        ticket=item.ticket.model_dump(mode="json") if item.ticket else None,
        splits=tuple(Share(s.dimension, s.code, s.amount, s.percent) for s in item.splits),
        attachment_ids=tuple(item.attachment_ids),
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
    status: Annotated[str | None, Query(max_length=32)] = None,
    cursor: Cursor = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    kind: Literal["expense", "advance", "pre_approval"] | None = None,
) -> dict[str, Any]:
    rows, next_cursor = access.claims_page(
        session, principal, mine=mine, status=status, cursor=cursor, limit=limit, kind=kind
    )
    return {"items": [views.claim_summary(c) for c in rows], "next_cursor": next_cursor}


@router.get("/claims/{claim_id}", **typed(Claim, 401, 404, 422))
def get_claim(claim_id: Id, principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    return views.claim_view_with_timeline(session, access.claim_for(session, principal, claim_id))


@router.patch("/claims/{claim_id}", **typed(Claim, *_CHANGE))
def edit_claim(
    claim_id: Id, body: ClaimIn, principal: CurrentPrincipal, session: SessionDep
) -> dict[str, Any]:
    claim = access.claim_for(session, principal, claim_id)
    data = _input(body)
    claims.update_claim(
        session, principal, claim, data, body.version, extracted_for(session, principal, data), utcnow()
    )
    return views.claim_view_with_timeline(session, claim)


@router.get("/claims/{claim_id}/form.pdf", responses=answers(None, 401, 404, 422))
def claim_form(claim_id: Id, principal: CurrentPrincipal, session: SessionDep) -> Response:
    """The printable form (报销单 and 粘贴单): QR code of the number, items, approvals, signatures."""
    view = views.claim_view_with_timeline(session, access.claim_for(session, principal, claim_id))
    pdf = claimform.claim_form(session, view)
    name = f"{view['number'] or claim_id}.pdf"
    return Response(
        pdf, media_type="application/pdf", headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@router.post("/claims/{claim_id}/check", **typed(ClaimCheck, 401, 404, 422))
def check_claim(claim_id: Id, principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    """Findings before submitting: duplicates, policy, budget — nothing is changed."""
    claim = access.claim_for(session, principal, claim_id)
    result = preview(session, claim)
    return {
        "score": result.score,
        "decision": result.decision,
        "findings": result.findings,
        "blocking": claims.blocking(result),
    }


@router.delete("/claims/{claim_id}", **typed(DeletedClaim, 401, 403, 404, 409, 422))
def delete_claim(claim_id: Id, principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    """Delete a draft (one's own; 409 ``claim_not_deletable`` for anything else): whatever it
    held is released, its documents are free for another claim, its trail stays."""
    claim = access.claim_for(session, principal, claim_id)
    number = claim.number
    claims.delete_draft(session, principal, claim, utcnow())
    return {"id": claim_id, "number": number, "deleted": True}


@router.post("/claims/{claim_id}/submit", **typed(Claim, *_CHANGE))
def submit_claim(
    claim_id: Id,
    principal: CurrentPrincipal,
    session: SessionDep,
    idempotency_key: Annotated[str | None, Header(max_length=255)] = None,
) -> dict[str, Any]:
    def work() -> dict[str, Any]:
        claim = access.claim_for(session, principal, claim_id)
        claims.submit(session, principal, claim, assess=assess_claim, load_org=load_org, now=utcnow())
        return views.claim_view_with_timeline(session, claim)

    return idempotent(session, principal, f"claims/{claim_id}/submit", idempotency_key, {}, work)


@router.post("/claims/{claim_id}/withdraw", **typed(Claim, *_CHANGE))
def withdraw_claim(
    claim_id: Id, body: WithdrawIn, principal: CurrentPrincipal, session: SessionDep
) -> dict[str, Any]:
    claim = access.claim_for(session, principal, claim_id)
    claims.withdraw(session, principal, claim, load_org=load_org, now=utcnow(), comment=body.comment)
    return views.claim_view_with_timeline(session, claim)


@router.post("/claims/{claim_id}/actions", **typed(Claim, *_CHANGE))
def act_on_claim(
    claim_id: Id, body: ActionIn, principal: CurrentPrincipal, session: SessionDep
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


def _cursor_tag(secret: str, raw: str) -> str:
    digest = hmac.new(secret.encode(), b"inbox-cursor:" + raw.encode(), hashlib.sha256).digest()[:12]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _inbox_cursor(at: inbox.Position, secret: str) -> str:
    # signed with the secret key: a cursor is only ever one this service gave out
    raw = json.dumps([at.since.isoformat(), str(at.total), at.task_row]).encode()
    payload = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    return f"{payload}.{_cursor_tag(secret, payload)}"


def _inbox_position(cursor: str, secret: str) -> inbox.Position:
    payload, _, tag = cursor.partition(".")
    if not hmac.compare_digest(tag.encode(), _cursor_tag(secret, payload).encode()):
        raise InvalidInput("the cursor is not one this inbox gave out", code="invalid_cursor")
    try:
        since, total, task_row = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        at = inbox.Position(datetime.fromisoformat(since), Decimal(total), int(task_row))
    except (ValueError, TypeError, ArithmeticError) as exc:
        raise InvalidInput("the cursor is not one this inbox gave out", code="invalid_cursor") from exc
    # defence in depth (a leaked secret): the values this inbox gives out are aware, finite, in range
    if at.since.tzinfo is None or not at.total.is_finite() or not 0 <= at.task_row <= MAX_ID:
        raise InvalidInput("the cursor is not one this inbox gave out", code="invalid_cursor")
    return at


@router.get("/home", **typed(Home, 401, 422))
def home_route(
    principal: CurrentPrincipal,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> dict[str, Any]:
    """The home screen: my latest claims in approval (or returned to me) with the steps each
    waits at and who holds them, and the claims waiting for my decision, counted and summed."""
    if principal.user_id is None:  # an API key acts for no person
        return {"in_flight": [], "waiting": {"count": 0, "amount": "0.00", "oldest": None}}
    waiting = home.waiting_for(session, principal.user_id)
    return {
        "in_flight": [
            {
                "claim": views.claim_summary(f.claim),
                "steps": [
                    {
                        "node": s.name,
                        "node_id": s.node_id,
                        "people": [{"id": i, "display_name": n} for i, n in s.people],
                    }
                    for s in f.steps
                ],
            }
            for f in home.in_flight(session, principal.user_id, limit)
        ],
        "waiting": {
            "count": waiting.count,
            "amount": f"{waiting.amount:.2f}",
            "oldest": waiting.oldest.isoformat() if waiting.oldest else None,
        },
    }


@router.get("/inbox", **typed(InboxPage, 401, 422))
def inbox_route(
    principal: CurrentPrincipal,
    session: SessionDep,
    settings: SettingsDep,
    # a phone screen shows about ten; the web app asks for the next page when it needs it
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
    cursor: Annotated[str | None, Query(max_length=300)] = None,
    claim_id: QueryId = None,
) -> dict[str, Any]:
    """What waits for me (or for someone I stand in for), oldest and largest first, a page at a
    time: ``next_cursor`` continues after the last task shown, even when tasks were decided in
    between; ``total`` counts the whole inbox; ``claim_id`` keeps one claim's tasks."""
    if principal.user_id is None:
        return {"items": [], "next_cursor": None, "total": 0}
    after = _inbox_position(cursor, settings.secret_key) if cursor is not None else None
    page = inbox.inbox_page(session, principal.user_id, limit, after, claim_id)
    return {
        "items": [
            {
                "task_id": r.task_key,
                "node": r.step_name,
                "node_id": r.task_key.rpartition(".")[0] or r.task_key,  # task ids are "<step>.<n>"
                "claim": views.claim_summary(r),
            }
            for r in page.rows
        ],
        "next_cursor": _inbox_cursor(page.next, settings.secret_key) if page.next is not None else None,
        "total": page.total,
    }
