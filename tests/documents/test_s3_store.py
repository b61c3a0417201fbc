"""The S3 document store against a real S3-compatible HTTP server on loopback (moto's).

One server and one bucket per module; each test writes under a prefix of its own.
"""

from __future__ import annotations

import base64
import hashlib
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cv2
import pytest
from moto.server import ThreadedMotoServer
from pydantic import ValidationError
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from reimburse.core.errors import NotFound
from reimburse.core.settings import Settings
from reimburse.documents import runtime, service
from reimburse.documents.exceptions import StorageUnavailable, StoredFileCorrupt
from reimburse.documents.records import DocumentRecord
from reimburse.documents.s3store import S3Config, S3Store, client_for
from tests.api_helpers import demo_api, login
from tests.ocr.imaging_helpers import NUMBER, page

BUCKET = "reimburse-test"
REGION = "us-east-1"
CREDENTIALS = {"access_key_id": "testing", "secret_access_key": "testing"}


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    client_for(_config(url)).create_bucket(Bucket=BUCKET)
    yield url
    server.stop()


@pytest.fixture()
def prefix() -> str:
    return f"t-{uuid.uuid4().hex[:12]}"


@pytest.fixture()
def client(endpoint: str) -> Any:
    return client_for(_config(endpoint))


@pytest.fixture()
def store(client: Any, prefix: str) -> S3Store:
    return S3Store(client, BUCKET, prefix)


def _config(endpoint: str, **overrides: Any) -> S3Config:
    values: dict[str, Any] = {"bucket": BUCKET, "endpoint_url": endpoint, "region": REGION, **CREDENTIALS}
    return S3Config(**(values | overrides))


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # nothing listens once the socket is closed


def _keys(client: Any, prefix: str) -> list[str]:
    listing = client.list_objects_v2(Bucket=BUCKET, Prefix=f"{prefix}/")
    return [o["Key"] for o in listing.get("Contents", [])]


def test_put_then_get_round_trips_under_a_content_addressed_key(
    store: S3Store, client: Any, prefix: str
) -> None:
    data = b"%PDF-1.7 a fapiao"
    digest = store.put(data)
    assert digest == hashlib.sha256(data).hexdigest()
    assert _keys(client, prefix) == [f"{prefix}/{digest[:2]}/{digest[2:4]}/{digest}"]
    assert store.get(digest) == data
    assert store.exists(digest)
    assert not store.exists(hashlib.sha256(b"other").hexdigest())


def test_the_same_content_is_uploaded_once(store: S3Store, client: Any, prefix: str) -> None:
    uploads: list[str] = []

    def count(**kwargs: Any) -> None:
        uploads.append(kwargs["params"]["Key"])

    client.meta.events.register("before-parameter-build.s3.PutObject", count)
    try:
        first, second = store.put(b"same bytes"), store.put(b"same bytes")
    finally:
        client.meta.events.unregister("before-parameter-build.s3.PutObject", count)
    assert first == second
    assert len(uploads) == 1  # the second put saw the object (HeadObject) and skipped the upload
    assert len(_keys(client, prefix)) == 1


def test_an_upload_carries_checksums_the_server_can_verify(store: S3Store, client: Any) -> None:
    sent: dict[str, str] = {}

    def capture(request: Any, **_: Any) -> None:
        sent.update(
            {k.lower(): v.decode() if isinstance(v, bytes) else v for k, v in request.headers.items()}
        )

    client.meta.events.register("before-send.s3.PutObject", capture)
    try:
        data = b"checked on arrival"
        store.put(data)
    finally:
        client.meta.events.unregister("before-send.s3.PutObject", capture)
    assert sent["content-md5"] == base64.b64encode(hashlib.md5(data).digest()).decode()
    assert sent["x-amz-checksum-sha256"] == base64.b64encode(hashlib.sha256(data).digest()).decode()
    assert "aws-chunked" not in sent.get("content-encoding", "")  # plain headers: S3-compatibles accept them


def test_a_missing_object_is_not_found(store: S3Store) -> None:
    with pytest.raises(NotFound):
        store.get(hashlib.sha256(b"never stored").hexdigest())


@pytest.mark.parametrize("digest", ["", "abc", "../" + "a" * 61, "A" * 64, "g" * 64, "a" * 65])
def test_a_bad_digest_is_refused_before_any_request(store: S3Store, digest: str) -> None:
    with pytest.raises(NotFound):
        store.get(digest)
    with pytest.raises(NotFound):
        store.exists(digest)


def test_bytes_changed_in_the_bucket_are_refused(store: S3Store, client: Any) -> None:
    digest = store.put(b"the original photo")
    client.put_object(Bucket=BUCKET, Key=store.key(digest), Body=b"something else")
    with pytest.raises(StoredFileCorrupt) as caught:
        store.get(digest)
    assert caught.value.code == "stored_file_corrupt"


def test_an_unreachable_server_is_storage_unavailable() -> None:
    dead = _config(
        f"http://127.0.0.1:{_closed_port()}", connect_timeout=0.5, read_timeout=0.5, max_attempts=1
    )
    store = S3Store(client_for(dead), BUCKET)
    digest = hashlib.sha256(b"x").hexdigest()
    for call in (lambda: store.put(b"x"), lambda: store.get(digest), lambda: store.exists(digest)):
        with pytest.raises(StorageUnavailable) as caught:
            call()
        assert caught.value.code == "storage_unavailable" and caught.value.status == 503
        assert "127.0.0.1" not in caught.value.message  # where the store lives is for the log


