"""One catalogue words every message a person sees, in Chinese and in English (no browser: runs
in the default suite). The server emits codes and parameters (findings, review reasons, errors);
every code it can emit, collected from its source, has an entry in both languages, and an entry's
placeholders are the same in both and are parameters the server passes with that code."""

from __future__ import annotations

import ast
import json
import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

from reimburse.api.web import WEB
from tests.browser.test_static import _finding_codes

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"\{(\w+)\}")
CJK = re.compile(r"[\u3400-\u9fff]")


def catalogue() -> dict[str, dict[str, str]]:
    """The zh and en tables of ``i18n.js``, key -> text."""
    source = (WEB / "i18n.js").read_text()
    out = {}
    for lang, start, end in (("zh", "zh: {", "en: {"), ("en", "en: {", "export let lang")):
        table = source[source.index(start) : source.index(end)]
        entries = re.findall(r'(?:"([\w.*]+)"|\b(\w+)\b): ("(?:[^"\\]|\\.)*")', table)
        out[lang] = {a or b: json.loads(text) for a, b, text in entries}
    return out


def _trees(*packages: str) -> Iterator[tuple[Path, ast.Module]]:
    for package in packages:
        for path in sorted((ROOT / "reimburse" / package).rglob("*.py")):
            yield path, ast.parse(path.read_text())


def _name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    return node.attr if isinstance(node, ast.Attribute) else None


def _literal_keys(node: ast.expr | None, scope: ast.AST) -> set[str] | None:
    """Keys of a ``((key, value), ...)`` tuple or a ``{key: value}`` dict, also when it was
    assigned to a name in the same function first; None when they are not written out."""
    if isinstance(node, ast.Name):
        for n in ast.walk(scope):
            if isinstance(n, ast.Assign) and any(_name(t) == node.id for t in n.targets):
                return _literal_keys(n.value, scope)
        return None
    if isinstance(node, ast.Tuple):
        keys = set()
        for pair in node.elts:
            if not (isinstance(pair, ast.Tuple) and pair.elts and isinstance(pair.elts[0], ast.Constant)):
                return None
            keys.add(str(pair.elts[0].value))
        return keys
    if isinstance(node, ast.Dict) and all(isinstance(k, ast.Constant) for k in node.keys):
        return {str(k.value) for k in node.keys if isinstance(k, ast.Constant)}
    return None


def _arg(call: ast.Call, index: int, keyword: str) -> ast.expr | None:
    if len(call.args) > index:
        return call.args[index]
    return next((k.value for k in call.keywords if k.arg == keyword), None)


def _functions(tree: ast.Module) -> Iterator[tuple[ast.AST, ast.Call]]:
    """Every call with the function (or module) it is written in."""
    for scope in [tree, *(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef))]:
        for n in ast.walk(scope):
            if isinstance(n, ast.Call):
                yield scope, n


