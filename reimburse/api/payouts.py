"""The payroll integration: approved claims to pay, marking them paid (idempotently), exports."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from reimburse.api.deps import CurrentPrincipal, SessionDep
from reimburse.api.idempotent import idempotent
from reimburse.api.params import Cursor, Id
from reimburse.api.schemas import Paid, PayoutsPage, typed
from reimburse.api.scopes import key_scope
from reimburse.core.db import utcnow
from reimburse.core.errors import Forbidden
from reimburse.core.principal import Principal, Role
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
    cursor: Cursor = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, Any]:
    _require(principal, "payouts:read")
    items, next_cursor = payouts.payable(session, cursor, limit)
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


@router.get("/payouts/export.csv")
@key_scope("payouts:read")
def export_csv(principal: CurrentPrincipal, session: SessionDep) -> Response:
    _require(principal, "payouts:read")
    items, _ = payouts.payable(session, None, 100_000)
    return Response(
        payouts.export_csv(items),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="payouts.csv"'},
    )


@router.get("/payouts/export.xlsx")
@key_scope("payouts:read")
def export_xlsx(principal: CurrentPrincipal, session: SessionDep) -> Response:
    _require(principal, "payouts:read")
    items, _ = payouts.payable(session, None, 100_000)
    return Response(
        payouts.export_xlsx(items),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": 'attachment; filename="payouts.xlsx"'},
    )
