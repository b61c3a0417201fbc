"""Everything the service layer stores or queues round-trips through JSON."""

from __future__ import annotations

import json
from datetime import timedelta

from reimburse.routing import serde
from reimburse.routing.domain import (
    AddPosition,
    AddSigner,
    Approve,
    Comment,
    Delegate,
    Event,
    FlowInstance,
    Org,
    Reject,
    Remind,
    Resubmit,
    Return,
    Submit,
    TimerTick,
    Transfer,
    Withdraw,
)
from reimburse.routing.engine import advance, new_instance
from tests.routing.helpers import T0, company, facts, mechanics_flow

FLOW = mechanics_flow()  # the engine's mechanics, not the shipped rule


def through_json(d: dict[str, object]) -> dict[str, object]:
    return json.loads(json.dumps(d, ensure_ascii=False))  # type: ignore[no-any-return]


def test_events_round_trip() -> None:
    events: list[Event] = [
        Submit("alice"),
        Approve("b", "ok", task_id="t.1"),
        Reject("b", "no"),
        Return("b"),
        Resubmit("alice"),
        Transfer("b", to="c"),
        AddSigner("b", "c", AddPosition.AFTER),
        Withdraw("alice"),
        Comment("b", "?"),
        Remind("alice"),
        TimerTick("x/1/remind"),
        Delegate("b", to="c"),
    ]
    for ev in events:
        d = through_json(serde.event_to_dict(ev))
        assert d["type"] == ev.kind
        assert serde.event_from_dict(d) == ev


def test_instance_and_effects_round_trip() -> None:
    org = company()
    inst = new_instance(FLOW, facts("60000", over_budget=True), org)
    inst, effects = advance(inst, Submit("alice"), FLOW, T0, org=org)
    inst, more = advance(inst, Approve("east_head", "好"), FLOW, T0 + timedelta(hours=1), org=org)
    stored = through_json(serde.instance_to_dict(inst))
    assert stored["schema"] == serde.INSTANCE_SCHEMA
    assert serde.instance_from_dict(stored) == inst
    # the fast instance codec and the generic one agree
    assert {k: v for k, v in stored.items() if k != "schema"} == through_json(serde.to_dict(inst))
    assert serde.from_dict(FlowInstance, stored) == inst
    for eff in (*effects, *more):
        assert serde.effect_from_dict(through_json(serde.effect_to_dict(eff))) == eff


def test_org_round_trips() -> None:
    org = company()
    again = serde.from_dict(Org, through_json(serde.to_dict(org)))
    assert again == org and again.role_holders("finance_reviewer") == ("fr1", "fr2")
