"""Who may hold approval work: an active person with an approving role (access role
approver, finance or admin, or a job role the flows resolve) or who heads a department."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from reimburse.core.errors import InvalidInput
from reimburse.identity.records import DepartmentRecord, UserRecord

APPROVING_ROLES = frozenset(
    {"approver", "finance", "admin", "finance_reviewer", "finance_director", "general_manager", "ceo"}
)


def may_approve(session: Session, user: UserRecord | None) -> bool:
    if user is None or not user.active:
        return False
    if APPROVING_ROLES.intersection(user.roles):
        return True
    heads = select(DepartmentRecord.id).where(DepartmentRecord.head_user_id == user.id).limit(1)
    return session.scalar(heads) is not None


def assignable(session: Session, user_id: int) -> UserRecord:
    """The user, if a task may be handed to them; else a 422 saying why not."""
    user = session.get(UserRecord, user_id)
    if user is None:
        raise InvalidInput(f"user {user_id} does not exist", code="invalid_assignee")
    if not user.active:
        raise InvalidInput(f"user {user_id} is deactivated", code="invalid_assignee")
    if not may_approve(session, user):
        raise InvalidInput(f"user {user_id} may not approve claims", code="invalid_assignee")
    return user
