"""The shape the code keeps: no import cycles between modules, and a typed answer on every JSON
route (the OpenAPI document is what is sent)."""

from __future__ import annotations

from typing import Any

import grimp

from reimburse.api.app import create_app
from reimburse.core.settings import Settings


def _cycles(graph: grimp.ImportGraph, package: str) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan, iterative)."""
    modules = sorted(m for m in graph.modules if m.startswith(package))
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in modules:
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next((c for c in children if c.startswith(package)), None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.find_modules_directly_imported_by(child)))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    found.append(sorted(group))
    return found


def test_no_module_imports_itself_through_others() -> None:
    # imports inside functions count too: hiding a cycle there is still a cycle
    graph = grimp.build_graph("reimburse")
    assert _cycles(graph, "reimburse") == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = grimp.ImportGraph()
    for name in ("p", "p.a", "p.b", "p.c"):
        graph.add_module(name)
    graph.add_import(importer="p.a", imported="p.b")
    graph.add_import(importer="p.b", imported="p.a")
    graph.add_import(importer="p.c", imported="p.a")
    assert _cycles(graph, "p") == [["p.a", "p.b"]]


# Routes that answer with something other than a JSON object of their own.
_NOT_JSON = {
    "/api/v1/auth/logout",  # 204, no body
    "/api/v1/auth/{platform}/login",  # a redirect to the work app
    "/api/v1/auth/{platform}/callback",  # an HTML page that finishes the sign-in
    "/api/v1/workapps/{platform}/callback",  # the platform's own reply format (text, XML, JSON)
    "/api/v1/audit/export",  # a file download
    "/api/v1/documents/{document_id}/file",
    "/api/v1/claims/{claim_id}/form.pdf",
    "/api/v1/payouts/export.csv",
    "/api/v1/payouts/export.xlsx",
    "/api/v1/vouchers/export.csv",  # files to download
    "/api/v1/vouchers/export.json",
    "/api/v1/vouchers/export.xlsx",
    "/api/v1/payouts/reconciliation.csv",
    "/api/v1/payouts/reconciliation.xlsx",
    "/api/v1/reports/export.csv",
    "/api/v1/reports/export.xlsx",
    "/readyz",  # JSONResponse with its own status code
    "/metrics",
    "/",
    "/sw.js",
    "/{path:path}",  # the web app's pages
}


def _success_schemas(operation: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        answer.get("content", {}).get("application/json", {}).get("schema", {})
        for status, answer in operation["responses"].items()
        if status.startswith("2")
    ]


def test_every_json_route_declares_the_model_it_sends(tmp_path: object) -> None:
    """Read from the OpenAPI document, not ``app.routes``: FastAPI nests included routers, and a
    route annotated ``-> dict[str, Any]`` gets a generic object schema that documents nothing."""
    app = create_app(Settings(environment="test", data_dir=tmp_path, database_url="sqlite://"))
    paths = app.openapi()["paths"]
    untyped = [
        f"{method.upper()} {path}"
        for path, operations in paths.items()
        if path not in _NOT_JSON
        for method, operation in operations.items()
        if not any("$ref" in schema for schema in _success_schemas(operation))
    ]
    assert len(paths) > 50  # the walk reached the routes
    assert untyped == []
