"""Load benchmark against a running server on loopback: reads per second and action latency.

Starts ``reimburse serve`` (uvicorn, API only) on PostgreSQL by default (``--db``), seeds the
demo company and N submitted claims, then:
- reads: C concurrent clients loop on ``GET /inbox`` and ``GET /claims/{id}`` for S seconds;
  prints requests/s and p50/p99 (target >= 500 req/s on this 2-core machine);
- actions: approves the claims one by one (``POST /claims/{id}/actions``) and prints the
  p50/p99 latency (target p99 <= 100 ms);
- baseline in the same run: ``GET /healthz`` (no database, no auth) with the same clients,
  so the figures can be read as a fraction of what the HTTP stack itself does here.

    python bench/load_bench.py [--db postgresql+psycopg://postgres@127.0.0.1:5432/test_bench]
                               [--claims 200] [--clients 16] [--seconds 8]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
AB = shutil.which("ab")  # ApacheBench (Debian: apache2-utils), a C client that leaves the CPU to the server


def ab(url: str, headers: dict[str, str], clients: int, seconds: float) -> tuple[float, float, float]:
    """(requests/s, p50 ms, p99 ms) from ApacheBench."""
    cmd = [AB, "-q", "-k", "-c", str(clients), "-t", str(int(seconds)), "-n", "10000000"]
    for k, v in headers.items():
        cmd += ["-H", f"{k}: {v}"]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests per second:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = float(re.search(r"\n\s+50%\s+(\d+)", out).group(1))  # type: ignore[union-attr]
    p99 = float(re.search(r"\n\s+99%\s+(\d+)", out).group(1))  # type: ignore[union-attr]
    failed = int(re.search(r"Failed requests:\s+(\d+)", out).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx responses:\s+(\d+)", out)
    assert failed == 0 and non2xx is None, out
    return rps, p50, p99


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] * 1000 if len(values) > 1 else 0.0


def hammer(
    urls: list[str], headers: dict[str, str], clients: int, seconds: float
) -> tuple[float, list[float]]:
    latencies: list[float] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def run(i: int) -> None:
        mine: list[float] = []
        with httpx.Client(headers=headers, timeout=10) as c:
            n = i
            while time.monotonic() < stop:
                t = time.perf_counter()
                r = c.get(urls[n % len(urls)])
                mine.append(time.perf_counter() - t)
                assert r.status_code == 200, r.text
                n += 1
        with lock:
            latencies.extend(mine)

    start = time.monotonic()
    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(latencies) / (time.monotonic() - start), latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="postgresql+psycopg://postgres@127.0.0.1:5432/test_bench")
    parser.add_argument("--claims", type=int, default=200)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--port", type=int, default=8791)
    parser.add_argument("--workers", type=int, default=2, help="API processes")
    args = parser.parse_args()
    if args.db.startswith("postgresql"):
        import psycopg

        dbname = args.db.rsplit("/", 1)[1]
        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{dbname}"')
            conn.execute(f'CREATE DATABASE "{dbname}"')
    data = tempfile.mkdtemp()
    env = {**os.environ, "REIMBURSE_DATABASE_URL": args.db, "REIMBURSE_DATA_DIR": data}
    env.pop("REIMBURSE_BROKER_URL", None)
    cli = [sys.executable, "-m", "reimburse.cli"]
    demo = json.loads(
        subprocess.run([*cli, "demo"], env=env, cwd=ROOT, check=True, capture_output=True, text=True).stdout
    )
    server = subprocess.Popen(
        [*cli, "serve", "--port", str(args.port), "--no-worker", "--workers", str(args.workers)],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{args.port}"
    try:
        for _ in range(120):
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)

        def token(user: str) -> dict[str, str]:
            r = httpx.post(f"{base}/api/v1/auth/login", json={"username": user, "password": demo["password"]})
            return {"Authorization": f"Bearer {r.json()['token']}"}

        alice, lead = token("alice"), token("teamlead")
        ids = []
        with httpx.Client(base_url=base, headers=alice, timeout=30) as c:
            for i in range(args.claims):
                item = {"category": "travel", "amount": "680.00", "expense_date": time.strftime("%Y-%m-%d"),
                        "no_invoice_kind": "per_diem", "no_invoice_reason": "出差补助"}  # fmt: skip
                claim = c.post("/api/v1/claims", json={"purpose": f"出差 {i}", "items": [item]}).json()
                submitted = c.post(f"/api/v1/claims/{claim['id']}/submit")
                assert submitted.status_code == 200, submitted.text
                ids.append(claim["id"])
        print(
            f"server: {base} on {args.db.split('@')[-1]}, {args.workers} API processes; "
            f"{args.claims} submitted claims; {args.clients} clients (in this process, on the same cores)"
        )
        if AB:
            b_rps, b50, b99 = ab(f"{base}/healthz", {}, args.clients, args.seconds)
            print(f"ab, GET /healthz (baseline):    {b_rps:7.0f} req/s  p50 {b50:4.0f} ms  p99 {b99:4.0f} ms")
            for name, url in (
                ("GET /inbox (first page, 20)", f"{base}/api/v1/inbox"),
                ("GET /inbox?limit=50", f"{base}/api/v1/inbox?limit=50"),
                ("GET /claims/{id}", f"{base}/api/v1/claims/{ids[0]}"),
            ):
                rps, p50, p99 = ab(url, lead, args.clients, args.seconds)
                print(
                    f"ab, {name:28} {rps:7.0f} req/s  p50 {p50:4.0f} ms  p99 {p99:4.0f} ms  "
                    f"({rps / b_rps:.0%} of the baseline; target >= 500 req/s)"
                )
        base_rps, base_lat = hammer([f"{base}/healthz"], {}, args.clients, args.seconds / 2)
        urls = [f"{base}/api/v1/inbox"] + [f"{base}/api/v1/claims/{i}" for i in ids[:50]]
        rps, lat = hammer(urls, lead, args.clients, args.seconds)
        print("python client (shares the cores with the server):")
        print(
            f"baseline GET /healthz: {base_rps:7.0f} req/s  "
            f"p50 {pct(base_lat, 50):6.1f} ms  p99 {pct(base_lat, 99):6.1f} ms"
        )
        print(
            f"inbox + claim reads:   {rps:7.0f} req/s  p50 {pct(lat, 50):6.1f} ms  p99 {pct(lat, 99):6.1f} ms"
            f"  ({rps / base_rps:.0%} of the baseline; target >= 500 req/s)"
        )
        actions = []
        with httpx.Client(base_url=base, headers=lead, timeout=30) as c:
            for claim_id in ids:
                t = time.perf_counter()
                r = c.post(f"/api/v1/claims/{claim_id}/actions", json={"action": "approve"})
                actions.append(time.perf_counter() - t)
                assert r.status_code == 200, r.text
        print(
            f"approve actions:       {len(actions)} sequential  p50 {pct(actions, 50):6.1f} ms  "
            f"p99 {pct(actions, 99):6.1f} ms  (target p99 <= 100 ms)"
        )
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
