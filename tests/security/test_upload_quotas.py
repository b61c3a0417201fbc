"""Per-uploader limits: files a minute (429 + Retry-After) and bytes stored (413), refused
before anything is stored; other uploaders are not affected."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from reimburse.core.settings import Settings
from reimburse.documents.records import DocumentRecord
from tests.api_helpers import demo_api, login

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def _xml(n: int) -> bytes:
    # distinct invoice XML files (the store is content-addressed)
    return (
        next(SAMPLES.glob("*.xml")).read_bytes().replace(b"</EInvoice>", f"<!-- {n} --></EInvoice>".encode())
    )


def _count(engine: Engine) -> int:
    with Session(engine) as s:
        return int(s.scalar(select(func.count()).select_from(DocumentRecord)) or 0)


def _files(start: int, n: int) -> list[tuple[str, tuple[str, bytes, str]]]:
    return [("files", (f"f{i}.xml", _xml(i), "application/xml")) for i in range(start, start + n)]


def test_the_upload_rate_per_uploader_answers_429_with_retry_after(
    migrated_engine: Engine, settings: Settings
) -> None:
    limited = settings.model_copy(update={"upload_files_per_minute": 5})
    with demo_api(migrated_engine, limited) as (client, _):
        alice, bob = login(client, "alice"), login(client, "bob")
        assert client.post("/api/v1/documents", headers=alice, files=_files(0, 3)).status_code == 202
        assert client.post("/api/v1/documents", headers=alice, files=_files(3, 2)).status_code == 202
        refused = client.post("/api/v1/documents", headers=alice, files=_files(5, 1))
        assert refused.status_code == 429 and refused.json()["error"]["code"] == "rate_limited"
        assert 1 <= int(refused.headers["Retry-After"]) <= 61
        assert _count(migrated_engine) == 5
        assert client.post("/api/v1/documents", headers=bob, files=_files(10, 2)).status_code == 202


def test_the_storage_quota_answers_413_before_storing(migrated_engine: Engine, settings: Settings) -> None:
    size = len(_xml(0))
    small = settings.model_copy(update={"storage_quota_bytes": size * 3 + 10})
    with demo_api(migrated_engine, small) as (client, _):
        alice = login(client, "alice")
        assert client.post("/api/v1/documents", headers=alice, files=_files(0, 2)).status_code == 202
        over = client.post("/api/v1/documents", headers=alice, files=_files(2, 2))
        assert over.status_code == 413 and over.json()["error"]["code"] == "storage_quota_exceeded"
        assert _count(migrated_engine) == 2
        store = Path(settings.data_dir) / "store"
        assert len([p for p in store.rglob("*") if p.is_file()]) == 2  # the refused files were not stored
        assert client.post("/api/v1/documents", headers=alice, files=_files(4, 1)).status_code == 202
