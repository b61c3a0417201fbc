"""Pooled PostgreSQL connections: one that went stale while idle is replaced, not handed out."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from reimburse.core import db

pytestmark = pytest.mark.integration


def _terminate(url: str, pid: int) -> None:
    admin = create_engine(url)
    try:
        with admin.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    finally:
        admin.dispose()


def test_a_connection_killed_while_idle_is_replaced_on_checkout(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert database_url.startswith("postgresql"), "the integration run uses PostgreSQL"
    monkeypatch.setattr(db, "IDLE_PING_SECONDS", 0.0)  # every checkout counts as idle
    engine = db.make_engine(database_url)
    try:
        with engine.connect() as conn:
            pid = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        _terminate(database_url, pid)  # the server drops the pooled connection
        with engine.connect() as conn:  # the ping finds it dead: a fresh connection, no error
            assert conn.execute(text("SELECT pg_backend_pid()")).scalar_one() != pid
    finally:
        engine.dispose()


def test_without_the_ping_the_stale_connection_would_fail(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The control: what the checkout ping saves a request from."""
    monkeypatch.setattr(db, "IDLE_PING_SECONDS", 3600.0)
    engine = db.make_engine(database_url)
    try:
        with engine.connect() as conn:
            pid = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        _terminate(database_url, pid)
        with pytest.raises(OperationalError), engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    finally:
        engine.dispose()
