"""The payroll integration: approved claims to pay, marking them paid (idempotently), exports."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from reimburse.api.deps import CurrentPrincipal, SessionDep, SettingsDep
from reimburse.api.idempotent import idempotent
from reimburse.api.params import Cursor, Id
from reimburse.api.schemas import Paid, PaidPage, PayoutsPage, typed
from reimburse.api.scopes import key_scope
from reimburse.core.db import utcnow
from reimburse.core.errors import Forbidden
from reimburse.core.principal import Principal, Role
from reimburse.identity.datakey import cipher_for
from reimburse.payouts import service as payouts

router = APIRouter(tags=["payouts"])


class PaidIn(BaseModel):
    reference: str | None = Field(default=None, max_length=128)
    paid_at: datetime | None = None


def _require(principal: Principal, scope: str) -> None:
    """Finance people, or machine clients holding the scope."""
    if principal.has_role(Role.FINANCE, Role.ADMIN) or scope in principal.scopes:
        return
    raise Forbidden(f"needs the finance role or the {scope} scope", code="missing_scope")


@router.get("/payouts", **typed(PayoutsPage, 401, 403, 422))
@key_scope("payouts:read")
def list_payouts(
    principal: CurrentPrincipal,
    session: SessionDep,
    settings: SettingsDep,
    cursor: Cursor = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, Any]:
    """What to pay: each approved claim with the payee's employee number, name, bank and account
    number in full (the only JSON answer that shows it), the department and the approval time."""
    _require(principal, "payouts:read")
    items, next_cursor = payouts.payable(session, cursor, limit, cipher_for(settings))
    return {"items": items, "next_cursor": next_cursor}


@router.post("/payouts/{claim_id}/paid", **typed(Paid, 401, 403, 404, 409, 422))
@key_scope("payouts:write")
def mark_paid(
    claim_id: Id,
    principal: CurrentPrincipal,
    session: SessionDep,
    body: PaidIn | None = None,
    idempotency_key: Annotated[str | None, Header(max_length=255)] = None,
) -> dict[str, Any]:
    _require(principal, "payouts:write")
    data = body or PaidIn()
    return idempotent(
        session,
        principal,
        f"payouts/{claim_id}/paid",
        idempotency_key,
        data.model_dump(mode="json"),
        lambda: payouts.mark_paid(
            session, claim_id, data.reference, utcnow(), principal.subject, paid_at=data.paid_at
        ),
    )


_CSV = "text/csv; charset=utf-8"
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _file(body: bytes, media: str, name: str) -> Response:
    return Response(body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/payouts/export.csv")
@key_scope("payouts:read")
def export_csv(principal: CurrentPrincipal, session: SessionDep, settings: SettingsDep) -> Response:
    _require(principal, "payouts:read")
    items, _ = payouts.payable(session, None, 100_000, cipher_for(settings))
    return _file(payouts.export_csv(items), _CSV, "payouts.csv")


@router.get("/payouts/export.xlsx")
@key_scope("payouts:read")
def export_xlsx(principal: CurrentPrincipal, session: SessionDep, settings: SettingsDep) -> Response:
    _require(principal, "payouts:read")
    items, _ = payouts.payable(session, None, 100_000, cipher_for(settings))
    return _file(payouts.export_xlsx(items), _XLSX, "payouts.xlsx")


@router.get("/payouts/paid", **typed(PaidPage, 401, 403, 422))
@key_scope("payouts:read")
def list_paid(
    principal: CurrentPrincipal,
    session: SessionDep,
    since: date | None = None,
    until: date | None = None,
    missing_reference: bool = False,
    cursor: Cursor = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, Any]:
    """The paid list: paid on a day in [since, until]; ``missing_reference`` lists the payments
    still waiting for payroll's reference (send it with another mark-paid)."""
    _require(principal, "payouts:read")
    items, next_cursor = payouts.paid(
        session, since, until, cursor, limit, missing_reference=missing_reference
    )
    return {"items": items, "next_cursor": next_cursor}


@router.get("/payouts/reconciliation.csv")
@key_scope("payouts:read")
def reconciliation_csv(
    principal: CurrentPrincipal, session: SessionDep, since: date | None = None, until: date | None = None
) -> Response:
    _require(principal, "payouts:read")
    items, _ = payouts.paid(session, since, until, None, 100_000)
    return _file(payouts.export_csv(items, payouts.PAID_COLUMNS), _CSV, "reconciliation.csv")


@router.get("/payouts/reconciliation.xlsx")
@key_scope("payouts:read")
def reconciliation_xlsx(
    principal: CurrentPrincipal, session: SessionDep, since: date | None = None, until: date | None = None
) -> Response:
    _require(principal, "payouts:read")
    items, _ = payouts.paid(session, since, until, None, 100_000)
    return _file(
        payouts.export_xlsx(items, payouts.PAID_COLUMNS, "reconciliation"), _XLSX, "reconciliation.xlsx"
    )
