"""The FastAPI application factory. Domain routers are mounted under ``/api/v1``."""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from fastapi import APIRouter, FastAPI

from reimburse.api.errors import install_error_handlers
from reimburse.api.guards import InputGuard
from reimburse.api.health import router as health_router
from reimburse.api.requestlog import install_request_log
from reimburse.api.security_headers import SecurityHeaders
from reimburse.core.db import engine_for, session_factory
from reimburse.core.settings import Settings, get_settings
from reimburse.identity.auth import authenticate, session_principal
from reimburse.identity.cache import PrincipalCache
from reimburse.identity.throttle import DatabaseStore, LoginThrottle

# "module:attribute" of each domain's APIRouter, mounted under /api/v1 (one line per domain).
# Routes match in this order: claims (claim reads and the inbox, the busiest) go first, and no
# two domains share a path.
DOMAIN_ROUTERS: tuple[str, ...] = (
    "reimburse.api.claims:router",
    "reimburse.api.auth:router",
    "reimburse.api.documents:router",
    "reimburse.api.claim_budget:router",
    "reimburse.api.payouts:router",
    "reimburse.api.webhooks:router",
    "reimburse.api.verification:router",
    "reimburse.api.reports:router",
    "reimburse.api.admin:router",
    "reimburse.api.workapps:router",
    "reimburse.api.apikeys:router",
    "reimburse.api.admin_controls:router",
    "reimburse.api.admin_controls:mine",
    "reimburse.api.audit:router",
    "reimburse.api.vouchers:router",
    "reimburse.api.finance_admin:router",
    "reimburse.api.advances:router",
)


def create_app(settings: Settings | None = None, *, local_worker: bool = False) -> FastAPI:
    """The app. ``local_worker`` (``reimburse serve`` without a broker) reads uploads in a
    thread of this process; with a broker configured, uploads go to Celery workers."""
    settings = settings or get_settings()
    problems = settings.startup_problems()
    if problems:  # fail closed: no app on a default secret outside development
        raise RuntimeError("refusing to start: " + "; ".join(problems))
    engine = engine_for(settings.sqlalchemy_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        worker = None
        if settings.broker_url:
            from reimburse.core.celery_app import OCR_QUEUE, make_celery

            # a sender bound to *these* settings' broker (not the import-time default app)
            sender = make_celery(settings)
            app.state.dispatch_document = lambda doc_id: sender.send_task(
                "documents.process", args=[doc_id], queue=OCR_QUEUE
            )
        elif local_worker:
            from reimburse.documents import runtime
            from reimburse.documents.local_worker import LocalWorker
            from reimburse.jobs.tasks import housekeeping
            from reimburse.workapps.jobs import local_housekeeping as workapp_housekeeping

            worker = LocalWorker(
                engine,
                runtime.store_for(settings),
                runtime.reader,
                housekeeping=lambda: housekeeping(settings) + workapp_housekeeping(settings),
                lease=timedelta(seconds=settings.document_lease_seconds),
            )
            worker.start()
            app.state.local_worker = worker
            app.state.dispatch_document = lambda _id: worker.wake()
        yield
        if worker is not None:
            worker.stop()

    docs = settings.api_docs if settings.api_docs is not None else settings.relaxed
    app = FastAPI(
        docs_url="/docs" if docs else None,
        redoc_url="/redoc" if docs else None,
        title="reimburse",
        version="0.1.0",
        description="Fapiao reading, expense claims, approvals and payroll hand-off.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = session_factory(engine)
    app.state.read_sessions = session_factory(engine.execution_options(isolation_level="AUTOCOMMIT"))
    app.state.authenticator = lambda session, header: authenticate(session, header, settings)
    app.state.session_authenticator = session_principal  # the web app's cookie: sessions only
    app.state.principal_cache = PrincipalCache(ttl=settings.auth_cache_seconds)
    app.state.login_throttle = LoginThrottle(DatabaseStore(app.state.sessions))  # shared by processes
    install_error_handlers(app)
    app.add_middleware(InputGuard)  # inside the request log, so refusals are logged too
    app.add_middleware(SecurityHeaders)  # on every answer, refusals and errors included
    install_request_log(app)
    app.include_router(health_router)
    v1 = APIRouter(prefix="/api/v1")
    for target in DOMAIN_ROUTERS:
        module_name, _, attr = target.partition(":")
        v1.include_router(getattr(importlib.import_module(module_name), attr))
    app.include_router(v1)
    from reimburse.api.web import mount

    mount(app)
    return app


def served_app() -> FastAPI:
    """The factory each process of ``reimburse serve --workers N`` imports: the same JSON logs
    as a single process (uvicorn starts its workers with Python's default logging)."""
    from reimburse.core.logs import configure

    configure()
    return create_app()
