"""The FastAPI application factory. Domain routers are mounted under ``/api/v1``."""

from __future__ import annotations

import importlib

from fastapi import APIRouter, FastAPI

from reimburse.api.errors import install_error_handlers
from reimburse.api.health import router as health_router
from reimburse.core.db import engine_for, session_factory
from reimburse.core.settings import Settings, get_settings
from reimburse.identity.auth import authenticate

# "module:attribute" of each domain's APIRouter, mounted under /api/v1 (one line per domain).
DOMAIN_ROUTERS: tuple[str, ...] = ("reimburse.api.auth:router",)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(
        title="reimburse",
        version="0.1.0",
        description="Fapiao reading, expense claims, approvals and payroll hand-off.",
    )
    engine = engine_for(settings.sqlalchemy_url)
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = session_factory(engine)
    app.state.authenticator = authenticate
    install_error_handlers(app)
    app.include_router(health_router)
    v1 = APIRouter(prefix="/api/v1")
    for target in DOMAIN_ROUTERS:
        module_name, _, attr = target.partition(":")
        v1.include_router(getattr(importlib.import_module(module_name), attr))
    app.include_router(v1)
    return app
