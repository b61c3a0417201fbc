"""The Celery application.

With no broker configured (the embedded default) tasks run in-process, eagerly, after the
request's commit; with ``REIMBURSE_BROKER_URL`` (Redis or RabbitMQ) they go to real workers.
Tasks are acknowledged late and receive IDs only (JSON serializer, never pickle).
"""

from __future__ import annotations

from celery import Celery

from reimburse.core.settings import Settings, get_settings

# Each domain's tasks module (one line per domain).
TASK_MODULES: tuple[str, ...] = (
    "reimburse.documents.tasks",
    "reimburse.jobs.tasks",
    "reimburse.workapps.tasks",
)
OCR_QUEUE, DEFAULT_QUEUE = "ocr", "default"


def make_celery(settings: Settings) -> Celery:
    # ``include``: workers import the task modules at start-up (importing them here would be
    # circular: they decorate functions with this module's ``celery_app``)
    app = Celery("reimburse", include=list(TASK_MODULES))
    broker = settings.broker_url
    app.conf.update(
        broker_url=broker or "memory://",
        result_backend=None,
        task_always_eager=broker is None,
        task_eager_propagates=False,
        task_serializer="json",
        accept_content=["json"],
        task_acks_late=True,
        task_reject_on_worker_lost=True,  # a killed worker's task goes back to the queue
        worker_prefetch_multiplier=1,
        # two queues: OCR (slow, CPU- and memory-hungry; `reimburse worker --queues ocr` on the
        # big machines) and everything else (`--queues default`), so a backlog of photos never
        # delays SLA timers, notifications or webhooks
        task_default_queue=DEFAULT_QUEUE,
        task_routes={"documents.*": {"queue": OCR_QUEUE}, "claims.*": {"queue": DEFAULT_QUEUE}},
        broker_connection_retry_on_startup=True,
        timezone="UTC",
        # periodic jobs for `reimburse beat`, each its own task: one that fails skips no other
        beat_schedule={
            "documents-sweep": {"task": "documents.sweep", "schedule": 60.0},
            "claims-timers": {"task": "claims.timers", "schedule": 10.0},
            "claims-outbox": {"task": "claims.outbox", "schedule": 10.0},
            "claims-verification": {"task": "claims.verification", "schedule": 30.0},
            "claims-checkpoint": {"task": "claims.checkpoint", "schedule": 60.0},
            "claims-vouchers": {"task": "claims.vouchers", "schedule": 60.0},
            "workapps-housekeeping": {"task": "workapps.housekeeping", "schedule": 10.0},
            "workapps-directory-sync": {
                "task": "workapps.directory_sync",
                "schedule": settings.directory_sync_minutes * 60,
            },
        },
    )
    return app


celery_app = make_celery(get_settings())
