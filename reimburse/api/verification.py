"""Invoice verification results per claim, a finance re-check, and finance's exception queue."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from reimburse.api import schemas as s
from reimburse.api.deps import CurrentPrincipal, SessionDep
from reimburse.api.params import Id
from reimburse.api.schemas import typed
from reimburse.claims import access, holds
from reimburse.claims.views import claim_summary
from reimburse.core.db import utcnow
from reimburse.core.errors import Forbidden, NotFound
from reimburse.core.principal import Role
from reimburse.verification import service as verify_service

router = APIRouter(tags=["verification"])


@router.get("/claims/{claim_id}/verification", **typed(s.ClaimVerification, 401, 404, 422))
def claim_verification(claim_id: Id, principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    claim = access.claim_for(session, principal, claim_id)
    return {"items": verify_service.item_checks(session, claim.items)}


@router.post("/finance/verification/{item_id}/recheck", **typed(s.InvoiceCheck, 401, 403, 404, 422))
def recheck(item_id: Id, principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    if not principal.has_role(Role.FINANCE, Role.ADMIN):
        raise Forbidden("only finance re-checks invoices")
    row = verify_service.recheck(session, item_id, utcnow())
    if row is None:
        raise NotFound(f"no verifiable invoice on item {item_id}")
    return verify_service.view(row)


@router.get("/finance/exceptions", **typed(s.HeldClaimList))
def exceptions(principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    """Claims stopped for a finance decision (a bad tax-bureau answer, a disputed invoice value),
    with why; each continues only by ``release`` or ends by ``decline`` (POST /claims/{id}/actions)."""
    if not principal.has_role(Role.FINANCE, Role.ADMIN):
        raise Forbidden("only finance sees the exception queue")
    return {"items": [{**claim_summary(c), "hold": c.hold} for c in holds.held_claims(session)]}
