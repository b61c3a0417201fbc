"""A faster ``dataclasses.replace`` for the engine's hot path.

``replace`` re-reads ``fields()`` and builds keyword arguments on every call, which made up most of
the engine's time (a ``Step`` is replaced about six times per decision). ``evolve`` keeps, per class,
one ``attrgetter`` over the fields (a single C call returns all current values) and each field's
position; it overwrites the changed positions and calls the class with positional arguments.
The class's own ``__init__`` runs, so nothing is skipped and no code is generated.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from operator import attrgetter
from typing import Any, TypeVar

T = TypeVar("T")

# class -> (all field values as a tuple, field name -> position)
_SHAPES: dict[type, tuple[Callable[[Any], tuple[Any, ...]], dict[str, int]]] = {}


def _shape(cls: type) -> tuple[Callable[[Any], tuple[Any, ...]], dict[str, int]]:
    # init=False fields cannot be passed to the constructor; the engine's value classes have none.
    names = [f.name for f in dataclasses.fields(cls)]
    assert all(f.init for f in dataclasses.fields(cls)), f"{cls.__name__} has init=False fields"
    # attrgetter of one name returns the bare value, not a 1-tuple
    getter: Callable[[Any], tuple[Any, ...]] = (
        attrgetter(*names) if len(names) > 1 else (lambda obj: (getattr(obj, names[0]),))
    )
    return getter, {name: i for i, name in enumerate(names)}


def evolve(obj: T, **changes: Any) -> T:
    """``obj`` with ``changes`` applied (a new instance; ``obj`` is left alone)."""
    cls = type(obj)
    shape = _SHAPES.get(cls)
    if shape is None:
        shape = _SHAPES[cls] = _shape(cls)
    getter, position = shape
    values = list(getter(obj))
    for name, value in changes.items():
        index = position.get(name)
        if index is None:
            raise TypeError(f"{cls.__name__} has no field {name!r}")
        values[index] = value
    result: T = cls(*values)
    return result
