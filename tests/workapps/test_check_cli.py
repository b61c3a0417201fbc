"""``reimburse workapp check`` against the fake WeCom (a real token fetch) and with gaps."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.workapps.fake_wecom import FakeWeCom

ROOT = Path(__file__).resolve().parents[2]


def _run(env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("REIMBURSE_")}
    return subprocess.run(
        [sys.executable, "-m", "reimburse.cli", "workapp", "check"],
        env={**clean, "REIMBURSE_DATA_DIR": str(tmp_path), **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_fetches_a_token_and_names_what_is_missing(tmp_path: Path) -> None:
    fake = FakeWeCom().start()
    try:
        env = {f"REIMBURSE_{k.upper()}": v for k, v in fake.settings().items()}
        ok = _run(env, tmp_path)
        assert ok.returncode == 0, ok.stdout + ok.stderr
        assert "wecom: access token fetched" in ok.stdout
        assert "dingtalk: not configured (set REIMBURSE_DINGTALK_CORP_ID" in ok.stdout

        wrong = _run(
            {**env, "REIMBURSE_WECOM_SECRET": "not-the-secret", "REIMBURSE_WECOM_TOKEN": ""}, tmp_path
        )
        assert wrong.returncode == 1
        assert "wecom: missing REIMBURSE_WECOM_TOKEN" in wrong.stdout
        assert "token fetch from http://127.0.0.1" in wrong.stdout and "error 40001" in wrong.stdout
        assert "not-the-secret" not in wrong.stdout + wrong.stderr  # secrets are never printed
    finally:
        fake.stop()


def test_check_with_nothing_configured_fails(tmp_path: Path) -> None:
    r = _run({}, tmp_path)
    assert r.returncode == 1 and "wecom: not configured" in r.stdout
