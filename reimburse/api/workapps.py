"""Work apps: browser sign-in through WeCom / DingTalk / Feishu, and their callbacks.

- ``GET /auth/{platform}/login``: off to the platform's OAuth page (in its app) or QR-code
  login (a desktop browser), with a ``state`` bound to this browser by a cookie;
- ``GET /auth/{platform}/callback``: the platform sends the browser back with a one-time code;
  the session is set as the web app's HttpOnly cookie (``api.session_cookie``, as a password
  sign-in) and the browser goes on to the web app, with no token in the address;
- ``GET|POST /workapps/{platform}/callback``: the URL to register for the app's events (card
  buttons, directory changes); verified and decrypted before anything is read.
"""

from __future__ import annotations

import hmac
import secrets
from html import escape
from typing import Any

from fastapi import APIRouter, BackgroundTasks, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from reimburse.api import schemas as s
from reimburse.api import session_cookie
from reimburse.api.deps import SessionDep, SettingsDep
from reimburse.api.schemas import typed
from reimburse.core.db import utcnow
from reimburse.core.settings import Settings
from reimburse.identity.auth import TOKEN_LIFETIME
from reimburse.workapps import jobs, service
from reimburse.workapps.domain import LABELS, CallbackRequest, Platform, WorkApp
from reimburse.workapps.exceptions import NotConfigured, SignInRefused
from reimburse.workapps.registry import enabled_apps

router = APIRouter(tags=["workapps"])
STATE_COOKIE = "reimburse_signin_state"
_IN_APP = {Platform.WECOM: "wxwork", Platform.DINGTALK: "dingtalk", Platform.FEISHU: ("lark", "feishu")}


def _app(settings: Settings, platform: Platform) -> WorkApp:
    app = enabled_apps(settings).get(platform)
    if app is None:
        raise NotConfigured(f"{LABELS[platform]} is not configured on this server")
    return app


def _redirect_uri(settings: Settings, platform: Platform) -> str:
    return f"{settings.public_url.rstrip('/')}/api/v1/auth/{platform.value}/callback"


@router.get("/auth/workapps", **typed(s.WorkAppList))
def workapps_enabled(settings: SettingsDep) -> dict[str, Any]:
    """The work apps people can sign in with here (for the sign-in page's buttons)."""
    return {"platforms": [{"id": p.value, "label": LABELS[p]} for p in enabled_apps(settings)]}


@router.get("/auth/{platform}/login", response_class=RedirectResponse, status_code=302)
def workapp_login(
    platform: Platform, request: Request, settings: SettingsDep, qr: bool | None = None
) -> Response:
    app = _app(settings, platform)
    if qr is None:  # inside the work app's own browser: OAuth; anywhere else: the QR code
        agent = request.headers.get("user-agent", "").lower()
        marks = _IN_APP[platform]
        qr = not any(m in agent for m in ((marks,) if isinstance(marks, str) else marks))
    state = secrets.token_urlsafe(24)
    response = RedirectResponse(app.login_url(_redirect_uri(settings, platform), state, qr=qr), 302)
    response.set_cookie(
        STATE_COOKIE,
        state,
        max_age=600,
        httponly=True,
        samesite="lax",
        secure=settings.public_url.startswith("https://"),
        path=f"/api/v1/auth/{platform.value}",
    )
    return response


@router.get("/auth/{platform}/callback", response_class=HTMLResponse)
def workapp_signed_in(
    platform: Platform,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    code: str = Query(default="", max_length=512),
    auth_code: str = Query(default="", alias="authCode", max_length=512),  # DingTalk's name for it
    state: str = Query(default="", max_length=128),
) -> Response:
    code = code or auth_code
    expected = request.cookies.get(STATE_COOKIE, "")
    try:
        # login CSRF: the state must be the one this browser was given, and only once
        if not expected or not state or not hmac.compare_digest(expected, state):
            raise SignInRefused(
                "this sign-in was not started in this browser; start again", code="sign_in_bad_state"
            )
        token, _user = service.sign_in(
            session, _app(settings, platform), code, _redirect_uri(settings, platform), utcnow()
        )
    except SignInRefused as exc:
        return _refusal(platform, exc)
    response = RedirectResponse("/#/signed-in", 303)
    session_cookie.set_session(response, request, settings, token, TOKEN_LIFETIME)
    response.delete_cookie(STATE_COOKIE, path=f"/api/v1/auth/{platform.value}")
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _refusal(platform: Platform, exc: SignInRefused) -> HTMLResponse:
    label = escape(LABELS[platform])
    body = (
        '<!doctype html><html lang="zh-CN"><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>无法登录</title><main><h1>无法通过{label}登录 · Sign-in refused</h1>"
        f'<p id="reason" data-code="{escape(exc.code)}">{escape(exc.message)}</p>'
        '<p><a href="/#/login">返回登录 · Back to sign-in</a></p></main></html>'
    )
    response = HTMLResponse(body, status_code=exc.status)
    response.delete_cookie(STATE_COOKIE, path=f"/api/v1/auth/{platform.value}")
    return response


@router.get("/workapps/{platform}/callback")
async def workapp_callback_check(
    platform: Platform,
    request: Request,
    background: BackgroundTasks,
    session: SessionDep,
    settings: SettingsDep,
) -> Response:
    """The URL check WeCom makes when the callback URL is saved (``echostr``)."""
    return await _callback(platform, request, background, session, settings)


@router.post("/workapps/{platform}/callback")
async def workapp_callback(
    platform: Platform,
    request: Request,
    background: BackgroundTasks,
    session: SessionDep,
    settings: SettingsDep,
) -> Response:
    """Events: card buttons, directory changes, URL checks (DingTalk, Feishu)."""
    return await _callback(platform, request, background, session, settings)


async def _callback(
    platform: Platform, request: Request, background: BackgroundTasks, session: SessionDep, settings: Settings
) -> Response:
    app = _app(settings, platform)
    incoming = CallbackRequest(
        method=request.method,
        query=dict(request.query_params),
        headers={k.lower(): v for k, v in request.headers.items()},
        body=await request.body(),
    )

    def work() -> tuple[service.Outcome, bytes, str]:
        inbound = service.open_callback(app, incoming)
        outcome = service.handle(session, app, inbound, utcnow())
        reply = app.reply(inbound, outcome.text)
        return outcome, reply.body, reply.media_type

    outcome, body, media_type = await run_in_threadpool(work)
    if outcome.deactivated:
        request.app.state.principal_cache.clear()  # their tokens stop working in this process now
    if outcome.changed:
        background.add_task(jobs.housekeeping, settings)  # card updates and outcome messages
    if outcome.resync:
        background.add_task(jobs.directory_sync, settings)
    response = Response(body, media_type=media_type)
    response.headers["X-Reimburse-Outcome"] = outcome.text.encode("ascii", "replace").decode()
    return response
