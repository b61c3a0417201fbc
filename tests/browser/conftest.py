"""A real server and Debian's Chromium, shared by the browser tests.

``reimburse demo`` seeds the demo company into a temporary SQLite database, ``reimburse serve``
(in-process OCR worker) runs in a subprocess on a free port, and Playwright drives
``/usr/bin/chromium`` headless (``playwright install`` cannot download browsers here).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)")
    data = tmp_path_factory.mktemp("web")
    env = {**os.environ, "REIMBURSE_DATA_DIR": str(data), "REIMBURSE_ENVIRONMENT": "development"}
    env["REIMBURSE_WEBHOOK_ALLOWED_NETWORKS"] = "127.0.0.1/32"  # the admin test adds a loopback hook
    env.pop("REIMBURSE_DATABASE_URL", None)
    env.pop("REIMBURSE_BROKER_URL", None)
    cli = [sys.executable, "-m", "reimburse.cli"]
    demo = json.loads(
        subprocess.run([*cli, "demo"], env=env, cwd=ROOT, check=True, capture_output=True, text=True).stdout
    )
    port = _free_port()
    log = (data / "serve.log").open("w")
    proc = subprocess.Popen(
        [*cli, "serve", "--port", str(port)],
        env=env,
        cwd=ROOT,
        start_new_session=True,
        stdout=log,
        stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("the server did not start: " + (data / "serve.log").read_text()[-2000:])
    yield {"base": base, "demo": demo}
    proc.terminate()
    proc.wait(timeout=30)
    log.close()
    shutil.rmtree(data, ignore_errors=True)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"])
        yield b
        b.close()
