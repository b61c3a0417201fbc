"""Who may hold approval work, and handing a leaver's work on.

A task may go only to an active person who may approve: one with an approving role (access
role approver, finance or admin, or a job role the flows resolve) or who heads a department.
When someone leaves, each open task and planned seat of theirs goes to the first candidate of
the admin's hand-over rule (control ``handover``): ``mode: manager`` tries their manager, then
the fallback named for one of their roles, then the fallback for ``"*"``; ``mode: fallback``
tries the fallbacks first. A claim where no candidate can take the work (say, the candidate
submitted it) is reported as stranded, for an admin to reassign.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from reimburse.audit import service as trail
from reimburse.claims import service as workflow
from reimburse.claims.records import ClaimRecord
from reimburse.core.controls import get_control, set_control
from reimburse.core.errors import InvalidInput, NotFound
from reimburse.identity.approvers import assignable, may_approve
from reimburse.identity.org import load_org
from reimburse.identity.records import DelegationRecord, DepartmentRecord, UserRecord
from reimburse.routing import service as approvals
from reimburse.routing.domain import Reassign
from reimburse.routing.exceptions import RoutingError
from reimburse.routing.records import ApprovalTaskRecord
from reimburse.routing.serde import instance_from_dict

OPEN_CLAIMS = ("submitted", "returned")


def candidates(session: Session, leaver: UserRecord) -> list[int]:
    """Who takes over the leaver's work, in the order the admin's rule says (active approvers)."""
    rule: dict[str, Any] = get_control(session, "handover")
    fallbacks: dict[str, int] = {str(k): int(v) for k, v in (rule.get("fallbacks") or {}).items()}
    by_role = [fallbacks[r] for r in leaver.roles if r in fallbacks]
    if "*" in fallbacks:
        by_role.append(fallbacks["*"])
    managers = _managers(session, leaver)
    ordered = [*by_role, *managers] if rule.get("mode") == "fallback" else [*managers, *by_role]
    out: list[int] = []
    for uid in ordered:
        if uid != leaver.id and uid not in out and may_approve(session, session.get(UserRecord, uid)):
            out.append(uid)
    return out


def _managers(session: Session, user: UserRecord) -> list[int]:
    """The explicit manager, then the heads of the user's department and those above it."""
    out: list[int] = [user.manager_id] if user.manager_id is not None else []
    dept_id, seen = user.department_id, set[int]()
    while dept_id is not None and dept_id not in seen:
        seen.add(dept_id)
        dept = session.get(DepartmentRecord, dept_id)
        if dept is None:
            break
        if dept.head_user_id is not None and dept.head_user_id != user.id:
            out.append(dept.head_user_id)
        dept_id = dept.parent_id
    return out


def _holds_work(route: dict[str, Any] | None, user: str) -> bool:
    if not route:
        return False
    for step in instance_from_dict(route).steps:
        if step.status.value not in ("waiting", "active"):
            continue
        if any(t.assignee == user and t.status.open for t in step.tasks):
            return True
        if step.status.value == "waiting" and user in step.assignees:
            return True
    return False


def hand_over(session: Session, leaver: UserRecord, actor: str, now: datetime) -> dict[str, Any]:
    """Move every open task and planned seat of ``leaver`` on by the hand-over rule."""
    people = candidates(session, leaver)
    moved: list[dict[str, int]] = []
    stranded: list[int] = []
    who = str(leaver.id)
    claims = session.scalars(
        select(ClaimRecord).where(ClaimRecord.status.in_(OPEN_CLAIMS)).order_by(ClaimRecord.id)
    )
    org = load_org(session)
    for claim in claims:
        if not _holds_work(claim.route, who):
            continue
        for to in people:
            if to == claim.submitter_id:
                continue
            try:
                _reassign(session, claim, Reassign(actor, str(to), user=who, comment="hand-over"), org, now)
            except RoutingError:
                continue  # e.g. the candidate already sits in that step: try the next one
            moved.append({"claim_id": claim.id, "to": to})
            break
        else:
            stranded.append(claim.id)
    return {"moved": moved, "stranded": stranded, "candidates": people}


