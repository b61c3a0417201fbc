"""Uploads: stored before the answer, read in the background, errors that lose nothing."""

from __future__ import annotations

import hashlib

import cv2
from sqlalchemy import Engine

from reimburse.core.settings import Settings
from reimburse.documents import runtime, service
from tests.api_helpers import demo_api, login
from tests.ocr.imaging_helpers import NUMBER, page


def _png() -> bytes:
    ok, buf = cv2.imencode(".png", page())
    assert ok
    return buf.tobytes()


def _process_all(engine: Engine, settings: Settings) -> list[int]:
    done = []
    while (doc := service.process(engine, runtime.store_for(settings), runtime.reader, None)) is not None:
        done.append(doc)
    return done


def test_upload_is_stored_then_read_into_results(migrated_engine: Engine, settings: Settings) -> None:
    with demo_api(migrated_engine, settings) as (client, _):
        alice = login(client, "alice")
        data = _png()
        r = client.post(
            "/api/v1/documents", headers=alice, files=[("files", ("fapiao.png", data, "image/png"))]
        )
        assert r.status_code == 202, r.text
        doc = r.json()["documents"][0]
        assert doc["status"] == "queued" and doc["kind"] == "image"
        stored = runtime.store_for(settings).get(hashlib.sha256(data).hexdigest())
        assert stored == data  # on disk before the answer
        assert _process_all(migrated_engine, settings) == [doc["id"]]
        got = client.get(f"/api/v1/documents/{doc['id']}", headers=alice).json()
        assert got["status"] == "done"
        assert got["results"][0]["fields"]["invoice_number"] == NUMBER
        assert client.get(f"/api/v1/documents/{doc['id']}/file", headers=alice).content == data
        # someone else's document does not exist for bob
        bob = login(client, "bob")
        assert client.get(f"/api/v1/documents/{doc['id']}", headers=bob).status_code == 404


def test_bad_files_get_clear_errors_and_break_nothing(migrated_engine: Engine, settings: Settings) -> None:
    with demo_api(migrated_engine, settings) as (client, _):
        alice = login(client, "alice")
        text = client.post(
            "/api/v1/documents", headers=alice, files=[("files", ("a.jpg", b"hello", "image/jpeg"))]
        )
        assert text.status_code == 415 and text.json()["error"]["code"] == "unsupported_format"
        big = b"\x89PNG\r\n\x1a\n" + b"0" * (settings.max_upload_bytes + 1)
        too_big = client.post(
            "/api/v1/documents", headers=alice, files=[("files", ("b.png", big, "image/png"))]
        )
        assert too_big.status_code == 413 and too_big.json()["error"]["code"] == "file_too_large"
        # a file that sniffs as PNG but is corrupt is accepted, then fails with its reason
        corrupt = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
        r = client.post(
            "/api/v1/documents", headers=alice, files=[("files", ("c.png", corrupt, "image/png"))]
        )
        assert r.status_code == 202
        doc_id = r.json()["documents"][0]["id"]
        _process_all(migrated_engine, settings)
        got = client.get(f"/api/v1/documents/{doc_id}", headers=alice).json()
        assert got["status"] == "failed" and got["error"]["code"] == "image_decode_failed"
        assert [d["id"] for d in client.get("/api/v1/documents", headers=alice).json()["items"]] == [doc_id]
        assert (
            client.post("/api/v1/documents", files=[("files", ("c.png", corrupt, "image/png"))]).status_code
            == 401
        )


def test_a_repeated_upload_with_the_same_idempotency_key_is_stored_once(
    migrated_engine: Engine, settings: Settings
) -> None:
    with demo_api(migrated_engine, settings) as (client, _):
        headers = {**login(client, "alice"), "Idempotency-Key": "upload-1"}
        files = [("files", ("fapiao.png", _png(), "image/png"))]
        first = client.post("/api/v1/documents", headers=headers, files=files)
        again = client.post("/api/v1/documents", headers=headers, files=files)
        assert first.status_code == again.status_code == 202
        assert first.json() == again.json()
        assert len(client.get("/api/v1/documents", headers=headers).json()["items"]) == 1


def test_an_expired_lease_gives_the_document_to_the_next_worker(
    migrated_engine: Engine, settings: Settings
) -> None:
    from datetime import timedelta

    from sqlalchemy.orm import Session

    from reimburse.core.db import utcnow

    with demo_api(migrated_engine, settings) as (client, _):
        alice = login(client, "alice")
        r = client.post("/api/v1/documents", headers=alice, files=[("files", ("f.png", _png(), "image/png"))])
        doc_id = r.json()["documents"][0]["id"]
        with Session(migrated_engine) as s:
            assert service.claim(s, doc_id, utcnow()) == doc_id  # a worker takes it, then dies
            s.commit()
        with Session(migrated_engine) as s:
            assert service.claim(s, None, utcnow()) is None  # leased: nobody else may take it
            assert service.claim(s, None, utcnow() + service.LEASE + timedelta(seconds=1)) == doc_id
            s.rollback()
