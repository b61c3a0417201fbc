"""Several replicas starting at once each run the migrations: under the lock, all succeed and
the schema is built once (SQLite here; PostgreSQL in integration mode, in a schema of its own)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from reimburse.core.migrate import upgrade
from tests.conftest import INTEGRATION
from tests.races import race


def _race_upgrades(url: str, n: int = 4) -> list[BaseException | None]:
    return race(n, lambda _: upgrade(url), timeout=300)


def test_replicas_migrating_at_once_on_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    assert _race_upgrades(url) == [None] * 4
    engine = create_engine(url)
    with engine.connect() as conn:
        assert len(conn.execute(text("SELECT version_num FROM alembic_version")).all()) == 1
    assert "claims" in inspect(engine).get_table_names()
    engine.dispose()


@pytest.mark.integration
def test_replicas_migrating_at_once_on_postgresql(database_url: str) -> None:
    if not INTEGRATION or not database_url.startswith("postgresql"):
        pytest.fail("set REIMBURSE_TEST_DATABASE_URL to a PostgreSQL database for the integration run")
    admin = create_engine(database_url)
    with admin.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS replicas_race CASCADE"))
        conn.execute(text("CREATE SCHEMA replicas_race"))
    url = database_url + ("&" if "?" in database_url else "?") + "options=-csearch_path%3Dreplicas_race"
    try:
        assert _race_upgrades(url) == [None] * 4
        with admin.connect() as conn:
            rows = conn.execute(text("SELECT version_num FROM replicas_race.alembic_version")).all()
        assert len(rows) == 1
    finally:
        with admin.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS replicas_race CASCADE"))
        admin.dispose()
