"""The document store in S3-compatible object storage (AWS S3, MinIO, Ceph RGW, Aliyun OSS...).

Keys are content-addressed like ``LocalStore``'s paths, ``<prefix>/ab/cd/<sha256>``, so the same
content is stored once and a key never changes meaning. This module is imported only when
``REIMBURSE_STORAGE=s3``; it is the one place that imports boto3.

Every failure to talk to the service (refused connection, timeout, bad credentials, missing
bucket) becomes ``StorageUnavailable`` (503, transient); bytes that no longer hash to their key
become ``StoredFileCorrupt``; a missing object is ``NotFound``, as in ``LocalStore``.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import threading
from contextlib import closing
from dataclasses import dataclass, field
from typing import Any, Protocol

from reimburse.core.errors import NotFound
from reimburse.core.settings import Settings
from reimburse.documents.exceptions import StorageUnavailable, StoredFileCorrupt
from reimburse.documents.store import check_digest

try:
    import boto3
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError
except ImportError as exc:  # pragma: no cover - the settings refuse s3 without boto3 first
    raise ImportError("REIMBURSE_STORAGE=s3 needs boto3: pip install '.[s3]'") from exc

log = logging.getLogger(__name__)
# HeadObject answers a bare 404; GetObject names the error
_MISSING = frozenset({"404", "NoSuchKey", "NotFound"})


class S3Client(Protocol):
    """The part of a boto3 S3 client the store uses."""

    def head_object(self, **kwargs: Any) -> dict[str, Any]: ...
    def put_object(self, **kwargs: Any) -> dict[str, Any]: ...
    def get_object(self, **kwargs: Any) -> dict[str, Any]: ...


@dataclass(frozen=True, slots=True)
class S3Config:
    """Where and how to connect; hashable, so one client is cached per distinct configuration."""

    bucket: str
    prefix: str = ""
    endpoint_url: str | None = None
    region: str | None = None
    access_key_id: str | None = None
    secret_access_key: str | None = field(default=None, repr=False)
    addressing_style: str = "auto"
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    max_attempts: int = 3

    @classmethod
    def from_settings(cls, settings: Settings) -> S3Config:
        """The S3 part of the settings (which refuse ``storage="s3"`` without a bucket)."""
        if not settings.s3_bucket:
            raise ValueError("REIMBURSE_S3_BUCKET is not set")
        return cls(
            bucket=settings.s3_bucket,
            prefix=settings.s3_prefix,
            endpoint_url=settings.s3_endpoint_url,
            region=settings.s3_region,
            access_key_id=settings.s3_access_key_id,
            secret_access_key=settings.s3_secret_access_key,
            addressing_style=settings.s3_addressing_style,
            connect_timeout=settings.s3_connect_timeout,
            read_timeout=settings.s3_read_timeout,
            max_attempts=settings.s3_max_attempts,
        )


_clients: dict[tuple[int, S3Config], Any] = {}
_clients_lock = threading.Lock()


def client_for(config: S3Config) -> Any:
    """The boto3 S3 client for ``config``, built once per process and shared by its threads.

    boto3 clients are thread-safe, sessions are not, so each client gets a session of its own
    (never boto3's module-level default one). The process id is part of the cache key because
    a client's connection pool must not cross a fork (Celery's prefork workers).
    """
    key = (os.getpid(), config)
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            client = _clients[key] = _build_client(config)
    return client


def _build_client(config: S3Config) -> Any:
    session = boto3.session.Session()
    return session.client(
        "s3",
        endpoint_url=config.endpoint_url,
        region_name=config.region,
        aws_access_key_id=config.access_key_id,
        aws_secret_access_key=config.secret_access_key,
        config=Config(
            s3={"addressing_style": config.addressing_style},
            connect_timeout=config.connect_timeout,
            read_timeout=config.read_timeout,
            retries={"total_max_attempts": config.max_attempts, "mode": "standard"},
        ),
    )


def s3_store_for(settings: Settings) -> S3Store:
    """The S3 store the settings describe, on the process's cached client."""
    config = S3Config.from_settings(settings)
    return S3Store(client_for(config), config.bucket, config.prefix)