def _codes_of(node: ast.expr | None, scope: ast.AST, module: ast.Module) -> set[str]:
    """The code strings an expression can hold: a constant, ``a or b``, a name assigned one of
    them (in the function, or the module), a lookup in a module's table of codes."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.BoolOp):
        return set().union(*(_codes_of(v, scope, module) for v in node.values))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get":
        return _codes_of(node.func.value, scope, module)
    if isinstance(node, ast.Dict):
        return {v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str)}
    if isinstance(node, ast.Name):
        for where in (scope, module):
            for n in ast.walk(where):
                value = getattr(n, "value", None)
                targets = (
                    n.targets
                    if isinstance(n, ast.Assign)
                    else [n.target]
                    if isinstance(n, ast.AnnAssign)
                    else []
                )
                if value is not None and any(_name(t) == node.id for t in targets):
                    return _codes_of(value, where, module)
    return set()


def finding_params() -> dict[str, set[str]]:
    """code -> the parameter names some rule passes with it (written out in its source)."""
    trees = [t for _, t in _trees("claims", "policy", "budgets", "verification")]
    makers: dict[str, set[str]] = {}  # helpers taking the code first: the params their Finding passes
    for tree in trees:
        for fn in (n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)):
            if fn.args.args and fn.args.args[0].arg == "code":
                for n in ast.walk(fn):
                    if isinstance(n, ast.Call) and _name(n.func) == "Finding":
                        makers[fn.name] = _literal_keys(_arg(n, 5, "details"), fn) or set()
    out: dict[str, set[str]] = defaultdict(set)
    for tree in trees:
        for scope, call in _functions(tree):
            name = _name(call.func)
            if name not in makers and name != "Finding":
                continue
            keys = makers.get(name) or _literal_keys(_arg(call, 5, "details"), scope) or set()
            for code in _codes_of(_arg(call, 0, "code"), scope, tree):
                out[code] |= keys
    # the service adds budget findings as stored dicts: {"code": ..., "params": {...}}
    for tree in trees:
        for n in ast.walk(tree):
            if isinstance(n, ast.Dict):
                d = {k.value: v for k, v in zip(n.keys, n.values, strict=True) if isinstance(k, ast.Constant)}
                code, params = d.get("code"), d.get("params")
                if isinstance(code, ast.Constant) and isinstance(code.value, str) and params is not None:
                    out[code.value] |= _literal_keys(params, tree) or set()
    return out


def review_params() -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for _, tree in _trees("ocr"):
        for scope, call in _functions(tree):
            code = _arg(call, 0, "code")
            if _name(call.func) == "ReviewReason" and isinstance(code, ast.Constant):
                out[str(code.value)] |= _literal_keys(_arg(call, 3, "params"), scope) or set()
    return out


def error_params() -> dict[str, set[str]]:
    """Every error code the API can answer with -> the params some raise passes with it: the
    ``code`` of each class under ``ReimburseError``, ``code=`` where one is raised, and the
    codes ``api/errors.py`` answers with itself."""
    trees = [t for _, t in _trees(".")]
    errors = {"ReimburseError"}
    grew = True
    while grew:
        grew = False
        for tree in trees:
            for c in (n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)):
                if c.name not in errors and any(_name(b) in errors for b in c.bases):
                    errors.add(c.name)
                    grew = True
    out: dict[str, set[str]] = defaultdict(set)
    for tree in trees:
        for c in (n for n in ast.walk(tree) if isinstance(n, ast.ClassDef) and n.name in errors):
            for stmt in c.body:
                if (
                    isinstance(stmt, ast.Assign)
                    and any(_name(t) == "code" for t in stmt.targets)
                    and isinstance(stmt.value, ast.Constant)
                ):
                    out.setdefault(str(stmt.value.value), set())
        for scope, call in _functions(tree):
            code = next((k.value for k in call.keywords if k.arg == "code"), None)
            if _name(call.func) in errors and isinstance(code, ast.Constant):
                params = next((k.value for k in call.keywords if k.arg == "params"), None)
                out[str(code.value)] |= _literal_keys(params, scope) or set()
    handlers = ast.parse((ROOT / "reimburse" / "api" / "errors.py").read_text())
    for n in ast.walk(handlers):
        if isinstance(n, ast.Call) and _name(n.func) == "error_body" and isinstance(n.args[0], ast.Constant):
            out.setdefault(str(n.args[0].value), set())
        if isinstance(n, ast.Dict) and all(
            isinstance(k, ast.Constant) and isinstance(k.value, int) for k in n.keys
        ):
            out.update(
                {str(v.value): set() for v in n.values if isinstance(v, ast.Constant)}
            )  # by HTTP status
    out.setdefault("http_error", set())
    return out


def _dict_keys(node: ast.expr | None, scope: ast.AST) -> set[str]:
    """Keys written out in a dict literal (either side of ``a if c else b``), also through
    ``params_of(...)`` or a name assigned one in the same function."""
    if isinstance(node, ast.Call) and _name(node.func) == "params_of" and node.args:
        return _dict_keys(node.args[0], scope)
    if isinstance(node, ast.IfExp):
        return _dict_keys(node.body, scope) | _dict_keys(node.orelse, scope)
    if isinstance(node, ast.Name):
        for n in ast.walk(scope):
            if isinstance(n, ast.Assign) and any(_name(t) == node.id for t in n.targets):
                return _dict_keys(n.value, scope)
        return set()
    return _literal_keys(node, scope) or set()


def problem_params() -> dict[str, set[str]]:
    """Every problem code a refused policy, flow or request can carry -> its params: pydantic's
    error types (``core.problems.PYDANTIC_PARAMS``), each ``Problem(path, code, ...)``, and the
    codes the policy document (``_fail``, ``_problem``) and the flow's shape (``_refuse``) raise."""
    from reimburse.core.problems import PYDANTIC_PARAMS

    out: dict[str, set[str]] = defaultdict(set)
    out.update({code: set(names) for code, names in PYDANTIC_PARAMS.items()})
    out["flow_problem"] = set()  # an InvalidFlow raised with text
    for _, tree in _trees("core", "policy", "routing", "currency", "vouchers"):
        for scope, call in _functions(tree):
            name = _name(call.func)
            keywords = {k.arg for k in call.keywords if k.arg}
            if name in ("_fail", "_refuse"):
                code, params = _arg(call, 0, "code"), keywords - {"code", "message", "what"}
            elif name in ("_wrong", "_rate_problem"):  # the GL mapping's, a rate's: params as keywords
                code, params = _arg(call, 0 if name == "_wrong" else 1, "code"), keywords
            elif name in ("Problem", "_problem"):
                code, params = _arg(call, 1, "code"), _dict_keys(_arg(call, 3, "params"), scope)
            else:
                continue
            for found in _codes_of(code, scope, tree):
                out[found] |= params
    return out


def _placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def test_every_entry_has_the_same_placeholders_in_both_languages() -> None:
    cat = catalogue()
    assert set(cat["zh"]) == set(cat["en"])
    differ = {
        k: (cat["zh"][k], cat["en"][k])
        for k in cat["zh"]
        if _placeholders(cat["zh"][k]) != _placeholders(cat["en"][k])
    }
    assert not differ


def _variants(table: dict[str, str], key: str) -> list[str]:
    return [k for k in (key, f"{key}.1", f"{key}.2") if k in table]