def test_a_refusal_by_the_server_is_storage_unavailable(endpoint: str) -> None:
    # moto accepts any key pair, so a missing bucket stands in for access denied: both are
    # the server refusing a request that was well formed
    other = S3Store(client_for(_config(endpoint)), "no-such-bucket")
    with pytest.raises(StorageUnavailable) as caught:
        other.get(hashlib.sha256(b"x").hexdigest())
    assert caught.value.details == {"operation": "GetObject", "reason": "NoSuchBucket"}
    with pytest.raises(StorageUnavailable):
        other.put(b"x")


def test_one_client_per_process_and_configuration(endpoint: str, tmp_path: Path) -> None:
    settings = _s3_settings(tmp_path, endpoint, "any")
    a, b = runtime.store_for(settings), runtime.store_for(settings)
    assert isinstance(a, S3Store) and isinstance(b, S3Store)
    assert a.client is b.client
    assert client_for(_config(endpoint, prefix="elsewhere")) is not a.client


def test_settings_refuse_s3_without_a_bucket_or_with_half_a_key_pair(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="REIMBURSE_S3_BUCKET"):
        Settings(environment="test", data_dir=tmp_path, storage="s3")
    with pytest.raises(ValidationError, match="SECRET_ACCESS_KEY"):
        Settings(environment="test", storage="s3", s3_bucket="b", s3_access_key_id="AKIA...")
    assert Settings(environment="test", data_dir=tmp_path).storage == "local"


def test_boto3_is_imported_only_when_s3_is_chosen(tmp_path: Path) -> None:
    code = (
        "import sys; from pathlib import Path; from reimburse.core.settings import Settings;"
        "from reimburse.documents.runtime import store_for;"
        "store_for(Settings(environment='test', data_dir=Path(sys.argv[1])));"
        "assert 'boto3' not in sys.modules and 'botocore' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code, str(tmp_path)], check=True, timeout=120)


def _s3_settings(tmp_path: Path, endpoint: str, prefix: str, database_url: str | None = None) -> Settings:
    return Settings(
        environment="test",
        data_dir=tmp_path,
        database_url=database_url,
        storage="s3",
        s3_bucket=BUCKET,
        s3_prefix=prefix,
        s3_endpoint_url=endpoint,
        s3_region=REGION,
        s3_access_key_id=CREDENTIALS["access_key_id"],
        s3_secret_access_key=CREDENTIALS["secret_access_key"],
        s3_addressing_style="path",
    )


def _png() -> bytes:
    ok, buf = cv2.imencode(".png", page())
    assert ok
    return buf.tobytes()


def test_an_upload_lands_in_the_bucket_and_is_read_from_it(
    migrated_engine: Engine, database_url: str, tmp_path: Path, endpoint: str, client: Any, prefix: str
) -> None:
    settings = _s3_settings(tmp_path, endpoint, prefix, database_url)
    data = _png()
    digest = hashlib.sha256(data).hexdigest()
    with demo_api(migrated_engine, settings) as (api, _):
        alice = login(api, "alice")
        r = api.post("/api/v1/documents", headers=alice, files=[("files", ("fapiao.png", data, "image/png"))])
        assert r.status_code == 202, r.text
        doc_id = r.json()["documents"][0]["id"]
        key = f"{prefix}/{digest[:2]}/{digest[2:4]}/{digest}"
        assert client.get_object(Bucket=BUCKET, Key=key)["Body"].read() == data  # stored before the answer
        assert not (tmp_path / "store").exists()  # nothing on the local disk
        got = api.get(f"/api/v1/documents/{doc_id}/file", headers=alice)
        assert got.status_code == 200 and got.content == data

        # the worker side: an outage gives the document back without using up an attempt...
        dead = S3Store(client_for(_config(f"http://127.0.0.1:{_closed_port()}", max_attempts=1)), BUCKET)
        with pytest.raises(StorageUnavailable):
            service.process(migrated_engine, dead, runtime.reader, doc_id)
        with Session(migrated_engine) as s:
            doc = s.get(DocumentRecord, doc_id)
            assert doc is not None and (doc.status, doc.attempts) == ("queued", 0)
        # ...and once the store answers, it is read from the bucket
        assert service.process(migrated_engine, runtime.store_for(settings), runtime.reader, doc_id) == doc_id
        result = api.get(f"/api/v1/documents/{doc_id}", headers=alice).json()
        assert result["status"] == "done"
        assert result["results"][0]["fields"]["invoice_number"] == NUMBER


def test_an_upload_while_the_store_is_down_is_refused_with_503(
    migrated_engine: Engine, database_url: str, tmp_path: Path
) -> None:
    settings = _s3_settings(tmp_path, f"http://127.0.0.1:{_closed_port()}", "down", database_url)
    settings = settings.model_copy(update={"s3_connect_timeout": 0.5, "s3_max_attempts": 1})
    with demo_api(migrated_engine, settings) as (api, _):
        alice = login(api, "alice")
        r = api.post("/api/v1/documents", headers=alice, files=[("files", ("f.png", _png(), "image/png"))])
        assert r.status_code == 503, r.text
        assert r.json()["error"]["code"] == "storage_unavailable"
        assert api.get("/api/v1/documents", headers=alice).json()["items"] == []  # no row without bytes
        ready = api.get("/readyz")
        assert ready.status_code == 503 and ready.json()["checks"]["store"].startswith("error")


def test_readiness_asks_the_bucket(
    migrated_engine: Engine, database_url: str, tmp_path: Path, endpoint: str
) -> None:
    with demo_api(migrated_engine, _s3_settings(tmp_path, endpoint, "ready", database_url)) as (api, _):
        ready = api.get("/readyz")
        assert ready.status_code == 200 and ready.json()["checks"] == {"database": "ok", "store": "ok"}
