"""JSON-ready dicts from routing values and back, for the service layer to store.

``to_dict`` / ``from_dict`` work on any dataclass of ``reimburse.routing.domain`` (instances,
steps, flows, the org directory); events and effects carry a ``type`` key so that a list of them
round-trips (``event_to_dict`` / ``event_from_dict``, ``effect_to_dict`` / ``effect_from_dict``).
Decimals become strings, datetimes ISO 8601 strings (keep them timezone-aware), enums their values.
``INSTANCE_SCHEMA`` is stored beside an instance so that later layouts can migrate old rows.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections import abc
from datetime import datetime
from decimal import Decimal
from enum import Enum
from functools import cache
from typing import Any, TypeVar, cast, get_args, get_origin

from reimburse.routing import domain
from reimburse.routing.domain import (
    EFFECT_TYPES,
    EVENT_TYPES,
    Effect,
    Event,
    FlowInstance,
    InstanceStatus,
    NodeKind,
    Sla,
    SlaAction,
    Step,
    StepStatus,
    Task,
    TaskOrigin,
    TaskStatus,
    Timer,
    TimerKind,
)

INSTANCE_SCHEMA = 1
T = TypeVar("T")


def to_jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value) if f.init}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [to_jsonable(v) for v in value]
    if isinstance(value, frozenset | set):
        return sorted(to_jsonable(v) for v in value)
    if isinstance(value, abc.Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    return value


def to_dict(value: Any) -> dict[str, Any]:
    out = to_jsonable(value)
    assert isinstance(out, dict)
    return out


@cache
def _hints(cls: Any) -> dict[str, Any]:
    return typing.get_type_hints(cls, vars(domain))


def _decode(tp: Any, raw: Any) -> Any:
    origin = get_origin(tp)
    if origin in (types.UnionType, typing.Union):
        if raw is None:
            return None
        options = [a for a in get_args(tp) if a is not type(None)]
        return _decode(options[0], raw) if len(options) == 1 else raw
    if origin is tuple:
        args = get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_decode(args[0], v) for v in raw)
        return tuple(_decode(a, v) for a, v in zip(args, raw, strict=True))
    if origin is frozenset:
        return frozenset(_decode(get_args(tp)[0], v) for v in raw)
    if origin in (dict, abc.Mapping):
        _, vt = get_args(tp)
        return {k: _decode(vt, v) for k, v in raw.items()}
    if isinstance(tp, type):
        if dataclasses.is_dataclass(tp):
            return from_dict(tp, raw)
        if issubclass(tp, Enum):
            return tp(raw)
        if tp is Decimal:
            return Decimal(str(raw))
        if tp is datetime:
            return datetime.fromisoformat(raw)
    return raw


def from_dict(cls: type[T], data: dict[str, Any]) -> T:
    hints = _hints(cast(Any, cls))
    kwargs = {
        f.name: _decode(hints[f.name], data[f.name])
        for f in dataclasses.fields(cls)  # type: ignore[arg-type]
        if f.init and f.name in data
    }
    return cls(**kwargs)


# Instances are stored and read on every decision, so they get a hand-written codec (about 10x
# faster than the generic one above); test_serde checks both agree.


def _dt(v: datetime | None) -> str | None:
    return v.isoformat() if v is not None else None


def _pdt(v: str | None) -> datetime | None:
    return datetime.fromisoformat(v) if v is not None else None


def _task_out(t: Task) -> dict[str, Any]:
    return {
        "id": t.id,
        "assignee": t.assignee,
        "group": t.group,
        "status": t.status.value,
        "after": t.after,
        "alternates": list(t.alternates),
        "delegate": t.delegate,
        "origin": t.origin.value,
        "acted_by": t.acted_by,
        "acted_at": _dt(t.acted_at),
        "comment": t.comment,
    }


def _task_in(d: dict[str, Any]) -> Task:
    return Task(
        d["id"],
        d["assignee"],
        d["group"],
        TaskStatus(d["status"]),
        d["after"],
        tuple(d["alternates"]),
        d["delegate"],
        TaskOrigin(d["origin"]),
        d["acted_by"],
        _pdt(d["acted_at"]),
        d["comment"],
    )


def _step_out(s: Step) -> dict[str, Any]:
    sla = s.sla
    return {
        "id": s.id,
        "node_id": s.node_id,
        "name": s.name,
        "kind": s.kind.value,
        "assignees": list(s.assignees),
        "after": list(s.after),
        "status": s.status.value,
        "tasks": [_task_out(t) for t in s.tasks],
        "sla": None
        if sla is None
        else {
            "remind_after_hours": sla.remind_after_hours,
            "escalate_after_hours": sla.escalate_after_hours,
            "action": sla.action.value,
        },
        "activated_at": _dt(s.activated_at),
        "round": s.round,
        "merged": list(s.merged),
    }


def _step_in(d: dict[str, Any]) -> Step:
    sla = d["sla"]
    return Step(
        d["id"],
        d["node_id"],
        d["name"],
        NodeKind(d["kind"]),
        tuple(d["assignees"]),
        tuple(d["after"]),
        StepStatus(d["status"]),
        tuple(_task_in(t) for t in d["tasks"]),
        None
        if sla is None
        else Sla(sla["remind_after_hours"], sla["escalate_after_hours"], SlaAction(sla["action"])),
        _pdt(d["activated_at"]),
        d["round"],
        tuple(d["merged"]),
    )


def instance_to_dict(inst: FlowInstance) -> dict[str, Any]:
    return {
        "schema": INSTANCE_SCHEMA,
        "claim_id": inst.claim_id,
        "flow_id": inst.flow_id,
        "flow_version": inst.flow_version,
        "submitter": inst.submitter,
        "status": inst.status.value,
        "steps": [_step_out(s) for s in inst.steps],
        "timers": [
            {"id": t.id, "step_id": t.step_id, "kind": t.kind.value, "due": t.due.isoformat()}
            for t in inst.timers
        ],
        "seq": inst.seq,
        "auto": inst.auto,
    }


def instance_from_dict(data: dict[str, Any]) -> FlowInstance:
    schema = data.get("schema", INSTANCE_SCHEMA)
    if schema != INSTANCE_SCHEMA:  # the place for migrations of stored instances, when there are any
        raise ValueError(f"unknown routing instance schema {schema}")
    return FlowInstance(
        data["claim_id"],
        data["flow_id"],
        data["flow_version"],
        data["submitter"],
        InstanceStatus(data["status"]),
        tuple(_step_in(s) for s in data["steps"]),
        tuple(
            Timer(t["id"], t["step_id"], TimerKind(t["kind"]), datetime.fromisoformat(t["due"]))
            for t in data["timers"]
        ),
        data["seq"],
        data["auto"],
    )


def event_to_dict(event: Event) -> dict[str, Any]:
    return {"type": event.kind, **to_dict(event)}


def event_from_dict(data: dict[str, Any]) -> Event:
    cls = EVENT_TYPES[data["type"]]
    return from_dict(cls, {k: v for k, v in data.items() if k != "type"})


def effect_to_dict(effect: Effect) -> dict[str, Any]:
    return {"type": effect.kind, **to_dict(effect)}


def effect_from_dict(data: dict[str, Any]) -> Effect:
    cls = EFFECT_TYPES[data["type"]]
    return from_dict(cls, {k: v for k, v in data.items() if k != "type"})
