"""The organisation as values for the pure cores, and the data-scope rules.

``load_org`` builds the routing engine's ``Org`` directory from the tables (small: one read
per table); ``subtree`` answers "which departments are under this one" for the rule that a
department head sees the claims of their department and everything below it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from reimburse.identity.records import CostCentreRecord, DelegationRecord, DepartmentRecord, UserRecord
from reimburse.routing.domain import Delegation, Department, Org, User


def load_org(session: Session) -> Org:
    """The directory of active people: a deactivated user is nobody's head, manager, cost-centre
    owner or delegate, so no route is planned to them (a department whose head left routes to
    the head above)."""
    users = {
        str(u.id): User(
            id=str(u.id),
            name=u.display_name,
            department=str(u.department_id) if u.department_id is not None else None,
            roles=tuple(u.roles),
            rank=u.rank,
            manager=str(u.manager_id) if u.manager_id is not None else None,
            email=u.email,
        )
        for u in session.scalars(select(UserRecord).where(UserRecord.active.is_(True)))
    }
    users = {
        k: u if u.manager is None or u.manager in users else replace(u, manager=None)
        for k, u in users.items()
    }

    def active(user_id: int | None) -> str | None:
        return str(user_id) if user_id is not None and str(user_id) in users else None

    departments = {
        str(d.id): Department(
            id=str(d.id),
            name=d.name,
            parent=str(d.parent_id) if d.parent_id is not None else None,
            head=active(d.head_user_id),
        )
        for d in session.scalars(select(DepartmentRecord))
    }
    delegations = tuple(
        Delegation(
            principal=str(d.user_id),
            delegate=str(d.delegate_id),
            start=datetime.combine(d.starts_on, time.min, UTC),
            end=datetime.combine(d.ends_on, time.max, UTC),
        )
        for d in session.scalars(select(DelegationRecord))
        if active(d.delegate_id) is not None
    )
    owners = {
        c.code: owner for c in session.scalars(select(CostCentreRecord)) if (owner := active(c.owner_user_id))
    }
    return Org(
        departments=departments,
        users=users,
        cost_centre_owners=owners,
        delegations=delegations,
        inactive=frozenset(
            str(i) for i in session.scalars(select(UserRecord.id).where(UserRecord.active.is_(False)))
        ),
    )


def subtree(session: Session, department_ids: Iterable[int]) -> set[int]:
    """The departments given and every department below them (cycles are cut)."""
    children: dict[int, list[int]] = {}
    for dept_id, parent_id in session.execute(select(DepartmentRecord.id, DepartmentRecord.parent_id)):
        if parent_id is not None:
            children.setdefault(parent_id, []).append(dept_id)
    out: set[int] = set()
    stack = list(department_ids)
    while stack:
        current = stack.pop()
        if current in out:
            continue
        out.add(current)
        stack.extend(children.get(current, []))
    return out


def headed_by(session: Session, user_id: int) -> list[int]:
    return list(session.scalars(select(DepartmentRecord.id).where(DepartmentRecord.head_user_id == user_id)))
