"""The web app: static files, no build step. ``/`` serves the single-page app shell."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from reimburse.core.errors import NotFound

WEB = Path(__file__).resolve().parent.parent / "web"
router = APIRouter(include_in_schema=False)
# prefixes that belong to the API and the static files: an unknown path there is a real 404
_NOT_APP = ("api/", "app/", "docs", "redoc", "openapi.json", "metrics", "healthz", "readyz")


def _shell() -> FileResponse:
    return FileResponse(WEB / "index.html", headers={"Cache-Control": "no-cache"})


@router.get("/")
def index() -> FileResponse:
    return _shell()


@router.get("/sw.js")
def service_worker() -> FileResponse:
    # served from the root so that its scope covers the whole app
    return FileResponse(WEB / "sw.js", media_type="text/javascript", headers={"Cache-Control": "no-cache"})


def _fallback(path: str) -> FileResponse:
    """A bookmarked or shared address (``/claims/12``) opens the app, which routes by itself."""
    if path.startswith(_NOT_APP) or "." in path.rsplit("/", 1)[-1]:
        raise NotFound(f"/{path} not found")
    return _shell()


def mount(app: FastAPI) -> None:
    app.include_router(router)
    app.mount("/app", StaticFiles(directory=WEB), name="web")
    # registered last, so every API route and the static mount match first
    app.add_api_route("/{path:path}", _fallback, methods=["GET"], include_in_schema=False)
