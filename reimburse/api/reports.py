"""Dashboards' data: finance and admins see everything, department heads their subtree.

Every report takes the same filters: ``since``/``until`` (days, inclusive), ``department_id``
(that department and the ones under it, within what the caller may see) and ``category``;
each report can also be downloaded as CSV or XLSX (``/reports/export.csv?report=spend``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from reimburse.api import schemas as s
from reimburse.api.deps import CurrentPrincipal, SessionDep
from reimburse.api.params import MAX_ID, Day
from reimburse.api.schemas import typed
from reimburse.core.errors import Forbidden, InvalidInput
from reimburse.core.principal import Principal, Role
from reimburse.identity.org import headed_by, subtree
from reimburse.reports import service as reports

router = APIRouter(tags=["reports"], prefix="/reports")

Category = Literal["travel", "lodging", "meals", "transport", "office", "client_entertainment", "other"]
By = Literal["department", "category", "cost_centre", "project"]
ReportName = Literal["spend", "budget", "cycle-time", "payment-cycle", "findings", "claims-by-state"]


class FilterParams(BaseModel):
    since: Day | None = Field(default=None, description="first day (inclusive)")
    until: Day | None = Field(default=None, description="last day (inclusive)")
    department_id: int | None = Field(
        default=None, ge=1, le=MAX_ID, description="this department and the ones under it"
    )
    category: Category | None = None


FiltersDep = Annotated[FilterParams, Query()]


def _scope(session: SessionDep, principal: Principal) -> set[int] | None:
    if principal.has_role(Role.FINANCE, Role.ADMIN):
        return None
    heads = headed_by(session, principal.user_id) if principal.user_id is not None else []
    if not heads:
        raise Forbidden("reports are for finance, admins and department heads")
    return subtree(session, heads)


def _filters(session: SessionDep, principal: Principal, params: FilterParams) -> reports.Filters:
    if params.since and params.until and params.until < params.since:
        raise InvalidInput("until is before since", code="invalid_range")
    departments = _scope(session, principal)
    if params.department_id is not None:
        asked = subtree(session, [params.department_id])
        departments = asked if departments is None else departments & asked
    return reports.Filters(departments, params.since, params.until, params.category)


@router.get("/spend", **typed(s.Series, 401, 403, 422))
def spend(
    principal: CurrentPrincipal, session: SessionDep, f: FiltersDep, by: By = "department"
) -> dict[str, Any]:
    return {"series": reports.spend(session, by, _filters(session, principal, f))}


@router.get("/budget", **typed(s.Series, 401, 403, 422))
def budget(principal: CurrentPrincipal, session: SessionDep, f: FiltersDep) -> dict[str, Any]:
    return {"series": reports.budget_burn(session, _filters(session, principal, f))}


@router.get("/cycle-time", **typed(s.Series, 401, 403, 422))
def cycle_time(principal: CurrentPrincipal, session: SessionDep, f: FiltersDep) -> dict[str, Any]:
    return {"series": reports.cycle_time(session, _filters(session, principal, f))}


@router.get("/payment-cycle", **typed(s.Series, 401, 403, 422))
def payment_cycle(principal: CurrentPrincipal, session: SessionDep, f: FiltersDep) -> dict[str, Any]:
    """Submission to payment, per department: median hours (``value``), ``p90`` and ``count``,
    over the claims paid in the range."""
    return {"series": reports.payment_cycle(session, _filters(session, principal, f))}


@router.get("/findings", **typed(s.Series, 401, 403, 422))
def findings(principal: CurrentPrincipal, session: SessionDep, f: FiltersDep) -> dict[str, Any]:
    return {"series": reports.top_findings(session, _filters(session, principal, f))}


@router.get("/claims-by-state", **typed(s.Series, 401, 403, 422))
def claims_by_state(principal: CurrentPrincipal, session: SessionDep, f: FiltersDep) -> dict[str, Any]:
    return {"series": reports.by_state(session, _filters(session, principal, f))}


def _series(session: SessionDep, name: str, by: str, f: reports.Filters) -> list[dict[str, Any]]:
    run: dict[str, Callable[[], list[dict[str, Any]]]] = {
        "spend": lambda: reports.spend(session, by, f),
        "budget": lambda: reports.budget_burn(session, f),
        "cycle-time": lambda: reports.cycle_time(session, f),
        "payment-cycle": lambda: reports.payment_cycle(session, f),
        "findings": lambda: reports.top_findings(session, f),
        "claims-by-state": lambda: reports.by_state(session, f),
    }
    return run[name]()


@router.get("/export.csv")
def export_csv(
    principal: CurrentPrincipal, session: SessionDep, f: FiltersDep, report: ReportName, by: By = "department"
) -> Response:
    series = _series(session, report, by, _filters(session, principal, f))
    return Response(
        reports.to_csv(series),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{report}.csv"'},
    )


@router.get("/export.xlsx")
def export_xlsx(
    principal: CurrentPrincipal, session: SessionDep, f: FiltersDep, report: ReportName, by: By = "department"
) -> Response:
    series = _series(session, report, by, _filters(session, principal, f))
    return Response(
        reports.to_xlsx(series, report),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{report}.xlsx"'},
    )
