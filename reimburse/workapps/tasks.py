"""Celery tasks of the work apps (periodic, scheduled by ``reimburse beat``): thin wrappers."""

from __future__ import annotations

from reimburse.core.celery_app import celery_app
from reimburse.core.settings import get_settings
from reimburse.workapps.jobs import directory_sync, housekeeping


@celery_app.task(name="workapps.housekeeping", acks_late=True)  # type: ignore[untyped-decorator]
def housekeeping_task() -> int:
    return housekeeping(get_settings())


@celery_app.task(name="workapps.directory_sync", acks_late=True)  # type: ignore[untyped-decorator]
def directory_sync_task() -> int:
    return len(directory_sync(get_settings()))
