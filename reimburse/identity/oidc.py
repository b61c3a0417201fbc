"""OIDC single sign-on: accept ID tokens (RS256/ES256) from the configured issuer.

The token's signature is checked against the issuer's published keys (JWKS, fetched once and
cached; refetched when a token names an unknown key id), as are issuer, audience and expiry.
The user is the one whose username (or e-mail) matches the configured claim; SSO does not
create people — an admin does, so roles and departments are never guessed.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import httpx
import jwt
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from reimburse.core.settings import Settings
from reimburse.identity.records import UserRecord

ALGORITHMS = ["RS256", "ES256"]


@lru_cache(maxsize=4)
def _jwks_client(url: str) -> jwt.PyJWKClient:
    return jwt.PyJWKClient(url, cache_keys=True, lifespan=3600)


def jwks_url(settings: Settings) -> str:
    if settings.oidc_jwks_url:
        return settings.oidc_jwks_url
    assert settings.oidc_issuer is not None
    config = httpx.get(settings.oidc_issuer.rstrip("/") + "/.well-known/openid-configuration", timeout=10)
    config.raise_for_status()
    return str(config.json()["jwks_uri"])


def looks_like_jwt(token: str) -> bool:
    return token.count(".") == 2 and token.startswith("ey")


def verify(settings: Settings, token: str) -> dict[str, Any] | None:
    """The token's claims if it is a valid ID token of our issuer for our audience, else None."""
    if not settings.oidc_issuer or not settings.oidc_audience:
        return None
    try:
        key = _jwks_client(jwks_url(settings)).get_signing_key_from_jwt(token)
        claims: dict[str, Any] = jwt.decode(
            token,
            key.key,
            algorithms=ALGORITHMS,
            audience=settings.oidc_audience,
            issuer=settings.oidc_issuer,
            options={"require": ["exp", "iss", "aud", "sub"]},
        )
    except (jwt.PyJWTError, httpx.HTTPError, KeyError, ValueError):
        return None
    return claims


def user_for(session: Session, settings: Settings, claims: dict[str, Any]) -> UserRecord | None:
    name = claims.get(settings.oidc_username_claim) or claims.get("email")
    if not name:
        return None
    return session.scalars(
        select(UserRecord).where(
            UserRecord.active.is_(True), or_(UserRecord.username == name, UserRecord.email == name)
        )
    ).first()
