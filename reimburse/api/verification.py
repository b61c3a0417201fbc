"""Invoice verification results per claim, and a finance re-check."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlalchemy import select

from reimburse.api.deps import CurrentPrincipal, SessionDep
from reimburse.api.params import Id
from reimburse.core.db import utcnow
from reimburse.core.errors import Forbidden, NotFound
from reimburse.core.principal import Role
from reimburse.expenses import access, verify_service

router = APIRouter(tags=["verification"])


@router.get("/claims/{claim_id}/verification")
def claim_verification(claim_id: Id, principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    claim = access.claim_for(session, principal, claim_id)
    keys = [i.invoice_key for i in claim.items if i.invoice_key]
    rows = session.scalars(
        select(verify_service.InvoiceCheckRecord).where(
            verify_service.InvoiceCheckRecord.invoice_key.in_(keys)
        )
    )
    by_key = {r.invoice_key: r for r in rows}
    return {
        "items": [
            {"item_id": i.id, "position": i.position, **verify_service.view(by_key[i.invoice_key])}
            for i in claim.items
            if i.invoice_key in by_key
        ]
    }


@router.post("/finance/verification/{item_id}/recheck")
def recheck(item_id: Id, principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    if not principal.has_role(Role.FINANCE, Role.ADMIN):
        raise Forbidden("only finance re-checks invoices")
    row = verify_service.recheck(session, item_id, utcnow())
    if row is None:
        raise NotFound(f"no verifiable invoice on item {item_id}")
    return verify_service.view(row)
