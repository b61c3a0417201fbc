"""OCR and housekeeping use separate Celery queues; each periodic job runs on its own."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import Engine

from reimburse.core.celery_app import DEFAULT_QUEUE, OCR_QUEUE, make_celery
from reimburse.core.settings import Settings
from reimburse.jobs import periodic as background
from reimburse.jobs import tasks


def test_documents_go_to_the_ocr_queue_and_housekeeping_to_the_default_one(settings: Settings) -> None:
    app = make_celery(settings.model_copy(update={"broker_url": "redis://127.0.0.1:1/0"}))
    app.loader.import_default_modules()
    route = app.amqp.router.route
    for task in ("documents.process", "documents.sweep"):
        assert route({}, task)["queue"].name == OCR_QUEUE, task
    for task in ("claims.timers", "claims.outbox", "claims.verification", "claims.housekeeping"):
        assert route({}, task)["queue"].name == DEFAULT_QUEUE, task
    scheduled = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert {"claims.timers", "claims.outbox", "claims.verification", "documents.sweep"} <= scheduled
    assert set(app.tasks) >= scheduled  # every scheduled job is a task the workers know


def test_one_failing_periodic_job_skips_none_of_the_others(
    migrated_engine: Engine,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    ran: list[str] = []

    def broken(*args: object, **kwargs: object) -> int:
        ran.append("verification")
        raise RuntimeError("the tax bureau's provider is down")

    def timers(engine: Engine, now: object) -> int:
        ran.append("timers")
        return 0

    def outbox(*args: object) -> int:
        ran.append("outbox")
        return 0

    # the job that runs first fails; the ones after it still run
    monkeypatch.setattr(background, "check_invoices", broken)
    monkeypatch.setattr(background, "fire_timers", timers)
    monkeypatch.setattr(background, "drain_outbox", outbox)
    monkeypatch.setattr(
        tasks, "JOBS", {"verification": tasks.verification, "timers": tasks.timers, "outbox": tasks.outbox}
    )
    with caplog.at_level(logging.ERROR):
        assert tasks.housekeeping(settings) == 0
    assert ran == ["verification", "timers", "outbox"]
    assert "periodic job verification failed" in caplog.text
