"""``evolve``: the engine's plain-code replacement for ``dataclasses.replace``."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

import pytest

from reimburse.routing.domain import NodeKind, Step, Task, TaskOrigin, TaskStatus
from reimburse.routing.engine.values import evolve

TASK = Task("s1.1", "h1", "s1.1", TaskStatus.PENDING, alternates=("gm",))
STEP = Step("s1", "head", "部门负责人", NodeKind.SINGLE, ("h1",), tasks=(TASK,))


@pytest.mark.parametrize(
    ("obj", "changes"),
    [
        (TASK, {}),
        (
            TASK,
            {"status": TaskStatus.APPROVED, "acted_by": "h1", "acted_at": datetime(2026, 1, 5, tzinfo=UTC)},
        ),
        (TASK, {"origin": TaskOrigin.FORWARDED, "comment": "说明"}),
        (STEP, {"round": 2, "merged": ("finance",)}),
        (STEP, {"tasks": (), "assignees": ("h1", "gm"), "name": "x", "id": "s9"}),
    ],
)
def test_evolve_is_replace(obj: Task | Step, changes: dict[str, Any]) -> None:
    before = dataclasses.astuple(obj)
    new = evolve(obj, **changes)
    assert new == dataclasses.replace(obj, **changes)
    assert type(new) is type(obj) and dataclasses.astuple(obj) == before


def test_evolve_refuses_an_unknown_field() -> None:
    with pytest.raises(TypeError, match="Task has no field 'state'"):
        evolve(TASK, state=TaskStatus.APPROVED)
