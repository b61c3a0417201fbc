"""Per-process resources of a worker: the database engine, the store, the OCR reader.

Created once per process (models load once) from the settings the process started with.
"""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import Engine

from reimburse.core.db import engine_for
from reimburse.core.models import import_all_models
from reimburse.core.settings import Settings, get_settings
from reimburse.documents.store import LocalStore, Store
from reimburse.ocr.limits import ReadLimits
from reimburse.ocr.reader import DocumentReader

# A worker process imports only its tasks; the ORM needs every table its rows point at.
import_all_models()


def store_for(settings: Settings) -> Store:
    """The document store the settings choose: ``data_dir/store`` or an S3 bucket."""
    if settings.storage == "s3":
        from reimburse.documents.s3store import s3_store_for  # boto3 only when S3 is chosen

        return s3_store_for(settings)  # cheap: the client behind it is built once per process
    return LocalStore(settings.data_dir / "store")


def engine(settings: Settings | None = None) -> Engine:
    return engine_for((settings or get_settings()).sqlalchemy_url)


@lru_cache(maxsize=1)
def reader() -> DocumentReader:
    s = get_settings()
    return DocumentReader(
        engine_name=s.ocr_engine,
        threads=s.ocr_threads,
        limits=ReadLimits(
            max_bytes=s.max_upload_bytes,
            max_image_pixels=s.max_image_pixels,
            time_budget_seconds=s.document_time_budget_seconds,
        ),
    )
