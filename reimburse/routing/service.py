"""Running a claim through its approval flow: the glue between the stored claim and the pure
routing engine.

The engine decides (``advance``) and returns effects; this module stores them: the new route,
the open tasks (the inboxes), SLA timers, the audit chain, and outbox messages that are sent
only after the transaction commits. A claim keeps the flow version it started with.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol, TypeVar

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from reimburse.audit import service as trail
from reimburse.audit.service import MaterialClaim
from reimburse.core.outbox import OutboxRecord
from reimburse.routing.domain import (
    AssignTask,
    AuditRecord,
    CancelTimer,
    ClaimFacts,
    CloseTask,
    Event,
    FinalStatus,
    Flow,
    FlowInstance,
    InstanceStatus,
    Notify,
    Org,
    ScheduleTimer,
)
from reimburse.routing.engine import advance, new_instance
from reimburse.routing.records import ApprovalTaskRecord, RouteTimerRecord
from reimburse.routing.serde import instance_from_dict, instance_to_dict
from reimburse.routing.versions import flow


class RoutedClaim(MaterialClaim, Protocol):
    """What routing reads and writes on a claim: its route and flow version (and, for the audit
    trail, its material content). The claim's own status follows the route's, which ``start``
    and ``apply`` return; the claims side maps it."""

    id: int
    number: str | None
    route: dict[str, Any] | None
    flow_id: str | None
    flow_version: int | None
    decided_at: datetime | None

    @property
    def status(self) -> str: ...  # read for the trail's state labels, written by the claims side


C = TypeVar("C", bound=RoutedClaim)
# Called once when a claim's route ends (approved, rejected, withdrawn), inside the same
# transaction: the claims side settles budgets and invoices there.
FinalHook = Callable[[Session, C, InstanceStatus, datetime], None]


def flow_for(
    session: Session, flow_id: str, version: int | None, params: dict[str, Any] | None = None
) -> Flow:
    """The flow a claim runs: the version it started with (``None``: the latest, for a new claim).
    Admin-saved versions are stored; shipped ones are files (``flows.SHIPPED``)."""
    return flow(session, flow_id, version, params)


def start(
    session: Session,
    claim: C,
    facts: ClaimFacts,
    flow: Flow,
    org: Org,
    event: Event,
    now: datetime,
    on_final: FinalHook[C],
) -> InstanceStatus:
    """Plan the route for a submitted claim and apply the submission."""
    instance = new_instance(flow, facts, org)
    claim.flow_id, claim.flow_version = flow.id, flow.version
    return _advance(session, claim, instance, event, flow, org, now, on_final)


def apply(
    session: Session,
    claim: C,
    event: Event,
    flow: Flow,
    org: Org,
    now: datetime,
    on_final: FinalHook[C],
) -> InstanceStatus:
    """Apply an event (approve, reject, return, resubmit, ...) to a running claim."""
    if claim.route is None:
        raise LookupError(f"claim {claim.id} has no route")
    return _advance(session, claim, instance_from_dict(claim.route), event, flow, org, now, on_final)


def _advance(
    session: Session,
    claim: C,
    instance: FlowInstance,
    event: Event,
    flow: Flow,
    org: Org,
    now: datetime,
    on_final: FinalHook[C],
) -> InstanceStatus:
    outcome = advance(instance, event, flow, now, org=org)
    claim.route = instance_to_dict(outcome.instance)
    audits: list[AuditRecord] = []
    for effect in outcome.effects:
        if isinstance(effect, AuditRecord):
            audits.append(effect)  # appended last: the chain's head lock is the last one taken
        elif isinstance(effect, AssignTask):
            people = dict.fromkeys([effect.assignee, *effect.may_act])
            for user in people:
                session.add(
                    ApprovalTaskRecord(
                        claim_id=claim.id,
                        task_key=effect.task_id,
                        step_name=_step_name(outcome.instance, effect.step_id),
                        user_id=int(user),
                        assignee_id=int(effect.assignee),
                        open=True,
                    )
                )
        elif isinstance(effect, CloseTask):
            session.execute(
                update(ApprovalTaskRecord)
                .where(ApprovalTaskRecord.claim_id == claim.id, ApprovalTaskRecord.task_key == effect.task_id)
                .values(open=False)
            )
        elif isinstance(effect, ScheduleTimer):
            session.add(RouteTimerRecord(claim_id=claim.id, timer_key=effect.timer_id, due_at=effect.due))
        elif isinstance(effect, CancelTimer):
            session.execute(
                delete(RouteTimerRecord).where(
                    RouteTimerRecord.claim_id == claim.id, RouteTimerRecord.timer_key == effect.timer_id
                )
            )
        elif isinstance(effect, Notify):
            session.add(
                OutboxRecord(
                    kind="notify",
                    topic=effect.event.value,
                    payload={
                        "claim_id": claim.id,
                        "claim_number": claim.number,
                        "event": effect.event.value,
                        "recipients": list(effect.recipients),
                        "actor": effect.actor,
                        "comment": effect.comment,
                    },
                )
            )
        elif isinstance(effect, FinalStatus):
            claim.decided_at = now
            on_final(session, claim, effect.status, now)
    for record in audits:
        _audit(session, claim, record)
    session.flush()
    return outcome.instance.status


def _step_name(instance: FlowInstance, step_id: str) -> str:
    return next((s.name for s in instance.steps if s.id == step_id), step_id)


def record(
    session: Session,
    claim: RoutedClaim,
    action: str,
    actor: str,
    comment: str,
    now: datetime,
    *,
    state_before: str | None = None,
    state_after: str | None = None,
) -> None:
    """Put an event that is not a routing transition on the claim's trail (an edit, a re-plan,
    a hold, a finance decision): the same chain as the approvals, one entry after the last."""
    _audit(
        session,
        claim,
        AuditRecord(
            claim_id=str(claim.id),
            seq=0,  # numbered by _audit after the claim's last entry
            actor=actor,
            at=now,
            action=action,
            comment=comment,
            state_before=state_before or claim.status,
            state_after=state_after or claim.status,
        ),
    )
    session.flush()


def _audit(session: Session, claim: RoutedClaim, record: AuditRecord) -> None:
    trail.append_transition(
        session,
        claim,
        actor=record.actor,
        at=record.at,
        action=record.action,
        comment=record.comment,
        state_before=record.state_before,
        state_after=record.state_after,
    )
