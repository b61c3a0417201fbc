"""Approval flows as stored versions that admins save: claims keep the version they started
with; the shipped default is version 1."""

from __future__ import annotations

import dataclasses
import enum
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reimburse.core.errors import InvalidInput, NotFound
from reimburse.routing.domain import Flow
from reimburse.routing.flows import BUILTIN, builtin_source, load_flow
from reimburse.routing.records import FlowVersionRecord


def flow_source(session: Session, flow_id: str, version: int | None = None) -> tuple[str, int]:
    """A flow's text: the given version, or the latest; the shipped flows (default, advance,
    pre_approval) are version 1."""
    query = select(FlowVersionRecord).where(FlowVersionRecord.flow_id == flow_id)
    if version is not None:
        query = query.where(FlowVersionRecord.version == version)
    row = session.scalars(query.order_by(FlowVersionRecord.version.desc())).first()
    if row is not None:
        return row.text, row.version
    if flow_id in BUILTIN and version in (None, 1):
        return builtin_source(flow_id), 1
    raise NotFound(f"flow {flow_id} v{version} not found")


def flow(
    session: Session, flow_id: str, version: int | None = None, params: dict[str, Any] | None = None
) -> Flow:
    text, _ = flow_source(session, flow_id, version)
    return load_flow(text, params=params)


def save_flow(session: Session, text: str, who: str) -> Flow:
    parsed = load_flow(text)  # an InvalidFlow (422) lists every problem with its path
    latest = session.scalar(
        select(func.max(FlowVersionRecord.version)).where(FlowVersionRecord.flow_id == parsed.id)
    )
    floor = max(latest or 0, 1 if parsed.id in BUILTIN else 0)
    if parsed.version <= floor:
        raise InvalidInput(
            f"flow {parsed.id} needs a version above {floor}: versions are never edited in place",
            code="flow_version_exists",
        )
    session.add(FlowVersionRecord(flow_id=parsed.id, version=parsed.version, text=text, created_by=who))
    session.flush()
    return parsed


def flow_diagram(f: Flow) -> dict[str, Any]:
    """The flow as ordered nodes for a readable diagram."""

    def value(v: Any) -> str:
        # enums by their flow-file spelling, several values as a|b (not Python reprs)
        if isinstance(v, enum.Enum):
            return str(v.value)
        if isinstance(v, tuple | list | frozenset | set):
            return "|".join(value(x) for x in v)
        return str(v)

    def cond(c: Any) -> str | None:
        """A condition as text, e.g. "amount_gt=1000 and risk=finance_review|block"."""
        if c is None:
            return None
        parts = [
            f"{f.name}={value(getattr(c, f.name))}"
            for f in dataclasses.fields(c)
            if f.name != "any_of" and getattr(c, f.name) not in (None, ())
        ]
        alternatives = [text for a in c.any_of if (text := cond(a))]
        if alternatives:
            parts.append("(" + " or ".join(alternatives) + ")")
        return " and ".join(parts) or None

    def node(n: Any) -> dict[str, Any]:
        return {
            "id": n.id,
            "name": n.name,
            "kind": n.kind.value,
            "when": cond(n.when),
            "approvers": [
                {"type": r.kind.value, "levels": r.levels, "role": r.role, "users": list(r.users)}
                for r in n.approvers
            ],
            "sla": None
            if n.sla is None
            else {
                "remind_after_hours": n.sla.remind_after_hours,
                "escalate_after_hours": n.sla.escalate_after_hours,
                "action": n.sla.action.value,
            },
            "branches": [[node(b) for b in branch] for branch in n.branches],
        }

    return {"id": f.id, "version": f.version, "name": f.name, "nodes": [node(n) for n in f.nodes]}


def flow_versions(session: Session) -> list[dict[str, Any]]:
    """Every flow with its stored versions (the shipped flows are version 1)."""
    rows = session.execute(select(FlowVersionRecord.flow_id, FlowVersionRecord.version)).all()
    versions: dict[str, list[int]] = {name: [1] for name in BUILTIN}
    for flow_id, version in rows:
        versions.setdefault(flow_id, []).append(version)
    return [{"id": k, "versions": sorted(v)} for k, v in sorted(versions.items())]
