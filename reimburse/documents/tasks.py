"""Celery tasks: thin wrappers that pass IDs and let ``service.process`` do the work.

Acknowledged late (a killed worker's task is redelivered), retried with exponential backoff
on unexpected errors; ``process`` is idempotent, so a redelivered task does nothing twice.
"""

from __future__ import annotations

from datetime import timedelta

from reimburse.core.celery_app import celery_app
from reimburse.core.settings import get_settings
from reimburse.documents import runtime, service


@celery_app.task(  # type: ignore[untyped-decorator]
    name="documents.process",
    acks_late=True,
    autoretry_for=(Exception,),
    retry_backoff=2,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=service.MAX_ATTEMPTS,
)
def process_document(document_id: int) -> int | None:
    settings = get_settings()
    lease = timedelta(seconds=settings.document_lease_seconds)
    return service.process(
        runtime.engine(settings), runtime.store_for(settings), runtime.reader, document_id, lease
    )


@celery_app.task(name="documents.sweep", acks_late=True)  # type: ignore[untyped-decorator]
def sweep() -> int:
    """Re-queue documents whose worker died (expired leases) or whose message was lost."""
    settings = get_settings()
    lease = timedelta(seconds=settings.document_lease_seconds)
    count = 0
    store = runtime.store_for(settings)
    while service.process(runtime.engine(settings), store, runtime.reader, None, lease) is not None:
        count += 1
    return count
