"""Per-uploader limits: files per minute (429 with ``Retry-After``) and bytes stored (413).

Counted from the documents table, so every API replica sees the same figures (no shared
memory needed) and a restart forgets nothing. Both are checked before a byte is stored.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reimburse.core.errors import ReimburseError
from reimburse.documents.records import DocumentRecord

WINDOW = timedelta(minutes=1)


class UploadRateExceeded(ReimburseError):
    code = "rate_limited"
    status = 429

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message, details={"retry_after": retry_after})
        self.headers = {"Retry-After": str(retry_after)}


class StorageQuotaExceeded(ReimburseError):
    code = "storage_quota_exceeded"
    status = 413


def check_rate(session: Session, subject: str, incoming: int, per_minute: int, now: datetime) -> None:
    since = now - WINDOW
    recent = list(
        session.scalars(
            select(DocumentRecord.created_at)
            .where(DocumentRecord.owner_subject == subject, DocumentRecord.created_at > since)
            .order_by(DocumentRecord.created_at)
        )
    )
    if len(recent) + incoming <= per_minute:
        return
    # when enough of the minute's uploads have aged out to make room for this request
    needed = len(recent) + incoming - per_minute
    frees_at = recent[min(needed, len(recent)) - 1] + WINDOW if recent else now + WINDOW
    wait = max(1, int((frees_at - now).total_seconds()) + 1)
    raise UploadRateExceeded(f"at most {per_minute} files a minute; try again in {wait} s", wait)


def check_storage(session: Session, subject: str, incoming_bytes: int, quota_bytes: int) -> None:
    stored = session.scalar(
        select(func.coalesce(func.sum(DocumentRecord.size), 0)).where(DocumentRecord.owner_subject == subject)
    )
    if int(stored or 0) + incoming_bytes > quota_bytes:
        raise StorageQuotaExceeded(
            f"this upload would pass the storage quota of {quota_bytes} bytes per uploader "
            f"({int(stored or 0)} stored)"
        )
