"""Flow definitions as data: load and validate YAML/JSON, keep every version.

A definition may declare ``params`` and refer to them anywhere as ``$name`` (``amount_gt:
$executive_limit``); the service passes overrides from its settings to ``load_flow``. Every
problem is reported at once, each with its path (``nodes[2].approvers[0]: ...``), in one
``InvalidFlow`` error.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import yaml
from pydantic import ValidationError

from reimburse.core.problems import Problem, location, params_of, pydantic_problem
from reimburse.routing.domain import Flow, Node, NodeKind
from reimburse.routing.exceptions import InvalidFlow
from reimburse.routing.flows.schema import FlowModel

BUILTIN = ("default", "advance", "pre_approval")
# Every shipped version of a built-in flow: a claim finishes on the version it started on, so a
# changed shipped flow is a new version and the old file stays.
SHIPPED: dict[str, dict[int, str]] = {
    "default": {1: "default_flow_v1.yaml", 2: "default_flow.yaml"},
    "advance": {1: "advance_flow.yaml"},
    "pre_approval": {1: "pre_approval_flow.yaml"},
}


def parse_source(text: str) -> Any:
    """YAML (a superset of JSON) to plain data."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = {"line": mark.line + 1, "column": mark.column + 1} if mark is not None else {}
        problem = Problem("(document)", "not_yaml", str(exc), params_of(where))
        raise InvalidFlow("flow definition is not valid YAML/JSON", [problem]) from exc


def _substitute(raw: Any, params: Mapping[str, Any], path: str, problems: list[Problem]) -> Any:
    if isinstance(raw, str) and raw.startswith("$"):
        name = raw[1:]
        if name not in params:
            what = f"{path}: unknown parameter ${name} (declare it under 'params')"
            problems.append(Problem(path, "unknown_param", what, {"name": name}))
            return raw
        return params[name]
    if isinstance(raw, list):
        return [_substitute(v, params, f"{path}[{i}]", problems) for i, v in enumerate(raw)]
    if isinstance(raw, dict):
        return {
            k: _substitute(v, params, f"{path}.{k}" if path else str(k), problems) for k, v in raw.items()
        }
    return raw


def _loc(loc: tuple[int | str, ...]) -> str:
    return location(loc) or "(top level)"


def _node_ids(nodes: tuple[Node, ...]) -> list[str]:
    ids: list[str] = []
    for n in nodes:
        ids.append(n.id)
        if n.kind is NodeKind.PARALLEL:
            for branch in n.branches:
                ids.extend(_node_ids(branch))
    return ids


def load_flow(source: str | Mapping[str, Any], *, params: Mapping[str, Any] | None = None) -> Flow:
    """Validate a definition (text or already-parsed data); ``params`` override declared ones."""
    raw = parse_source(source) if isinstance(source, str) else dict(source)
    if not isinstance(raw, dict):
        got = type(raw).__name__
        raise InvalidFlow(
            "flow definition must be a mapping",
            [Problem("(document)", "not_mapping", f"got {got}", {"got": got})],
        )
    declared = raw.get("params") or {}
    problems: list[Problem] = []
    if not isinstance(declared, dict):
        problems.append(Problem("params", "not_mapping", "params: must be a mapping of name to value"))
        declared = {}
    overrides = dict(params or {})
    problems += [
        Problem("params", "unknown_override", f"override ${k}: not a parameter of this flow", {"name": k})
        for k in overrides
        if k not in declared
    ]
    merged = {**declared, **overrides}
    body = {k: v for k, v in raw.items() if k != "params"}
    body = _substitute(body, merged, "", problems)
    body["params"] = merged
    label = f"flow {raw.get('id', '?')} v{raw.get('version', '?')}"
    try:
        model = FlowModel.model_validate(body)
    except ValidationError as exc:
        # A path already reported as an unknown $parameter needs no second, vaguer message.
        known = {p.path for p in problems}
        problems += [pydantic_problem(_loc(e["loc"]), e) for e in exc.errors() if _loc(e["loc"]) not in known]
        raise InvalidFlow(f"{label} is invalid", problems) from None
    flow = model.to_domain()
    ids = _node_ids(flow.nodes)
    problems += [
        Problem("nodes", "duplicate_id", f"nodes: id {i!r} is used more than once", {"id": i})
        for i in sorted({i for i in ids if ids.count(i) > 1})
    ]
    if problems:
        raise InvalidFlow(f"{label} is invalid", problems)
    return flow


def load_builtin(name: str = "default", *, params: Mapping[str, Any] | None = None) -> Flow:
    """A flow shipped in this package (``reimburse/routing/flows/<name>_flow.yaml``)."""
    if name not in BUILTIN:
        raise InvalidFlow("unknown built-in flow", [f"{name!r} is not one of {', '.join(BUILTIN)}"])
    text = resources.files(__package__).joinpath(f"{name}_flow.yaml").read_text(encoding="utf-8")
    return load_flow(text, params=params)


def builtin_source(name: str = "default", version: int | None = None) -> str:
    """A shipped flow's text: the given version, or the latest."""
    if name not in SHIPPED:
        raise InvalidFlow("unknown built-in flow", [f"{name!r} is not one of {', '.join(SHIPPED)}"])
    versions = SHIPPED[name]
    file = versions[max(versions) if version is None else version]
    return resources.files(__package__).joinpath(file).read_text(encoding="utf-8")


@dataclass
class FlowCatalog:
    """Every version of every flow; a running claim is advanced with the version it started on."""

    _flows: dict[tuple[str, int], Flow] = field(default_factory=dict)

    def add(self, flow: Flow) -> None:
        key = (flow.id, flow.version)
        known = self._flows.get(key)
        if known is not None and known != flow:
            raise InvalidFlow(
                f"flow {flow.id} v{flow.version} already exists with other content",
                ["publish changes under a new version number"],
            )
        self._flows[key] = flow

    def get(self, flow_id: str, version: int) -> Flow:
        try:
            return self._flows[(flow_id, version)]
        except KeyError:
            raise InvalidFlow("unknown flow version", [f"{flow_id} v{version}"]) from None

    def latest(self, flow_id: str) -> Flow:
        versions = [v for (i, v) in self._flows if i == flow_id]
        if not versions:
            raise InvalidFlow("unknown flow", [flow_id])
        return self._flows[(flow_id, max(versions))]


def flow_json_schema() -> str:
    """The JSON Schema of a definition, for editors and the admin API."""
    return json.dumps(FlowModel.model_json_schema(by_alias=True), ensure_ascii=False, indent=2)
