"""The directory as admins change it: people and departments. Every change goes on the audit
trail with what changed, in the caller's transaction.

Deactivating someone hands their work on, which is claims' business: ``claims.leavers`` wraps
:func:`update_user` for that, so this module never decides who takes over a task.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from reimburse.audit import service as trail
from reimburse.core.errors import InvalidInput, NotFound
from reimburse.identity.auth import hash_password
from reimburse.identity.directory import department_view
from reimburse.identity.records import DepartmentRecord, UserRecord

# the fields of a person an admin may change (``active`` is the leavers' business)
EDITABLE = ("display_name", "roles", "department_id", "manager_id", "rank")


@dataclass(frozen=True)
class NewUser:
    username: str
    display_name: str
    password: str
    email: str | None = None
    roles: list[str] = field(default_factory=list)
    department_id: int | None = None
    manager_id: int | None = None
    rank: int = 0


def admin_user_view(u: UserRecord) -> dict[str, Any]:
    """A person as admins see them: their stored roles, without the implied ``employee``."""
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


def list_users(session: Session) -> list[dict[str, Any]]:
    return [admin_user_view(u) for u in session.scalars(select(UserRecord).order_by(UserRecord.id))]


def create_user(session: Session, new: NewUser, actor: str, now: datetime) -> dict[str, Any]:
    if session.scalars(select(UserRecord).where(UserRecord.username == new.username)).first():
        raise InvalidInput(f"the username {new.username!r} is taken", code="username_taken")
    user = UserRecord(
        username=new.username,
        display_name=new.display_name,
        email=new.email,
        password_hash=hash_password(new.password),
        roles=sorted(set(new.roles)),
        department_id=new.department_id,
        manager_id=new.manager_id,
        rank=new.rank,
    )
    session.add(user)
    session.flush()
    view = admin_user_view(user)
    trail.record_admin(session, f"user:{user.id}", "user.create", actor, now, view)
    return view


def get_user(session: Session, user_id: int) -> UserRecord:
    user = session.get(UserRecord, user_id)
    if user is None:
        raise NotFound(f"user {user_id} not found")
    return user


def update_user(
    session: Session, user_id: int, changes: dict[str, Any], actor: str, now: datetime
) -> UserRecord:
    """Apply ``changes`` (a subset of :data:`EDITABLE`); the trail gets each field's before and after."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise InvalidInput(f"these fields cannot be changed here: {sorted(unknown)}")
    user = get_user(session, user_id)
    before = admin_user_view(user)
    for key, value in changes.items():
        setattr(user, key, sorted(set(value)) if key == "roles" else value)
    session.flush()
    diff = {k: [before[k], v] for k, v in admin_user_view(user).items() if before[k] != v}
    if diff:
        trail.record_admin(session, f"user:{user_id}", "user.update", actor, now, diff)
    return user


def create_department(
    session: Session,
    name: str,
    parent_id: int | None,
    head_user_id: int | None,
    actor: str,
    now: datetime,
) -> dict[str, Any]:
    dept = DepartmentRecord(name=name, parent_id=parent_id, head_user_id=head_user_id)
    session.add(dept)
    session.flush()
    view = department_view(dept)
    trail.record_admin(session, f"department:{dept.id}", "department.create", actor, now, view)
    return view


def _refuse_cycle(session: Session, dept_id: int, parent: int | None) -> None:
    seen = {dept_id}
    while parent is not None:
        if parent in seen:
            raise InvalidInput("a department cannot be inside itself", code="department_cycle")
        seen.add(parent)
        above = session.get(DepartmentRecord, parent)
        parent = above.parent_id if above else None


def update_department(
    session: Session,
    dept_id: int,
    name: str,
    parent_id: int | None,
    head_user_id: int | None,
    actor: str,
    now: datetime,
) -> dict[str, Any]:
    dept = session.get(DepartmentRecord, dept_id)
    if dept is None:
        raise NotFound(f"department {dept_id} not found")
    _refuse_cycle(session, dept_id, parent_id)
    before = department_view(dept)
    dept.name, dept.parent_id, dept.head_user_id = name, parent_id, head_user_id
    session.flush()
    after = department_view(dept)
    diff = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    trail.record_admin(session, f"department:{dept_id}", "department.update", actor, now, diff)
    return after
