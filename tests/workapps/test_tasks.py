"""The periodic jobs are Celery tasks that ``reimburse beat`` schedules."""

from __future__ import annotations

from reimburse.core.celery_app import celery_app, make_celery
from reimburse.core.settings import Settings


def test_workapp_jobs_are_registered_and_scheduled() -> None:
    import reimburse.workapps.tasks  # noqa: F401  (registers the tasks, as a worker's ``include`` does)

    assert {"workapps.housekeeping", "workapps.directory_sync"} <= set(celery_app.tasks)
    schedule = make_celery(Settings(environment="test", directory_sync_minutes=15)).conf.beat_schedule
    assert schedule["workapps-housekeeping"]["task"] == "workapps.housekeeping"
    assert schedule["workapps-directory-sync"] == {"task": "workapps.directory_sync", "schedule": 900.0}
