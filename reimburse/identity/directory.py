"""The company directory as people see it: colleagues, departments, and the signed-in user."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from reimburse.core.errors import NotFound
from reimburse.core.principal import Principal
from reimburse.identity.records import DepartmentRecord, UserRecord


def user_view(user: UserRecord) -> dict[str, Any]:
    return {
        "id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "email": user.email,
        "roles": sorted(set(user.roles) | {"employee"}),
        "department_id": user.department_id,
        "manager_id": user.manager_id,
        "rank": user.rank,
        "locale": user.locale,
        "active": user.active,
    }


def people(session: Session) -> list[dict[str, Any]]:
    """Active colleagues (names only), for transfer and add-signer pickers."""
    rows = session.scalars(select(UserRecord).where(UserRecord.active.is_(True)).order_by(UserRecord.id))
    return [{"id": u.id, "display_name": u.display_name, "department_id": u.department_id} for u in rows]


def departments(session: Session) -> list[dict[str, Any]]:
    """The department tree (names, parents, heads): for pickers, filters and labels."""
    rows = session.scalars(select(DepartmentRecord).order_by(DepartmentRecord.id))
    return [department_view(d) for d in rows]


def department_view(d: DepartmentRecord) -> dict[str, Any]:
    return {"id": d.id, "name": d.name, "parent_id": d.parent_id, "head_user_id": d.head_user_id}


def me(session: Session, principal: Principal) -> dict[str, Any]:
    """The signed-in person, or the machine credential (subject, roles, scopes)."""
    if principal.user_id is None:
        return {
            "subject": principal.subject,
            "roles": sorted(principal.roles),
            "scopes": sorted(principal.scopes),
        }
    user = session.get(UserRecord, principal.user_id)
    if user is None:
        raise NotFound("user not found")
    return user_view(user)
