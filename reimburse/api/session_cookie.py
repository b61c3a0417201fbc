"""The web app's session: an HttpOnly cookie, and CSRF protection for what it sends.

The web app signs in with ``POST /auth/session`` (or a work app's OAuth sign-in) and gets its
session token as a cookie script cannot read (``HttpOnly``), sent only by this site's own pages
(``SameSite=Strict``), only over https when the service is (``Secure``), for the token's lifetime.
Bearer tokens and API keys in an ``Authorization`` header work as before and need none of this:
another site's page cannot set that header.

A cookie is sent whoever's page makes the request, so a change (POST, PUT, PATCH, DELETE)
authenticated by the cookie must also carry ``X-CSRF-Token``: an HMAC of the session token under
the service's secret. The server hands it over in a second cookie (readable by the app's script,
not by another site's) and in the sign-in answer; it is bound to the session, so neither a token
of another session nor one guessed without the secret passes. An ``Origin`` (or, without one, a
``Referer``) naming another site is refused as well.

``Strict`` rather than ``Lax``: the work apps' OAuth callback is a cross-site navigation, but the
cookie it sets is only needed by the app's own ``fetch`` calls afterwards (same-site); the
``state`` cookie that must survive the way back from the platform stays ``Lax``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import timedelta
from urllib.parse import urlsplit

from fastapi import Request, Response

from reimburse.api.errors import CrossOriginRefused, CsrfRefused
from reimburse.core.settings import Settings

SESSION_COOKIE = "reimburse_session"
CSRF_COOKIE = "reimburse_csrf"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def csrf_token(secret: str, session_token: str) -> str:
    """The CSRF token of one session: derived, so nothing is stored for it."""
    mac = hmac.new(secret.encode(), b"csrf\x00" + session_token.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def secure(request: Request, settings: Settings) -> bool:
    """``Secure`` when this request came over https, the service's address is https, or in
    production (which must be served over https: a browser keeps no Secure cookie from http)."""
    return (
        request.url.scheme == "https"
        or settings.public_url.lower().startswith("https://")
        or not settings.relaxed
    )


def set_session(
    response: Response, request: Request, settings: Settings, token: str, lifetime: timedelta
) -> str:
    """Put the session (and its CSRF token) into cookies on ``response``; the CSRF token."""
    csrf = csrf_token(settings.secret_key, token)
    seconds = int(lifetime.total_seconds())
    https = secure(request, settings)
    response.set_cookie(
        SESSION_COOKIE, token, max_age=seconds, path="/", secure=https, httponly=True, samesite="strict"
    )
    # readable by the app's own script (to echo it in X-CSRF-Token); useless without the session
    response.set_cookie(
        CSRF_COOKIE, csrf, max_age=seconds, path="/", secure=https, httponly=False, samesite="strict"
    )
    response.headers["Cache-Control"] = "no-store"
    return csrf


def clear_session(response: Response, request: Request, settings: Settings) -> None:
    https = secure(request, settings)
    for name, http_only in ((SESSION_COOKIE, True), (CSRF_COOKIE, False)):
        response.delete_cookie(name, path="/", secure=https, httponly=http_only, samesite="strict")


def check_change(request: Request, settings: Settings, session_token: str) -> None:
    """A change authenticated by the session cookie: same origin, and the session's CSRF token."""
    check_origin(request, settings)
    sent = request.headers.get(CSRF_HEADER, "")
    expected = csrf_token(settings.secret_key, session_token)
    if not sent or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise CsrfRefused(
            "a change sent with the session cookie needs the session's CSRF token in X-CSRF-Token; "
            "reload the page and try again"
        )


def check_origin(request: Request, settings: Settings) -> None:
    """Refuse a request whose ``Origin`` (or ``Referer`` when there is no ``Origin``) is another
    site. Neither header present: allowed (old browsers, non-browser clients); the CSRF token
    still decides."""
    origin = request.headers.get("origin")
    if origin is None:
        referer = request.headers.get("referer")
        if not referer:
            return
        parts = urlsplit(referer)
        origin = f"{parts.scheme}://{parts.netloc}"
    if not _ours(origin, request, settings):
        raise CrossOriginRefused("this request comes from another site's page; it is refused")


def _ours(origin: str, request: Request, settings: Settings) -> bool:
    parts = urlsplit(origin.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return False  # "null" (a sandboxed frame, a data: page) and anything malformed
    public = urlsplit(settings.public_url)
    if (parts.scheme, parts.netloc.lower()) == (public.scheme, public.netloc.lower()):
        return True
    # the address this request was sent to (a server reached by another name than public_url)
    host = request.headers.get("host", "")
    return bool(host) and parts.netloc.lower() == host.lower()
