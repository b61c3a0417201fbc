"""Dashboards' data: finance and admins see everything, department heads their subtree."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter

from reimburse.api import schemas as s
from reimburse.api.deps import CurrentPrincipal, SessionDep
from reimburse.api.schemas import typed
from reimburse.core.errors import Forbidden
from reimburse.core.principal import Principal, Role
from reimburse.identity.org import headed_by, subtree
from reimburse.reports import service as reports

router = APIRouter(tags=["reports"], prefix="/reports")


def _scope(session: SessionDep, principal: Principal) -> set[int] | None:
    if principal.has_role(Role.FINANCE, Role.ADMIN):
        return None
    heads = headed_by(session, principal.user_id) if principal.user_id is not None else []
    if not heads:
        raise Forbidden("reports are for finance, admins and department heads")
    return subtree(session, heads)


@router.get("/spend", **typed(s.Series))
def spend(
    principal: CurrentPrincipal, session: SessionDep, by: Literal["department", "category"] = "department"
) -> dict[str, Any]:
    return {"series": reports.spend(session, by, _scope(session, principal))}


@router.get("/budget", **typed(s.Series))
def budget(principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    return {"series": reports.budget_burn(session, _scope(session, principal))}


@router.get("/cycle-time", **typed(s.Series))
def cycle_time(principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    return {"series": reports.cycle_time(session, _scope(session, principal))}


@router.get("/findings", **typed(s.Series))
def findings(principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    return {"series": reports.top_findings(session, _scope(session, principal))}


@router.get("/claims-by-state", **typed(s.Series))
def claims_by_state(principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    return {"series": reports.by_state(session, _scope(session, principal))}