def _unavailable(operation: str, exc: Exception) -> StorageUnavailable:
    if isinstance(exc, ClientError):
        reason = str(exc.response.get("Error", {}).get("Code") or "error")
    else:
        reason = type(exc).__name__  # EndpointConnectionError, ConnectTimeoutError, NoCredentialsError...
    # the endpoint and the bucket go to the log, not to API clients
    log.warning("document store: %s failed: %s", operation, exc)
    return StorageUnavailable(
        f"the document store is unavailable ({operation}: {reason})",
        details={"operation": operation, "reason": reason},
    )


def _is_missing(exc: ClientError) -> bool:
    return str(exc.response.get("Error", {}).get("Code")) in _MISSING


class S3Store:
    """``Store`` on an S3 bucket. The credentials need s3:GetObject and s3:PutObject, and
    s3:ListBucket so that a missing object answers 404 rather than 403 (access denied)."""

    def __init__(self, client: S3Client, bucket: str, prefix: str = "") -> None:
        self.client, self.bucket = client, bucket
        self.prefix = prefix.strip("/")

    def key(self, digest: str) -> str:
        """The object key of ``digest``; ``NotFound`` for anything that is not a SHA-256 digest."""
        check_digest(digest)
        path = f"{digest[:2]}/{digest[2:4]}/{digest}"
        return f"{self.prefix}/{path}" if self.prefix else path

    def put(self, data: bytes) -> str:
        """Upload ``data`` unless its key already exists; return its SHA-256 hex digest.

        Returns only after the service acknowledged the object (S3 answers 200 once the object
        is stored; boto3 raises on anything else), so a database row written afterwards never
        points at bytes that are not there. Two writers racing on the same content both upload
        identical bytes under the same key, which is harmless.
        """
        sha256 = hashlib.sha256(data).digest()
        digest = sha256.hex()
        key = self.key(digest)
        if self._head(key):
            return digest
        try:
            self.client.put_object(
                Bucket=self.bucket,
                Key=key,
                Body=data,
                ContentType="application/octet-stream",
                # The service checks both and refuses a body damaged on the way: nearly every
                # S3-compatible one checks Content-MD5; AWS and MinIO check the SHA-256 as well.
                ContentMD5=base64.b64encode(hashlib.md5(data, usedforsecurity=False).digest()).decode(),
                ChecksumSHA256=base64.b64encode(sha256).decode(),
            )
        except (ClientError, BotoCoreError) as exc:
            raise _unavailable("PutObject", exc) from exc
        return digest

    def get(self, digest: str) -> bytes:
        """The stored bytes, checked against their digest.

        ``NotFound`` if the object is missing; ``StoredFileCorrupt`` if its bytes do not hash to
        ``digest`` (changed in the bucket, or damaged on the way).
        """
        key = self.key(digest)
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=key)
            with closing(response["Body"]) as body:
                data: bytes = body.read()
        except ClientError as exc:
            if _is_missing(exc):
                raise NotFound("the stored file is missing") from exc
            raise _unavailable("GetObject", exc) from exc
        except BotoCoreError as exc:  # includes a connection dropped while reading the body
            raise _unavailable("GetObject", exc) from exc
        if hashlib.sha256(data).hexdigest() != digest:
            log.error("document store: s3://%s/%s does not match its SHA-256", self.bucket, key)
            raise StoredFileCorrupt(f"the stored file {digest} does not match its SHA-256")
        return data

    def exists(self, digest: str) -> bool:
        """Whether an object is stored under ``digest``'s key."""
        return self._head(self.key(digest))

    def _head(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if _is_missing(exc):
                return False
            raise _unavailable("HeadObject", exc) from exc
        except BotoCoreError as exc:
            raise _unavailable("HeadObject", exc) from exc
        return True
