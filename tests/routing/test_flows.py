"""Loading flow definitions: valid ones become values, invalid ones say exactly what is wrong."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal

import pytest

from reimburse.routing import serde
from reimburse.routing.domain import Flow, NodeKind, ResolverKind, RiskDecision, SlaAction
from reimburse.routing.exceptions import InvalidFlow
from reimburse.routing.flows import FlowCatalog, builtin_source, flow_json_schema, load_builtin, load_flow


def refused(text: str, **kw: object) -> InvalidFlow:
    with pytest.raises(InvalidFlow) as exc:
        load_flow(text, **kw)  # type: ignore[arg-type]
    assert exc.value.code == "invalid_flow" and exc.value.status == 422
    # the API sends each problem with its path, code and params, and the English message
    sent = exc.value.details["problems"]
    assert [p["message"] for p in sent] == exc.value.problems
    assert all(set(p) == {"path", "code", "params", "message"} and p["code"] for p in sent)
    return exc.value


def problems(text: str, **kw: object) -> list[str]:
    return refused(text, **kw).problems


def codes(text: str, **kw: object) -> list[tuple[str, str, dict[str, str]]]:
    return [(p["path"], p["code"], p["params"]) for p in refused(text, **kw).details["problems"]]


def test_default_flow_values() -> None:
    flow = load_builtin()
    assert (flow.id, flow.version) == ("default", 2)
    assert [n.id for n in flow.nodes] == [
        "dept_head",
        "finance_review",
        "finance_director",
        "general_manager",
        "ceo",
        "cc_cashier",
    ]
    fr = flow.nodes[1]
    assert fr.kind is NodeKind.ORSIGN and fr.approvers[0].kind is ResolverKind.ROLE
    assert fr.when is not None and fr.when.any_of[0].amount_gt == Decimal("1000")
    assert flow.nodes[0].sla is not None and flow.nodes[0].sla.action is SlaAction.FORWARD_MANAGER
    assert flow.nodes[0].when is not None and flow.nodes[0].when.amount_lte == Decimal("1000")
    assert flow.rules.auto_approve_below is None  # nobody-approves is an admin's explicit addition
    assert flow.rules.reject_when is not None and flow.rules.reject_when.risk == (RiskDecision.BLOCK,)


def test_json_is_accepted_too() -> None:
    data = {
        "id": "j",
        "version": 2,
        "nodes": [{"id": "a", "kind": "single", "approvers": [{"type": "dept_head"}]}],
    }
    assert load_flow(json.dumps(data)).nodes[0].id == "a"
    assert load_flow(data).version == 2


BROKEN = """
id: broken
version: 0
nodes:
  - id: a
    kind: single
    approvers: [{type: role}]
  - id: b
    kind: countersgin
    approvers: [{type: dept_head}]
  - id: c
    kind: single
    approvers: [{type: dept_head}]
    when: {amout_gt: 5}
