"""The web app's files and the fallback route (no browser: runs in the default suite)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from fastapi.testclient import TestClient

from reimburse.api.app import create_app
from reimburse.api.web import WEB
from reimburse.core.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def test_shell_modules_and_fallback(settings: Settings) -> None:
    client = TestClient(create_app(settings))
    shell = client.get("/")
    assert shell.status_code == 200 and 'src="/app/app.js"' in shell.text
    assert client.get("/claims/12").text == shell.text  # a plain path opens the app
    assert client.get("/sw.js").headers["content-type"].startswith("text/javascript")
    missing_api = client.get("/api/v1/no-such-thing")
    assert missing_api.status_code == 404 and missing_api.json()["error"]["code"]
    assert client.get("/app/no-such-file.js").status_code == 404
    assert client.get("/favicon.ico").status_code == 404  # a file name is not an app route
    # every module the app imports is served, and the service worker caches each of them
    sw = client.get("/sw.js").text
    for path in sorted(WEB.glob("*.js")):
        if path.name == "sw.js":
            continue
        assert client.get(f"/app/{path.name}").status_code == 200
        assert f'"/app/{path.name}"' in sw, f"{path.name} is not in the service worker's shell"
        for imported in re.findall(r'from "(/app/[^"]+)"', path.read_text()):
            assert (WEB / imported.removeprefix("/app/")).exists(), (path.name, imported)


def test_every_string_has_both_languages() -> None:
    source = (WEB / "i18n.js").read_text()
    zh = source[source.index("zh: {") : source.index("en: {")]
    en = source[source.index("en: {") : source.index("export let lang")]
    key = re.compile(r'(?:"([\w.]+)"|(\b\w+\b)): "')
    keys_zh = {a or b for a, b in key.findall(zh)}
    keys_en = {a or b for a, b in key.findall(en)}
    assert len(keys_zh) > 100
    assert keys_zh == keys_en
    # every key the pages use exists
    used = set()
    for path in WEB.glob("*.js"):
        used |= set(re.findall(r'\bt\("([\w.]+)"\)', path.read_text()))
    used |= set(re.findall(r'data-i18n="([\w.]+)"', (WEB / "index.html").read_text()))
    assert used and used <= keys_zh, used - keys_zh


def _finding_codes() -> set[str]:
    """Every finding code a rule can emit: the first argument of ``Finding(...)`` and of helpers
    whose first parameter is ``code``, ``(code, Severity.X, message)`` tables and ``*_CODES``
    dicts."""
    files = [
        p
        for d in ("claims", "policy", "budgets", "verification")
        for p in (ROOT / "reimburse" / d).rglob("*.py")
    ]
    trees = [ast.parse(p.read_text()) for p in files]
    makers = {"Finding"} | {
        n.name
        for tree in trees
        for n in ast.walk(tree)
        if isinstance(n, ast.FunctionDef) and n.args.args and n.args.args[0].arg == "code"
    }
    codes: set[str] = set()
    for tree in trees:
        for n in ast.walk(tree):
            first: ast.expr | None = None
            if isinstance(n, ast.Call):
                name = n.func.id if isinstance(n.func, ast.Name) else getattr(n.func, "attr", None)
                if name in makers:
                    first = (
                        n.args[0] if n.args else next((k.value for k in n.keywords if k.arg == "code"), None)
                    )
            elif isinstance(n, ast.Tuple) and len(n.elts) == 3:
                severity = n.elts[1]
                if isinstance(severity, ast.Attribute) and getattr(severity.value, "id", None) == "Severity":
                    first = n.elts[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                codes.add(first.value)
            # tables of codes by field (``CORRECTION_CODES``, ``TAX_ID_CODES``)
            target = (
                n.target
                if isinstance(n, ast.AnnAssign)
                else n.targets[0]
                if isinstance(n, ast.Assign)
                else None
            )
            value = getattr(n, "value", None)
            if isinstance(target, ast.Name) and target.id.endswith("_CODES") and isinstance(value, ast.Dict):
                codes |= {
                    v.value for v in value.values if isinstance(v, ast.Constant) and isinstance(v.value, str)
                }
    return codes


def test_every_finding_has_a_title_in_both_languages() -> None:
    codes = _finding_codes()
    assert {"duplicate_invoice", "per_diem_over_trip_cap", "invoice_voided", "over_budget"} <= codes
    source = (WEB / "i18n.js").read_text()
    for start, end in (("zh: {", "en: {"), ("en: {", "export let lang")):
        table = source[source.index(start) : source.index(end)]
        titled = set(re.findall(r'"finding\.(\w+)": "', table))
        assert codes <= titled, (start, sorted(codes - titled))
