"""What admins change in the directory: people, departments (a tree without cycles) and
delegations (out-of-office stand-ins). Services take the caller's session and never commit."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from reimburse.core.errors import Forbidden, InvalidInput, NotFound
from reimburse.core.principal import Principal, Role
from reimburse.identity.auth import hash_password
from reimburse.identity.directory import department_view
from reimburse.identity.records import DelegationRecord, DepartmentRecord, UserRecord
from reimburse.identity.service import deactivate_user


def admin_user_view(u: UserRecord) -> dict[str, Any]:
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


def users(session: Session) -> list[dict[str, Any]]:
    return [admin_user_view(u) for u in session.scalars(select(UserRecord).order_by(UserRecord.id))]


def create_user(
    session: Session,
    *,
    username: str,
    display_name: str,
    password: str,
    email: str | None,
    roles: list[str],
    department_id: int | None,
    manager_id: int | None,
    rank: int,
) -> dict[str, Any]:
    if session.scalars(select(UserRecord).where(UserRecord.username == username)).first():
        raise InvalidInput(f"the username {username!r} is taken", code="username_taken")
    user = UserRecord(
        username=username,
        display_name=display_name,
        email=email,
        password_hash=hash_password(password),
        roles=sorted(set(roles)),
        department_id=department_id,
        manager_id=manager_id,
        rank=rank,
    )
    session.add(user)
    session.flush()
    return admin_user_view(user)


def update_user(session: Session, user_id: int, changes: Mapping[str, Any], *, actor: str) -> dict[str, Any]:
    """Apply the given fields only (roles are kept sorted and unique). Switching someone off
    goes the one way out everyone takes (``deactivate_user``: tokens revoked)."""
    user = session.get(UserRecord, user_id)
    if user is None:
        raise NotFound(f"user {user_id} not found")
    if changes.get("active") is False and user.active:
        deactivate_user(session, user.id, actor=actor, reason="deactivated by an administrator")
    for key, value in changes.items():
        setattr(user, key, sorted(set(value)) if key == "roles" else value)
    session.flush()
    return admin_user_view(user)


def create_department(
    session: Session, name: str, parent_id: int | None, head_user_id: int | None
) -> dict[str, Any]:
    dept = DepartmentRecord(name=name, parent_id=parent_id, head_user_id=head_user_id)
    session.add(dept)
    session.flush()
    return department_view(dept)


def update_department(
    session: Session, dept_id: int, name: str, parent_id: int | None, head_user_id: int | None
) -> dict[str, Any]:
    dept = session.get(DepartmentRecord, dept_id)
    if dept is None:
        raise NotFound(f"department {dept_id} not found")
    parent = parent_id
    seen = {dept_id}
    while parent is not None:  # refuse a cycle in the tree
        if parent in seen:
            raise InvalidInput("a department cannot be inside itself", code="department_cycle")
        seen.add(parent)
        above = session.get(DepartmentRecord, parent)
        parent = above.parent_id if above else None
    dept.name, dept.parent_id, dept.head_user_id = name, parent_id, head_user_id
    session.flush()
    return department_view(dept)


def create_delegation(
    session: Session, actor: Principal, user_id: int, delegate_id: int, starts_on: date, ends_on: date
) -> dict[str, Any]:
    """Out-of-office: the delegate may act for the user in the date range. Admins set any;
    people set their own."""
    if not actor.has_role(Role.ADMIN) and actor.user_id != user_id:
        raise Forbidden("you can delegate only your own approvals")
    if ends_on < starts_on or user_id == delegate_id:
        raise InvalidInput("a delegation needs another person and an end on or after its start")
    row = DelegationRecord(user_id=user_id, delegate_id=delegate_id, starts_on=starts_on, ends_on=ends_on)
    session.add(row)
    session.flush()
    return {
        "id": row.id,
        "user_id": user_id,
        "delegate_id": delegate_id,
        "starts_on": starts_on.isoformat(),
        "ends_on": ends_on.isoformat(),
    }
