"""An API client over a real app on the test database, signed in as demo users."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from reimburse.api.app import create_app
from reimburse.core.models import import_all_models
from reimburse.core.settings import Settings
from reimburse.identity.seed import DEMO_PASSWORD, seed_demo_org

import_all_models()


def wipe(engine: Engine) -> None:
    """Empty every table (the API commits for real, so tests start from nothing)."""
    from reimburse.core.db import Base

    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            conn.execute(text("PRAGMA foreign_keys=OFF"))
            for table in reversed(Base.metadata.sorted_tables):
                conn.execute(table.delete())
            conn.execute(text("PRAGMA foreign_keys=ON"))


@contextmanager
def demo_api(engine: Engine, settings: Settings) -> Iterator[tuple[TestClient, dict[str, Any]]]:
    wipe(engine)
    with Session(engine) as s:
        demo = seed_demo_org(s)
        s.commit()
    app = create_app(settings)
    with TestClient(app) as client:
        yield client, demo
    wipe(engine)


def login(client: TestClient, username: str) -> dict[str, str]:
    r = client.post("/api/v1/auth/login", json={"username": username, "password": DEMO_PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}
