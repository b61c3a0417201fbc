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
from reimburse.routing.domain import EFFECT_TYPES, EVENT_TYPES, Effect, Event, FlowInstance

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


def instance_to_dict(inst: FlowInstance) -> dict[str, Any]:
    return {"schema": INSTANCE_SCHEMA, **to_dict(inst)}


def instance_from_dict(data: dict[str, Any]) -> FlowInstance:
    schema = data.get("schema", INSTANCE_SCHEMA)
    if schema != INSTANCE_SCHEMA:  # the place for migrations of stored instances, when there are any
        raise ValueError(f"unknown routing instance schema {schema}")
    return from_dict(FlowInstance, {k: v for k, v in data.items() if k != "schema"})


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
