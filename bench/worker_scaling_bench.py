"""Worker scaling benchmark: OCR throughput of a real Celery worker with 1, 2, ... processes.

On a fresh PostgreSQL database, a Redis database of its own (flushed first) and a temporary
``REIMBURSE_DATA_DIR``, for each W of ``--workers`` it starts ``reimburse worker --concurrency W``
(a real Celery prefork worker, ``REIMBURSE_OCR_THREADS=1``: one core per process), warms it up (W
documents at once, until their processing is seen to overlap, so that every process has loaded its
models; not counted), then enqueues N documents the way the API does (``service.accept`` into the
store and the documents table, committed, then ``send_task("documents.process",
queue="ocr")``) and measures the wall time from the start of that enqueueing to the last
document done (polling the documents table). Printed per W: docs/s, seconds per doc, the mean time
one document took inside the worker, the CPU the worker processes used and what the whole machine
did meanwhile, and the speed-up against the first W of the same run. The worker is stopped (SIGTERM,
wait) before the next W. Every document must come back ``done``, and every invoice sample with an
invoice number, or the run fails.

Documents: the project's synthetic fapiao in ``samples/`` (renders as PNG, phone photos as JPEG;
nine invoices and three negatives), cycled to N.

    python bench/worker_scaling_bench.py [--workers 1,2] [--docs 12]
        [--db postgresql+psycopg://postgres@127.0.0.1:5432/test_workers]
        [--broker redis://127.0.0.1:6379/14]

The database is dropped and created again at the start (and left behind, like ``load_bench.py``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
POLL = 0.1  # seconds between looks at the documents table


@dataclass(frozen=True)
class Sample:
    name: str
    data: bytes
    is_invoice: bool
    invoice_number: str | None


def load_samples() -> list[Sample]:
    out = []
    for path in sorted([*SAMPLES.glob("*.jpg"), *SAMPLES.glob("*.png")]):
        expected = json.loads(path.with_suffix(".expected.json").read_text(encoding="utf-8"))
        number = (expected.get("fields") or {}).get("invoice_number")
        out.append(Sample(path.name, path.read_bytes(), bool(expected["is_invoice"]), number))
    assert out, f"no sample images in {SAMPLES}"
    return out


def fresh_database(url: str) -> None:
    import psycopg

    dbname = url.rsplit("/", 1)[1]
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{dbname}"')


def flush_broker(url: str) -> None:
    if url.startswith("redis"):
        import redis

        client = redis.Redis.from_url(url, socket_timeout=5)
        client.flushdb()
        client.close()


def tree_cpu(proc: psutil.Process) -> dict[int, float]:
    """CPU seconds (user + system) of a process and its children, by pid."""
    out = {}
    for p in [proc, *proc.children(recursive=True)]:
        try:
            t = p.cpu_times()
            out[p.pid] = t.user + t.system
        except psutil.NoSuchProcess:
            pass
    return out


def machine_busy() -> tuple[float, float]:
    """(busy CPU seconds, total CPU seconds) of the whole machine, all cores, since boot."""
    t = psutil.cpu_times()
    total = sum(t)
    return total - t.idle - getattr(t, "iowait", 0.0), total


class Worker:
    """``reimburse worker --concurrency W`` in its own process group, logging to a file."""

    def __init__(self, concurrency: int, env: dict[str, str], log_path: Path) -> None:
        self.log_path = log_path
        self.log = log_path.open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "reimburse.cli", "worker", "--concurrency", str(concurrency)],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        self.ps = psutil.Process(self.proc.pid)

    def check_alive(self) -> None:
        if self.proc.poll() is not None:
            raise RuntimeError(f"the worker exited with {self.proc.returncode}:\n{self.tail()}")

    def tail(self, lines: int = 30) -> str:
        self.log.flush()
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self, timeout: float = 30) -> None:
        """Warm shutdown (SIGTERM to the main process), then SIGKILL to the group if it hangs."""
        try:
            if self.proc.poll() is None:
                self.proc.terminate()
                try:
                    self.proc.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    print(f"worker {self.proc.pid} did not stop in {timeout:.0f} s: killed")
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)  # children left behind, if any
            self.proc.wait(timeout=10)
        finally:
            self.log.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", default="1,2", help="worker process counts to measure, e.g. 1,2")
    parser.add_argument("--docs", type=int, default=12, help="documents per measured run")
    parser.add_argument("--db", default="postgresql+psycopg://postgres@127.0.0.1:5432/test_workers")
    parser.add_argument("--broker", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--timeout", type=float, default=0, help="seconds per run (default 60 + 10 per doc)")
    args = parser.parse_args()
    counts = [int(w) for w in args.workers.split(",") if w.strip()]
    assert counts and all(w >= 1 for w in counts), "--workers: positive integers, e.g. 1,2"
    assert args.docs >= 1
    run_timeout = args.timeout or 60 + 10 * args.docs

    fresh_database(args.db)
    flush_broker(args.broker)
    data = Path(tempfile.mkdtemp(prefix="worker-bench-"))
    env = {
        **os.environ,
        "REIMBURSE_ENVIRONMENT": "development",
        "REIMBURSE_DATABASE_URL": args.db,
        "REIMBURSE_BROKER_URL": args.broker,
        "REIMBURSE_DATA_DIR": str(data),
        "REIMBURSE_STORAGE": "local",
        "REIMBURSE_OCR_THREADS": "1",
        "OMP_NUM_THREADS": "1",
    }
    try:
        subprocess.run(
            [sys.executable, "-m", "reimburse.cli", "migrate"],
            cwd=ROOT, env=env, check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        os.environ.update(env)  # this process enqueues with the same settings as the worker
        run_all(args, counts, run_timeout, data)
    finally:
        shutil.rmtree(data, ignore_errors=True)


def run_all(args: argparse.Namespace, counts: list[int], run_timeout: float, data: Path) -> None:
    from sqlalchemy import select

    from reimburse.core.celery_app import make_celery
    from reimburse.core.db import engine_for, unit_of_work
    from reimburse.core.principal import Principal
    from reimburse.core.settings import Settings
    from reimburse.documents import service
    from reimburse.documents.records import DocumentRecord, DocumentResultRecord
    from reimburse.documents.runtime import store_for

    settings = Settings()
    engine = engine_for(settings.sqlalchemy_url)
    store = store_for(settings)
    sender = make_celery(settings)
    bench = Principal(subject="bench:worker-scaling")
    samples = load_samples()

    def enqueue(batch: list[Sample]) -> list[int]:
        with unit_of_work(engine) as session:
            limit = settings.max_upload_bytes
            docs = [
                service.accept(session, store, bench, service.Upload(s.name, s.data), limit) for s in batch
            ]
            session.flush()
            ids = [d.id for d in docs]
        for doc_id in ids:  # committed: a worker can see them now
            sender.send_task("documents.process", args=[doc_id], queue="ocr")
        return ids

    def wait_done(ids: list[int], worker: Worker, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            with engine.connect() as conn:
                statuses = conn.scalars(select(DocumentRecord.status).where(DocumentRecord.id.in_(ids))).all()
            if sum(s in ("done", "failed") for s in statuses) == len(ids):
                return
            worker.check_alive()
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"{len(ids)} documents not done in {timeout:.0f} s: {sorted(statuses)}\n{worker.tail()}"
                )
            time.sleep(POLL)

    def check_read(ids: list[int], batch: list[Sample]) -> tuple[int, int, list[float]]:
        """Assert every document was read; (invoice numbers as expected, invoices, seconds each)."""
        matched, invoices, seconds = 0, 0, []
        with engine.connect() as conn:
            docs = {d.id: d for d in conn.execute(select(DocumentRecord).where(DocumentRecord.id.in_(ids)))}
            results: dict[int, list[dict[str, Any]]] = {}
            for r in conn.execute(
                select(DocumentResultRecord)
                .where(DocumentResultRecord.document_id.in_(ids))
                .order_by(DocumentResultRecord.position)
            ):
                results.setdefault(r.document_id, []).append(r.result)
        for doc_id, sample in zip(ids, batch, strict=True):
            doc = docs[doc_id]
            assert doc.status == "done", f"{sample.name}: {doc.status} {doc.error_code} {doc.error_message}"
            rows = results.get(doc_id, [])
            assert rows, f"{sample.name}: done but no result rows"
            seconds.append(float(doc.seconds or 0))
            if sample.is_invoice:
                invoices += 1
                numbers = [(row.get("fields") or {}).get("invoice_number") for row in rows]
                assert any(numbers), f"{sample.name}: no invoice number read: {rows[0]}"
                matched += sample.invoice_number in numbers
        return matched, invoices, seconds

    def warm_up(worker: Worker, w: int) -> int:
        """Documents until W of them were processed at the same time (so by W processes)."""
        used = 0
        for _ in range(4):
            batch = [samples[(used + i) % len(samples)] for i in range(w)]
            ids = enqueue(batch)
            used += w
            wait_done(ids, worker, 180)
            check_read(ids, batch)
            with engine.connect() as conn:
                spans = conn.execute(
                    select(DocumentRecord.processed_at, DocumentRecord.seconds).where(
                        DocumentRecord.id.in_(ids)
                    )
                ).all()
            starts = [end.timestamp() - (secs or 0) for end, secs in spans]
            if w == 1 or max(starts) < min(end.timestamp() for end, _ in spans):
                return used
        raise AssertionError(f"warm-up: {w} documents never ran at the same time in {w} processes")

    cores = psutil.cpu_count()
    print(
        f"worker scaling: {args.docs} documents per run from samples/ ({len(samples)} synthetic images), "
        f"engine {settings.ocr_engine}, REIMBURSE_OCR_THREADS=1"
    )
    print(
        f"database {args.db.split('@')[-1]}, broker {args.broker}; {cores} CPUs, "
        f"load average {os.getloadavg()[0]:.2f} at the start"
    )
    rows: list[tuple[int, float]] = []
    offset = 0
    try:
        for w in counts:
            sender.control.purge()
            worker = Worker(w, dict(os.environ), data / f"worker-{w}.log")
            try:
                t0 = time.monotonic()
                warm = warm_up(worker, w)
                warm_s = time.monotonic() - t0
                batch = [samples[(offset + i) % len(samples)] for i in range(args.docs)]
                offset += args.docs
                me = psutil.Process()
                cpu0, (busy0, total0), mine0 = tree_cpu(worker.ps), machine_busy(), sum(me.cpu_times()[:2])
                start = time.monotonic()
                ids = enqueue(batch)
                wait_done(ids, worker, run_timeout)
                wall = time.monotonic() - start
                cpu1, (busy1, total1), mine1 = tree_cpu(worker.ps), machine_busy(), sum(me.cpu_times()[:2])
                matched, invoices, secs = check_read(ids, batch)
            finally:
                worker.stop()
            per_proc = sorted((cpu1[p] - cpu0.get(p, 0.0) for p in cpu1), reverse=True)
            worker_cpu = sum(per_proc)
            machine = (busy1 - busy0) / (total1 - total0) * cores  # cores busy on average
            other = max(machine - (worker_cpu + mine1 - mine0) / wall, 0.0)
            rows.append((w, wall))
            base = rows[0][1]
            print(
                f"W={w}: {args.docs} docs in {wall:6.2f} s  {args.docs / wall:5.2f} docs/s  "
                f"{wall / args.docs:5.3f} s/doc  speed-up {base / wall:4.2f}x vs W={rows[0][0]}  "
                f"(in-worker {sum(secs) / len(secs):.3f} s/doc mean)"
            )
            print(
                f"      worker CPU {worker_cpu:5.1f} s = {worker_cpu / wall:4.2f} cores "
                f"(per process: {', '.join(f'{c:.1f}' for c in per_proc if c >= 0.05)} s); "
                f"machine {machine:4.2f} of {cores} cores busy, other processes {other:4.2f}; "
                f"invoice numbers as expected {matched}/{invoices}; warm-up {warm} docs, {warm_s:.1f} s"
            )
    finally:
        sender.close()


if __name__ == "__main__":
    main()
