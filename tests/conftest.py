"""Shared fixtures.

Database: SQLite (a temp file) by default; PostgreSQL when ``REIMBURSE_TEST_DATABASE_URL`` is
set (``.ci/run`` runs the suite both ways). The schema is built by the Alembic migrations, not
``create_all``, so the migrations are what is tested. Each test gets a session inside a
transaction that is rolled back afterwards.

Integration tests (``-m integration``: a real Redis/RabbitMQ broker, a real Celery worker,
PostgreSQL) run only when ``REIMBURSE_INTEGRATION=1``; then an unreachable service is a
FAILURE, never a skip.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from reimburse.core.db import make_engine
from reimburse.core.migrate import upgrade
from reimburse.core.settings import Settings

INTEGRATION = os.environ.get("REIMBURSE_INTEGRATION") == "1"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if INTEGRATION:
        return
    skip = pytest.mark.skip(reason="integration test: set REIMBURSE_INTEGRATION=1 (needs PostgreSQL/Redis)")
    for item in items:
        if "integration" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("REIMBURSE_TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def migrated_engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    if engine.dialect.name == "postgresql":
        # A clean schema per test run: the migrations must build everything from nothing.
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    upgrade(database_url)
    yield engine
    engine.dispose()


@pytest.fixture()
def session(migrated_engine: Engine) -> Iterator[Session]:
    """A session whose work is rolled back after the test (commits become savepoints)."""
    conn = migrated_engine.connect()
    trans = conn.begin()
    s = Session(bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        yield s
    finally:
        s.close()
        trans.rollback()
        conn.close()


@pytest.fixture()
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(environment="test", data_dir=tmp_path, database_url=database_url)
