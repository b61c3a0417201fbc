"""The service under uvicorn on a loopback port, on the test database, beside a platform fake."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from reimburse.api.app import create_app
from reimburse.core.settings import Settings
from reimburse.identity.seed import seed_demo_org
from tests.api_helpers import wipe

# the demo company as the platform's directory sees it: (username, platform department)
DEMO_MEMBERS = {
    "ceo": 1, "gm": 1, "findir": 2, "finrev": 2, "saleshead": 3,
    "teamlead": 4, "alice": 4, "bob": 4, "admin": 1,
}  # fmt: skip
DEMO_DEPARTMENTS = [  # id, name, parent, head
    (1, "总经办", None, "ceo"),
    (2, "财务部", 1, "findir"),
    (3, "销售部", 1, "saleshead"),
    (4, "华东销售组", 3, "teamlead"),
]
NAMES = {
    "ceo": "陈总裁", "gm": "王总经理", "findir": "李财务总监", "finrev": "赵财务", "saleshead": "周销售总监",
    "teamlead": "吴组长", "alice": "张小花", "bob": "刘大伟", "admin": "系统管理员",
}  # fmt: skip


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running_service(
    engine: Engine, database_url: str, data_dir: Path, platform_settings: dict[str, Any]
) -> Iterator[tuple[str, Settings]]:
    wipe(engine)
    with Session(engine) as s:
        seed_demo_org(s)
        s.commit()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    settings = Settings(
        environment="test",
        data_dir=data_dir,
        database_url=database_url,
        public_url=base,
        **platform_settings,
    )
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    else:
        raise AssertionError("uvicorn did not start")
    try:
        yield base, settings
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        wipe(engine)


def browser_sign_in(base: str, platform: str, *, qr: bool = False) -> tuple[int, dict[str, Any] | str]:
    """Follow the redirects a browser follows (cookies kept); the signed-in session (the token
    from the HttpOnly session cookie the callback set, the user as ``/me`` tells the cookie's
    holder), or the refusal page's status and text."""
    with httpx.Client(timeout=30) as client:
        url = f"{base}/api/v1/auth/{platform}/login?qr={'1' if qr else '0'}"
        for _ in range(6):
            r = client.get(url)
            if r.status_code not in (302, 303):
                return r.status_code, r.text
            url = r.headers["location"]
            if url.startswith("/#/signed-in"):
                assert url == "/#/signed-in"  # no token in the address
                cookie = next(
                    c for c in r.headers.get_list("set-cookie") if c.startswith("reimburse_session=")
                )
                assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie, cookie
                token = client.cookies["reimburse_session"]
                me = client.get(f"{base}/api/v1/me")  # the cookie alone signs the browser in
                assert me.status_code == 200, me.text
                return r.status_code, {"token": token, "user": me.json()}
        raise AssertionError("too many redirects")


def wait_for(check: Callable[[], Any], timeout: float = 15.0) -> Any:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("timed out waiting")