"""


def test_every_problem_is_reported_with_its_path() -> None:
    got = problems(BROKEN)
    text = "\n".join(got)
    assert "version: Input should be greater than or equal to 1" in text
    assert "nodes[0].approvers[0]: an approver of type 'role' needs 'role'" in text
    assert "nodes[1].kind: Input should be" in text and "'countersign'" in text
    assert "nodes[2].when.amout_gt: Extra inputs are not permitted" in text
    assert len(got) == 4
    assert sorted(codes(BROKEN)) == [
        ("nodes[0].approvers[0]", "role_needs_role", {}),
        ("nodes[1].kind", "enum", {"expected": "single, countersign, orsign, sequential, cc, parallel"}),
        ("nodes[2].when.amout_gt", "extra_forbidden", {}),
        ("version", "greater_than_equal", {"ge": "1"}),
    ]


def test_semantic_problems() -> None:
    assert problems("id: x\nversion: 1\nnodes: []") == [
        "nodes: List should have at least 1 item after validation, not 0"
    ]
    got = problems(
        "id: x\nversion: 1\nnodes:\n"
        "  - {id: a, kind: single, approvers: [{type: dept_head}]}\n"
        "  - {id: p, kind: parallel, branches: [[{id: a, kind: cc, approvers: [{type: role, role: r}]}],"
        " [{id: z, kind: single, approvers: [{type: dept_head}]}]]}\n"
    )
    assert got == ["nodes: id 'a' is used more than once"]
    got = problems(
        "id: x\nversion: 1\nnodes:\n  - {id: a, kind: single, approvers: [{type: dept_head}],"
        " sla: {action: auto_approve, remind_after_hours: 3}}\n"
    )
    assert got == ["nodes[0].sla: sla action 'auto_approve' needs 'escalate_after_hours'"]
    got = problems("id: x\nversion: 1\nnodes:\n  - {id: p, kind: parallel, branches: []}\n")
    assert got == ["nodes[0]: a parallel node needs at least two 'branches'"]
    assert codes("id: x\nversion: 1\nnodes:\n  - {id: p, kind: parallel, branches: []}\n") == [
        ("nodes[0]", "parallel_needs_branches", {})
    ]
    got = problems(
        "id: 'bad id'\nversion: 1\nnodes:\n  - {id: a.b, kind: cc, approvers: [{type: dept_head}]}\n"
    )
    assert [p.split(":")[0] for p in got] == ["id", "nodes[0].id"]


def test_parameters_and_overrides() -> None:
    src = (
        "id: x\nversion: 1\nparams: {limit: 10}\nnodes:\n"
        "  - {id: a, kind: single, approvers: [{type: dept_head}], when: {amount_gt: $limit}}\n"
    )
    assert load_flow(src).nodes[0].when.amount_gt == Decimal(10)  # type: ignore[union-attr]
    assert load_flow(src, params={"limit": "99.5"}).nodes[0].when.amount_gt == Decimal("99.5")  # type: ignore[union-attr]
    assert problems(src, params={"limitt": 3}) == ["override $limitt: not a parameter of this flow"]
    assert codes(src, params={"limitt": 3}) == [("params", "unknown_override", {"name": "limitt"})]
    assert codes(src.replace("$limit", "$nope")) == [
        ("nodes[0].when.amount_gt", "unknown_param", {"name": "nope"})
    ]
    assert problems(src.replace("$limit", "$nope")) == [
        "nodes[0].when.amount_gt: unknown parameter $nope (declare it under 'params')"
    ]


def test_not_yaml() -> None:
    assert problems("id: [unclosed")[0].startswith("while parsing")
    assert codes("id: [unclosed") == [("(document)", "not_yaml", {"line": "1", "column": "14"})]
    assert problems("- just a list") == ["got list"]
    assert codes("- just a list") == [("(document)", "not_mapping", {"got": "list"})]


def test_catalog_keeps_versions_and_refuses_silent_edits() -> None:
    v1 = load_builtin()  # the latest shipped version (2)
    v2 = load_flow(builtin_source().replace("version: 2", "version: 3").replace('"50000"', '"80000"'))
    cat = FlowCatalog()
    cat.add(v1)
    cat.add(v2)
    cat.add(v1)  # same content again is fine
    assert cat.latest("default") is v2 and cat.get("default", 2) is v1
    with pytest.raises(InvalidFlow):
        cat.add(replace(v1, name="edited"))
    with pytest.raises(InvalidFlow):
        cat.get("default", 7)


def test_flow_round_trips_through_json() -> None:
    flow = load_builtin()
    again = serde.from_dict(Flow, json.loads(json.dumps(serde.to_dict(flow))))
    assert again == flow


def test_json_schema_is_published() -> None:
    schema = json.loads(flow_json_schema())
    assert "nodes" in schema["properties"] and "any" in json.dumps(schema)


def test_every_shipped_version_stays_loadable_for_the_claims_that_started_on_it() -> None:
    old, latest = load_flow(builtin_source("default", 1)), load_builtin()
    assert (old.version, latest.version) == (1, 2)
    assert load_flow(builtin_source("default")) == latest
    # version 1 approved small risk-free claims without anyone; the company's rule (2) never does
    assert old.rules.auto_approve_below is not None and latest.rules.auto_approve_below is None
