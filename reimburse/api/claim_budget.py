"""The budget a claim draws on, for the approver's (or finance's) review screen.

Thin: the data scope is ``expenses.access`` (a claim the caller may not see is not found), the
figures come from ``expenses.budget_view``; money leaves as two-decimal strings.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi import APIRouter

from reimburse.api.deps import CurrentPrincipal, SessionDep
from reimburse.api.params import Id
from reimburse.api.schemas import ClaimBudget, typed
from reimburse.budgets import view as budget_view
from reimburse.claims import access

router = APIRouter(tags=["claims"])


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def _line(line: budget_view.BudgetLine) -> dict[str, Any]:
    return {
        "budget_id": line.budget_id,
        "department": line.department,
        "category": line.category,
        "period": line.period,
        "start": line.start.isoformat(),
        "end": line.end.isoformat(),
        "plan": _money(line.plan),
        "used": _money(line.used),
        "reserved": _money(line.reserved),
        "claim": _money(line.claim),
        "left_before": _money(line.left_before),
        "left_after": _money(line.left_after),
        "over_by": _money(line.over_by),
        "exceeds": line.over_by > 0,
        "held": line.held,
    }


@router.get("/claims/{claim_id}/budget", **typed(ClaimBudget, 401, 404, 422))
def claim_budget(claim_id: Id, principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    """The department's budget lines this claim draws on: plan, used and reserved by other
    claims, left before and after this claim, and whether it exceeds them."""
    view = budget_view.claim_budget(session, access.claim_for(session, principal, claim_id))
    return {
        "claim_id": view.claim_id,
        "department": {"id": view.department_id, "name": view.department},
        "lines": [_line(line) for line in view.lines],
        "unbudgeted": _money(view.unbudgeted),
        "exceeds": view.exceeds,
        "over_budget_action": view.over_budget_action,
    }