def set_rule(session: Session, rule: dict[str, Any], actor: str, now: datetime) -> dict[str, Any]:
    """Store the hand-over rule (``mode`` and ``fallbacks``: role or ``"*"`` -> user id); every
    fallback must be someone who may hold approval work."""
    for role, user_id in rule["fallbacks"].items():
        try:
            assignable(session, user_id)
        except InvalidInput as exc:
            raise InvalidInput(f"fallback for {role!r}: {exc}", code="invalid_assignee") from exc
    before = set_control(session, "handover", rule)
    trail.record_admin(
        session, "control:handover", "control.set", actor, now, {"before": before, "after": rule}
    )
    return rule


def hand_over_again(session: Session, user_id: int, actor: str, now: datetime) -> dict[str, Any]:
    """Run a deactivated user's hand-over again (after the rule was fixed for stranded work)."""
    user = session.get(UserRecord, user_id)
    if user is None:
        raise NotFound(f"user {user_id} not found")
    if user.active:
        raise InvalidInput("hand-over is for deactivated users", code="user_active")
    result = hand_over(session, user, actor, now)
    trail.record_admin(session, f"user:{user_id}", "user.hand_over", actor, now, result)
    return result


def reassign_task(
    session: Session,
    claim: ClaimRecord,
    task_id: str,
    to_user_id: int,
    actor: str,
    now: datetime,
    comment: str,
) -> None:
    """An admin moves one open task to an active approver."""
    assignable(session, to_user_id)
    _reassign(
        session,
        claim,
        Reassign(actor, str(to_user_id), task_id=task_id, comment=comment),
        load_org(session),
        now,
    )


def _reassign(session: Session, claim: ClaimRecord, event: Reassign, org: Any, now: datetime) -> None:
    if claim.flow_id is None or claim.flow_version is None:
        raise InvalidInput("the claim has not been submitted", code="claim_not_submitted")
    flow = approvals.flow_for(session, claim.flow_id, claim.flow_version)
    approvals.apply(session, claim, event, flow, org, now, workflow.on_final)


def apply_delegation(session: Session, delegation: DelegationRecord) -> int:
    """Put the principal's tasks already waiting into the delegate's inbox too."""
    held = session.scalars(
        select(ApprovalTaskRecord).where(
            ApprovalTaskRecord.user_id == delegation.user_id,
            ApprovalTaskRecord.assignee_id == delegation.user_id,
            ApprovalTaskRecord.open.is_(True),
        )
    ).all()
    added = 0
    for task in held:
        exists = session.scalar(
            select(ApprovalTaskRecord.id).where(
                ApprovalTaskRecord.claim_id == task.claim_id,
                ApprovalTaskRecord.task_key == task.task_key,
                ApprovalTaskRecord.user_id == delegation.delegate_id,
                ApprovalTaskRecord.open.is_(True),
            )
        )
        if exists is None:
            session.add(
                ApprovalTaskRecord(
                    claim_id=task.claim_id,
                    task_key=task.task_key,
                    step_name=task.step_name,
                    user_id=delegation.delegate_id,
                    assignee_id=delegation.user_id,
                    open=True,
                )
            )
            added += 1
    session.flush()
    return added


def revoke_delegation(session: Session, delegation: DelegationRecord) -> None:
    """The delegate no longer stands in: their inbox copies of the principal's tasks close."""
    for task in session.scalars(
        select(ApprovalTaskRecord).where(
            ApprovalTaskRecord.user_id == delegation.delegate_id,
            ApprovalTaskRecord.assignee_id == delegation.user_id,
            ApprovalTaskRecord.open.is_(True),
        )
    ):
        task.open = False
    session.delete(delegation)
    session.flush()
