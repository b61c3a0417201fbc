"""Admin: the expense policy and approval flows (as versions), budgets, people, departments,
delegations. Admins only (budgets: finance too); every change is refused to anyone else."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from reimburse.api import schemas as s
from reimburse.api.deps import CurrentPrincipal, SessionDep
from reimburse.api.params import Day, Id, RefId
from reimburse.api.schemas import typed
from reimburse.budgets import service as budgets
from reimburse.claims import delegations, leavers
from reimburse.core.db import utcnow
from reimburse.core.errors import Forbidden
from reimburse.core.principal import Principal, Role
from reimburse.identity import service as directory
from reimburse.policy import service as policies
from reimburse.routing import versions

router = APIRouter(tags=["admin"], prefix="/admin")


def _admin(p: Principal) -> None:
    if not p.has_role(Role.ADMIN):
        raise Forbidden("only admins do this")


class TextIn(BaseModel):
    text: str = Field(min_length=1, max_length=200_000)


@router.get("/policy", **typed(s.PolicyText))
def get_policy(principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    if not principal.has_role(Role.ADMIN, Role.FINANCE):
        raise Forbidden("only admins and finance read the policy")
    text, version = policies.policy_text(session)
    return {"version": version, "text": text}


@router.put("/policy", **typed(s.PolicySaved))
def put_policy(body: TextIn, principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    _admin(principal)
    return {"version": policies.save_policy(session, body.text, principal.subject, utcnow())}


@router.get("/flows", **typed(s.FlowList))
def list_flows(principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    _admin(principal)
    return {"items": versions.flow_versions(session)}


@router.get("/flows/{flow_id}", **typed(s.FlowText))
def get_flow(
    flow_id: str, principal: CurrentPrincipal, session: SessionDep, version: int | None = None
) -> dict[str, Any]:
    _admin(principal)
    text, _ = versions.flow_source(session, flow_id, version)
    return {"text": text, "diagram": versions.flow_diagram(versions.flow(session, flow_id, version))}


@router.put("/flows", **typed(s.FlowSaved))
def put_flow(body: TextIn, principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    _admin(principal)
    flow = versions.save_flow(session, body.text, principal.subject, utcnow())
    return {"id": flow.id, "version": flow.version, "diagram": versions.flow_diagram(flow)}


class BudgetIn(BaseModel):
    department_id: RefId
    category: str = Field(pattern=r"^(\*|travel|lodging|meals|transport|office|client_entertainment|other)$")
    period: Literal["month", "quarter", "year"]
    start: Day
    amount: Decimal = Field(gt=0, max_digits=14, decimal_places=2)


@router.get("/budgets", **typed(s.BudgetList))
def list_budgets(principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    if not principal.has_role(Role.ADMIN, Role.FINANCE):
        raise Forbidden("only admins and finance manage budgets")
    return {"items": budgets.list_lines(session)}


@router.post("/budgets", status_code=201, **typed(s.Budget))
def create_budget(body: BudgetIn, principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    if not principal.has_role(Role.ADMIN, Role.FINANCE):
        raise Forbidden("only admins and finance manage budgets")
    return budgets.create_line(
        session,
        body.department_id,
        body.category,
        body.period,
        body.start,
        body.amount,
        principal.subject,
        utcnow(),
    )


class UserIn(BaseModel):
    username: str = Field(min_length=2, max_length=64, pattern=r"^[a-zA-Z0-9_.@-]+$")
    display_name: str = Field(min_length=1, max_length=128)
    password: str = Field(min_length=8, max_length=256)
    email: str | None = Field(default=None, max_length=254)
    roles: list[Annotated[str, Field(max_length=32)]] = Field(default_factory=list, max_length=16)
    department_id: RefId | None = None
    manager_id: RefId | None = None
    rank: int = Field(default=0, ge=0, le=1000)


class UserPatch(BaseModel):
    display_name: str | None = Field(default=None, min_length=1, max_length=128)
    roles: list[Annotated[str, Field(max_length=32)]] | None = Field(default=None, max_length=16)
    department_id: RefId | None = None
    manager_id: RefId | None = None
    rank: int | None = Field(default=None, ge=0, le=1000)
    active: bool | None = None


@router.get("/users", **typed(s.AdminUserList))
def list_users(principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    _admin(principal)
    return {"items": directory.list_users(session)}


@router.post("/users", status_code=201, **typed(s.AdminUser))
def create_user(body: UserIn, principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    _admin(principal)
    return directory.create_user(session, directory.NewUser(**body.model_dump()), principal.subject, utcnow())


@router.patch("/users/{user_id}", **typed(s.AdminUser))
def patch_user(
    user_id: Id, body: UserPatch, request: Request, principal: CurrentPrincipal, session: SessionDep
) -> dict[str, Any]:
    _admin(principal)
    changes = body.model_dump(exclude_unset=True)
    view = leavers.change_user(session, user_id, changes, principal.subject, utcnow())
    request.app.state.principal_cache.clear()  # roles or "active" may have changed: look again
    return view


class DepartmentIn(BaseModel):
    name: str = Field(min_length=1, max_length=128)
    parent_id: RefId | None = None
    head_user_id: RefId | None = None


@router.post("/departments", status_code=201, **typed(s.Department))
def create_department(body: DepartmentIn, principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    _admin(principal)
    return directory.create_department(
        session, body.name, body.parent_id, body.head_user_id, principal.subject, utcnow()
    )


@router.patch("/departments/{dept_id}", **typed(s.Department))
def patch_department(
    dept_id: Id, body: DepartmentIn, principal: CurrentPrincipal, session: SessionDep
) -> dict[str, Any]:
    _admin(principal)
    return directory.update_department(
        session, dept_id, body.name, body.parent_id, body.head_user_id, principal.subject, utcnow()
    )


class DelegationIn(BaseModel):
    user_id: RefId
    delegate_id: RefId
    starts_on: Day
    ends_on: Day


@router.post("/delegations", status_code=201, **typed(s.Delegation))
def create_delegation(body: DelegationIn, principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    """Out-of-office: the delegate may act for the user in the date range. Admins set any;
    people set their own."""
    new = delegations.NewDelegation(**body.model_dump())
    return delegations.create(session, principal, new, utcnow())
