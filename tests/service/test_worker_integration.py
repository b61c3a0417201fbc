"""A real Celery worker (on Redis, and on RabbitMQ) reads uploads end to end, and a killed
worker loses nothing.

Runs under ``make test-integration`` (REIMBURSE_INTEGRATION=1, PostgreSQL + Redis + RabbitMQ);
an unreachable broker is a failure there, never a skip.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import cv2
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from reimburse.api.app import create_app
from reimburse.core.celery_app import make_celery
from reimburse.core.settings import Settings
from reimburse.documents.records import DocumentRecord
from tests.api_helpers import login, wipe
from tests.ocr.imaging_helpers import NUMBER, jpeg, page, photo

pytestmark = pytest.mark.integration
REDIS_URL = os.environ.get("REIMBURSE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
AMQP_URL = os.environ.get("REIMBURSE_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//")
ROOT = Path(__file__).resolve().parents[2]


def _require(broker: str) -> None:
    url = urlparse(broker)
    try:
        socket.create_connection((url.hostname or "127.0.0.1", url.port or 6379), timeout=5).close()
    except OSError as exc:
        pytest.fail(f"the broker at {broker} is unreachable: {exc}")


@pytest.fixture(params=[REDIS_URL, AMQP_URL], ids=["redis", "rabbitmq"])
def broker_settings(request: pytest.FixtureRequest, settings: Settings, tmp_path: Path) -> Settings:
    _require(request.param)
    return settings.model_copy(update={"broker_url": request.param, "document_lease_seconds": 3})


def _env(s: Settings) -> dict[str, str]:
    return {
        **os.environ,
        "REIMBURSE_ENVIRONMENT": "test",
        "REIMBURSE_DATABASE_URL": s.sqlalchemy_url,
        "REIMBURSE_BROKER_URL": s.broker_url or "",
        "REIMBURSE_DATA_DIR": str(s.data_dir),
        "REIMBURSE_DOCUMENT_LEASE_SECONDS": str(s.document_lease_seconds),
        "OMP_NUM_THREADS": "1",
    }


def _start_worker(s: Settings, name: str) -> subprocess.Popen[bytes]:
    cmd = [
        sys.executable, "-m", "celery", "-A", "reimburse.core.celery_app:celery_app", "worker",
        "--pool=solo", "-Q", "ocr,default", "-n", f"{name}@%h", "--without-gossip", "--without-mingle",
        "-l", "WARNING",
    ]  # fmt: skip
    return subprocess.Popen(cmd, cwd=ROOT, env=_env(s), start_new_session=True)


def _stop(proc: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, sig)
        proc.wait(timeout=30)


def _status(engine: Engine, doc_id: int) -> str:
    with Session(engine) as s:
        return s.scalars(select(DocumentRecord.status).where(DocumentRecord.id == doc_id)).one()


def _wait(engine: Engine, doc_id: int, states: set[str], seconds: float) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        status = _status(engine, doc_id)
        if status in states:
            return status
        time.sleep(0.05)
    return _status(engine, doc_id)


@pytest.fixture()
def client(migrated_engine: Engine, broker_settings: Settings) -> Iterator[TestClient]:
    wipe(migrated_engine)
    from reimburse.identity.seed import seed_demo_org

    with Session(migrated_engine) as s:
        seed_demo_org(s)
        s.commit()
    make_celery(broker_settings).control.purge()
    with TestClient(create_app(broker_settings)) as c:
        yield c
    wipe(migrated_engine)


def _png() -> bytes:
    ok, buf = cv2.imencode(".png", page())
    assert ok
    return buf.tobytes()


def test_a_real_worker_reads_an_upload_end_to_end(
    client: TestClient, migrated_engine: Engine, broker_settings: Settings
) -> None:
    worker = _start_worker(broker_settings, "w1")
    try:
        alice = login(client, "alice")
        r = client.post("/api/v1/documents", headers=alice, files=[("files", ("f.png", _png(), "image/png"))])
        assert r.status_code == 202
        doc_id = r.json()["documents"][0]["id"]
        assert _wait(migrated_engine, doc_id, {"done", "failed"}, 120) == "done"
        got = client.get(f"/api/v1/documents/{doc_id}", headers=alice).json()
        assert got["results"][0]["fields"]["invoice_number"] == NUMBER
    finally:
        _stop(worker)


def test_killing_a_worker_mid_task_loses_nothing(
    client: TestClient, migrated_engine: Engine, broker_settings: Settings
) -> None:
    first = _start_worker(broker_settings, "doomed")
    second = None
    try:
        alice = login(client, "alice")
        data = jpeg(photo(page())[0])
        r = client.post("/api/v1/documents", headers=alice, files=[("files", ("p.jpg", data, "image/jpeg"))])
        doc_id = r.json()["documents"][0]["id"]
        assert _wait(migrated_engine, doc_id, {"processing", "done"}, 60) == "processing"
        _stop(first, signal.SIGKILL)  # mid-task: no chance to finish or to say goodbye
        assert _status(migrated_engine, doc_id) == "processing"
        second = _start_worker(broker_settings, "rescuer")
        time.sleep(broker_settings.document_lease_seconds + 0.5)  # the dead worker's lease runs out
        make_celery(broker_settings).send_task("documents.sweep", queue="ocr")
        assert _wait(migrated_engine, doc_id, {"done", "failed"}, 120) == "done"
        got = client.get(f"/api/v1/documents/{doc_id}", headers=alice).json()
        assert got["results"] and got["results"][0]["is_invoice"]
        with Session(migrated_engine) as s:
            assert s.get(DocumentRecord, doc_id).attempts >= 2  # type: ignore[union-attr]
    finally:
        _stop(first, signal.SIGKILL)
        if second is not None:
            _stop(second)