def _check(prefix: str, emitted: dict[str, set[str]], *, required: bool) -> list[str]:
    """Every code has an entry in both languages (``required``); an entry only asks for
    parameters the server passes with its code."""
    cat = catalogue()
    problems = []
    for code, params in sorted(emitted.items()):
        for lang in ("zh", "en"):
            keys = _variants(cat[lang], f"{prefix}.{code}")
            if required and not keys:
                problems.append(f"{lang}: no {prefix}.{code}")
            for key in keys:
                extra = _placeholders(cat[lang][key]) - params
                if extra:
                    problems.append(
                        f"{lang}: {key} asks for {sorted(extra)}, the server passes {sorted(params)}"
                    )
    return problems


def test_every_finding_is_worded_with_the_params_its_rules_pass() -> None:
    params = finding_params()
    codes = _finding_codes() | set(params)  # also codes held in names and tables of codes
    assert {"seller_tax_id_invalid", "corrected_amount", "per_diem_over_trip_cap"} <= codes
    assert {"amount", "cap", "over"} <= params["meals_over_cap"]  # the collector reads the helpers
    assert params["per_diem_over_trip_cap"] == {"days", "trip_days", "over"}
    assert {"read", "typed"} <= params["corrected_amount"]  # and details assigned to a name first
    assert _check("finding", {c: set() for c in codes}, required=True) == []
    assert _check("detail", {c: params.get(c, set()) for c in codes}, required=False) == []
    # a template for a code no rule emits would be dead wording
    cat = catalogue()["zh"]
    worded = {k.split(".")[1] for k in cat if k.startswith(("finding.", "detail."))} - {"_"}
    assert worded <= codes, sorted(worded - codes)


def test_every_review_reason_is_worded() -> None:
    params = review_params()
    assert {"low_confidence", "qr_text_mismatch", "sum_mismatch"} <= set(params)
    assert params["qr_text_mismatch"] == {"qr", "printed"}
    assert _check("review", {c: set() for c in params}, required=True) == []
    assert _check("reviewdetail", params, required=False) == []


def test_every_error_code_is_worded_with_its_params() -> None:
    params = error_params()
    assert {"not_found", "stale_version", "internal_error", "bad_credentials", "invalid_policy"} <= set(
        params
    )
    assert params["duplicate_invoice"] == {"item", "claim"}
    assert len(params) > 80
    assert _check("error", params, required=True) == []


def test_the_shipped_flow_is_named_in_both_languages() -> None:
    """The app names a step by the catalogue while the flow still calls it what the shipped
    flow does (a step an admin renamed keeps the admin's name), so the Chinese entries must be
    the flow files' names, in every shipped version (running claims keep theirs)."""
    from reimburse.routing.flows import SHIPPED, builtin_source, load_flow

    cat = catalogue()
    for name, versions in SHIPPED.items():
        for version in versions:
            flow = load_flow(builtin_source(name, version))
            assert cat["zh"][f"flow.{flow.id}"] == flow.name and cat["en"][f"flow.{flow.id}"]
            for node in flow.nodes:
                assert cat["zh"].get(f"step.{node.id}") == node.name, (version, node.id)
                assert cat["en"][f"step.{node.id}"] != node.name
                assert not CJK.search(cat["en"][f"step.{node.id}"])


def test_pages_import_the_catalogue_functions_they_call() -> None:
    """A page calling ``errorText`` without importing it fails only when an error happens."""
    source = (WEB / "i18n.js").read_text()
    exported = set(re.findall(r"export (?:async )?function (\w+)", source)) | set(
        re.findall(r"export (?:let|const) (\w+)", source)
    )
    missing = []
    for path in sorted(WEB.glob("*.js")):
        if path.name == "i18n.js":
            continue
        text = path.read_text()
        found = re.search(r'import \{([^}]*)\} from "/app/i18n.js"', text)
        imported = {n.strip() for n in found.group(1).split(",")} if found else set()
        called = {n for n in exported if re.search(rf"(?<![\w.]){n}\(", text)}
        missing += [f"{path.name}: {n}" for n in sorted(called - imported)]
    assert not missing


def test_every_problem_of_a_document_or_request_is_worded() -> None:
    """A refused policy, flow or request lists problems as codes with params; the catalogue words
    each (``problem.<code>``) in both languages with only the params the server passes."""
    params = problem_params()
    assert {"missing", "not_yaml", "out_of_range", "role_needs_role", "string_too_long"} <= set(params)
    assert params["out_of_range"] == {"low", "high", "got"}  # read from _fail's keywords
    assert params["not_yaml"] == {"line", "column"}  # and from Problem(..., params_of(...))
    assert params["unknown_keys"] == {"keys", "known"}
    assert params["sla_needs_escalate"] == {"action"}
    assert params["string_too_long"] == {"max_length"}
    assert params["rate_twice"] == {"currency", "day"} and params["gl_category"] == {"value", "known"}
    assert _check("problem", params, required=True) == []
    cat = catalogue()["zh"]
    worded = {k.split(".")[1] for k in cat if k.startswith("problem.")} - {"_"}
    assert worded <= set(params), sorted(worded - set(params))
