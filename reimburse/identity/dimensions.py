"""Cost centres and projects: admin-managed master data that costs are split onto.

A code that any claim item uses is never deleted, only deactivated (a deactivated code cannot
be chosen for new or edited claims; what already names it keeps it). Every change goes on the
admin trail.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from reimburse.audit import service as trail
from reimburse.core.errors import Conflict, InvalidInput, NotFound
from reimburse.identity.records import CostCentreRecord, DepartmentRecord, ProjectRecord, UserRecord

Dimension = Literal["cost_centre", "project"]
DIMENSIONS: tuple[Dimension, ...] = ("cost_centre", "project")
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")
Row = CostCentreRecord | ProjectRecord
_RECORDS: dict[str, type[Row]] = {"cost_centre": CostCentreRecord, "project": ProjectRecord}


def _get(session: Session, dimension: Dimension, row_id: int) -> Row | None:
    if dimension == "cost_centre":
        return session.get(CostCentreRecord, row_id)
    return session.get(ProjectRecord, row_id)


def view(row: CostCentreRecord | ProjectRecord) -> dict[str, Any]:
    out: dict[str, Any] = {"id": row.id, "code": row.code, "name": row.name, "active": row.active}
    if isinstance(row, CostCentreRecord):
        out["department_id"] = row.department_id
        out["owner_user_id"] = row.owner_user_id
    return out


def listing(session: Session, dimension: Dimension, *, active_only: bool = False) -> list[dict[str, Any]]:
    record = _RECORDS[dimension]
    query = select(record).order_by(record.code)
    if active_only:
        query = query.where(record.active.is_(True))
    rows: list[Row] = list(session.scalars(query))
    return [view(r) for r in rows]


def _check_refs(session: Session, fields: dict[str, Any]) -> None:
    if (
        fields.get("department_id") is not None
        and session.get(DepartmentRecord, fields["department_id"]) is None
    ):
        raise InvalidInput(f"department {fields['department_id']} does not exist", code="invalid_department")
    if fields.get("owner_user_id") is not None and session.get(UserRecord, fields["owner_user_id"]) is None:
        raise InvalidInput(f"user {fields['owner_user_id']} does not exist", code="invalid_user")


def create(
    session: Session, dimension: Dimension, fields: dict[str, Any], actor: str, now: datetime
) -> dict[str, Any]:
    record = _RECORDS[dimension]
    code = str(fields["code"]).strip()
    if not _CODE.fullmatch(code):
        raise InvalidInput("a code is 1-32 letters, digits, '_', '.' or '-'", code="invalid_code")
    if session.scalars(select(record.id).where(record.code == code)).first() is not None:
        raise Conflict(f"{dimension} {code} exists", code=f"{dimension}_exists")
    _check_refs(session, fields)
    row: Row = record(**{**fields, "code": code, "active": True})
    session.add(row)
    session.flush()
    out = view(row)
    trail.record_admin(session, f"{dimension}:{code}", f"{dimension}.create", actor, now, out)
    return out


def update(
    session: Session, dimension: Dimension, row_id: int, fields: dict[str, Any], actor: str, now: datetime
) -> dict[str, Any]:
    """Rename, re-own or (de)activate; the code itself never changes (claims name it)."""
    row = _get(session, dimension, row_id)
    if row is None:
        raise NotFound(f"{dimension} {row_id} not found")
    _check_refs(session, fields)
    before = view(row)
    for key, value in fields.items():
        setattr(row, key, value)
    session.flush()
    after = view(row)
    diff = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if diff:
        trail.record_admin(session, f"{dimension}:{row.code}", f"{dimension}.update", actor, now, diff)
    return after


def delete(
    session: Session, dimension: Dimension, row_id: int, used: bool, actor: str, now: datetime
) -> dict[str, Any]:
    """Delete an unused code; a used one is deactivated instead (the answer says which)."""
    row = _get(session, dimension, row_id)
    if row is None:
        raise NotFound(f"{dimension} {row_id} not found")
    if used:
        out = update(session, dimension, row_id, {"active": False}, actor, now)
        return {**out, "deleted": False}
    out = view(row)
    session.delete(row)
    session.flush()
    trail.record_admin(session, f"{dimension}:{row.code}", f"{dimension}.delete", actor, now, out)
    return {**out, "active": False, "deleted": True}


def active_codes(session: Session, dimension: Dimension, codes: set[str]) -> set[str]:
    """Which of ``codes`` are active master data of the dimension."""
    if not codes:
        return set()
    record = _RECORDS[dimension]
    return set(session.scalars(select(record.code).where(record.code.in_(codes), record.active.is_(True))))
