"""Admin: the expense policy and approval flows (as versions), budgets, people, departments,
delegations. Admins only (budgets: finance too); every change is refused to anyone else."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from reimburse.api import schemas as s
from reimburse.api.deps import CurrentPrincipal, SessionDep
from reimburse.api.params import Day, Id, RefId
from reimburse.api.schemas import typed
from reimburse.audit import service as trail
from reimburse.budgets.records import BudgetRecord
from reimburse.claims import handover, leavers
from reimburse.core.db import utcnow
from reimburse.core.errors import Forbidden, InvalidInput, NotFound
from reimburse.core.principal import Principal, Role
from reimburse.identity.approvers import assignable
from reimburse.identity.auth import hash_password
from reimburse.identity.records import DelegationRecord, DepartmentRecord, UserRecord
from reimburse.policy import service as policies
from reimburse.routing import versions
from reimburse.routing.flows import BUILTIN
from reimburse.routing.records import FlowVersionRecord

router = APIRouter(tags=["admin"], prefix="/admin")


def _admin(p: Principal) -> None:
    if not p.has_role(Role.ADMIN):
        raise Forbidden("only admins do this")


def _record(session: Session, p: Principal, subject: str, action: str, details: dict[str, Any]) -> None:
    """Every admin change goes on the audit trail, with what changed."""
    trail.record_admin(session, subject, action, p.subject, utcnow(), details)


def _text_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


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
    version = policies.save_policy(session, body.text, principal.subject)
    _record(
        session, principal, "policy", "policy.save", {"version": version, "sha256": _text_digest(body.text)}
    )
    return {"version": version}


@router.get("/flows", **typed(s.FlowList))
def list_flows(principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    _admin(principal)
    rows = session.execute(select(FlowVersionRecord.flow_id, FlowVersionRecord.version)).all()
    versions: dict[str, list[int]] = {name: [1] for name in BUILTIN}  # the shipped flows
    for flow_id, version in rows:
        versions.setdefault(flow_id, []).append(version)
    return {"items": [{"id": k, "versions": sorted(v)} for k, v in sorted(versions.items())]}


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
    flow = versions.save_flow(session, body.text, principal.subject)
    _record(
        session,
        principal,
        f"flow:{flow.id}",
        "flow.save",
        {"version": flow.version, "sha256": _text_digest(body.text)},
    )
    return {"id": flow.id, "version": flow.version, "diagram": versions.flow_diagram(flow)}


class BudgetIn(BaseModel):
    department_id: RefId
    category: str = Field(pattern=r"^(\*|travel|lodging|meals|transport|office|client_entertainment|other)$")
    period: Literal["month", "quarter", "year"]
    start: Day
    amount: Decimal = Field(gt=0, max_digits=14, decimal_places=2)


def _period_end(start: date, period: str) -> date:
    months = {"month": 1, "quarter": 3, "year": 12}[period]
    m = start.month - 1 + months
    return date(start.year + m // 12, m % 12 + 1, 1)


def _budget_view(b: BudgetRecord) -> dict[str, Any]:
    return {
        "id": b.id,
        "department_id": b.department_id,
        "category": b.category,
        "period": b.period,
        "start": b.period_start.isoformat(),
        "end": (b.period_end - timedelta(days=1)).isoformat(),
        "amount": f"{b.amount:.2f}",
        "committed": f"{b.committed:.2f}",
        "spent": f"{b.spent:.2f}",
        "available": f"{b.amount - b.committed - b.spent:.2f}",
    }


@router.get("/budgets", **typed(s.BudgetList))
def list_budgets(principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    if not principal.has_role(Role.ADMIN, Role.FINANCE):
        raise Forbidden("only admins and finance manage budgets")
    rows = session.scalars(
        select(BudgetRecord).order_by(BudgetRecord.period_start, BudgetRecord.department_id)
    )
    return {"items": [_budget_view(b) for b in rows]}


@router.post("/budgets", status_code=201, **typed(s.Budget))
def create_budget(body: BudgetIn, principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    if not principal.has_role(Role.ADMIN, Role.FINANCE):
        raise Forbidden("only admins and finance manage budgets")
    start = body.start.replace(day=1)
    if body.period == "quarter" and (start.month - 1) % 3:
        raise InvalidInput("a quarter starts in January, April, July or October")
    if body.period == "year":
        start = start.replace(month=1)
    row = BudgetRecord(
        department_id=body.department_id,
        category=body.category,
        period=body.period,
        period_start=start,
        period_end=_period_end(start, body.period),
        amount=body.amount,
    )
    session.add(row)
    session.flush()
    view = _budget_view(row)
    _record(session, principal, f"budget:{row.id}", "budget.create", view)
    return view


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


def _user_view(u: UserRecord) -> dict[str, Any]:
    return {
        "id": u.id,
        "username": u.username,
        "display_name": u.display_name,
        "email": u.email,
        "roles": u.roles,
        "department_id": u.department_id,
        "manager_id": u.manager_id,
        "rank": u.rank,
        "active": u.active,
    }


@router.get("/users", **typed(s.AdminUserList))
def list_users(principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    _admin(principal)
    return {"items": [_user_view(u) for u in session.scalars(select(UserRecord).order_by(UserRecord.id))]}


@router.post("/users", status_code=201, **typed(s.AdminUser))
def create_user(body: UserIn, principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    _admin(principal)
    if session.scalars(select(UserRecord).where(UserRecord.username == body.username)).first():
        raise InvalidInput(f"the username {body.username!r} is taken", code="username_taken")
    user = UserRecord(
        username=body.username,
        display_name=body.display_name,
        email=body.email,
        password_hash=hash_password(body.password),
        roles=sorted(set(body.roles)),
        department_id=body.department_id,
        manager_id=body.manager_id,
        rank=body.rank,
    )
    session.add(user)
    session.flush()
    view = _user_view(user)
    _record(session, principal, f"user:{user.id}", "user.create", view)
    return view


@router.patch("/users/{user_id}", **typed(s.AdminUser))
def patch_user(
    user_id: Id, body: UserPatch, request: Request, principal: CurrentPrincipal, session: SessionDep
) -> dict[str, Any]:
    _admin(principal)
    user = session.get(UserRecord, user_id)
    if user is None:
        raise NotFound(f"user {user_id} not found")
    changes = body.model_dump(exclude_unset=True)
    active = changes.pop("active", None)
    before = _user_view(user)
    for key, value in changes.items():
        setattr(user, key, sorted(set(value)) if key == "roles" else value)
    session.flush()
    diff = {k: [before[k], v] for k, v in _user_view(user).items() if before[k] != v}
    if diff:
        _record(session, principal, f"user:{user_id}", "user.update", diff)
    if active is False and user.active:
        leavers.deactivate_user(session, user_id, principal.subject, utcnow())
    elif active is True and not user.active:
        leavers.reactivate_user(session, user_id, principal.subject, utcnow())
    request.app.state.principal_cache.clear()  # roles or "active" may have changed: look again
    return _user_view(user)


class DepartmentIn(BaseModel):
    name: str = Field(min_length=1, max_length=128)
    parent_id: RefId | None = None
    head_user_id: RefId | None = None


@router.post("/departments", status_code=201, **typed(s.Department))
def create_department(body: DepartmentIn, principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    _admin(principal)
    dept = DepartmentRecord(name=body.name, parent_id=body.parent_id, head_user_id=body.head_user_id)
    session.add(dept)
    session.flush()
    view = {"id": dept.id, "name": dept.name, "parent_id": dept.parent_id, "head_user_id": dept.head_user_id}
    _record(session, principal, f"department:{dept.id}", "department.create", view)
    return view


@router.patch("/departments/{dept_id}", **typed(s.Department))
def patch_department(
    dept_id: Id, body: DepartmentIn, principal: CurrentPrincipal, session: SessionDep
) -> dict[str, Any]:
    _admin(principal)
    dept = session.get(DepartmentRecord, dept_id)
    if dept is None:
        raise NotFound(f"department {dept_id} not found")
    parent = body.parent_id
    seen = {dept_id}
    while parent is not None:  # refuse a cycle in the tree
        if parent in seen:
            raise InvalidInput("a department cannot be inside itself", code="department_cycle")
        seen.add(parent)
        above = session.get(DepartmentRecord, parent)
        parent = above.parent_id if above else None
    before = {"name": dept.name, "parent_id": dept.parent_id, "head_user_id": dept.head_user_id}
    dept.name, dept.parent_id, dept.head_user_id = body.name, body.parent_id, body.head_user_id
    session.flush()
    after = {"name": dept.name, "parent_id": dept.parent_id, "head_user_id": dept.head_user_id}
    diff = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    _record(session, principal, f"department:{dept_id}", "department.update", diff)
    return {"id": dept.id, **after}


class DelegationIn(BaseModel):
    user_id: RefId
    delegate_id: RefId
    starts_on: Day
    ends_on: Day


@router.post("/delegations", status_code=201, **typed(s.Delegation))
def create_delegation(body: DelegationIn, principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    """Out-of-office: the delegate may act for the user in the date range. Admins set any;
    people set their own."""
    if not principal.has_role(Role.ADMIN) and principal.user_id != body.user_id:
        raise Forbidden("you can delegate only your own approvals")
    if body.ends_on < body.starts_on or body.user_id == body.delegate_id:
        raise InvalidInput("a delegation needs another person and an end on or after its start")
    if session.get(UserRecord, body.user_id) is None:
        raise InvalidInput(f"user {body.user_id} does not exist", code="invalid_user")
    assignable(session, body.delegate_id)  # a delegate must be able to act
    row = DelegationRecord(**body.model_dump())
    session.add(row)
    session.flush()
    today = utcnow().date()
    if row.starts_on <= today <= row.ends_on:
        handover.apply_delegation(session, row)  # tasks already waiting reach the delegate too
    view = {"id": row.id, **body.model_dump(mode="json")}
    _record(session, principal, f"delegation:{row.id}", "delegation.create", view)
    return view
