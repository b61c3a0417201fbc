"""The web app's files and the fallback route (no browser: runs in the default suite)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from reimburse.api.app import create_app
from reimburse.api.web import WEB
from reimburse.core.settings import Settings


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
