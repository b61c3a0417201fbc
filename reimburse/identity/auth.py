"""Who is calling: password sign-in, opaque bearer tokens, API keys.

``authenticate(session, authorization_header)`` is what ``api.deps`` calls (installed on
``app.state.authenticator``). Tokens are random 32-byte strings looked up by their SHA-256
digest; API keys are ``rk_<prefix>_<secret>``: the prefix finds the row, the secret's digest
is compared in constant time.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from reimburse.core.db import utcnow
from reimburse.core.errors import ReimburseError
from reimburse.core.principal import Principal, Role
from reimburse.core.settings import Settings
from reimburse.identity import oidc
from reimburse.identity.records import AccessTokenRecord, ApiKeyRecord, UserRecord

_HASHER = PasswordHasher()
TOKEN_LIFETIME = timedelta(hours=12)
_ACCESS_ROLES = {r.value for r in Role}


class BadCredentials(ReimburseError):
    code = "bad_credentials"
    status = 401


def hash_password(password: str) -> str:
    if len(password) < 8:
        raise ReimburseError("a password has at least 8 characters", code="weak_password")
    return _HASHER.hash(password)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def login(
    session: Session, username: str, password: str, now: datetime | None = None
) -> tuple[str, UserRecord]:
    """A new bearer token for a correct username and password."""
    user = session.scalars(select(UserRecord).where(UserRecord.username == username)).first()
    ok = False
    if user is not None and user.active and user.password_hash:
        try:
            ok = _HASHER.verify(user.password_hash, password)
        except (VerificationError, InvalidHashError):
            ok = False
    else:
        # spend the same time on unknown users, so timing does not reveal who exists
        with contextlib.suppress(VerificationError, InvalidHashError):
            _HASHER.verify(_dummy_hash(), password)
    if not ok or user is None:
        raise BadCredentials("wrong username or password")
    return issue_token(session, user, now), user


def issue_token(session: Session, user: UserRecord, now: datetime | None = None) -> str:
    """A new bearer token for a user whose identity is already proven (password, work-app sign-in)."""
    token = secrets.token_urlsafe(32)
    session.add(
        AccessTokenRecord(
            digest=_digest(token), user_id=user.id, expires_at=(now or utcnow()) + TOKEN_LIFETIME
        )
    )
    session.flush()
    return token


def logout(session: Session, header: str) -> None:
    token = _bearer(header)
    if token is not None:
        revoke(session, token)


def revoke(session: Session, token: str) -> None:
    """End a sign-in session (a bearer token, or the web app's session cookie: the same token)."""
    row = session.scalars(select(AccessTokenRecord).where(AccessTokenRecord.digest == _digest(token))).first()
    if row is not None:
        row.revoked = True


def create_api_key(
    session: Session,
    name: str,
    scopes: list[str],
    roles: list[str] | None = None,
    expires_at: datetime | None = None,
) -> tuple[str, ApiKeyRecord]:
    """A new key; the full secret is returned once and never stored."""
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    row = ApiKeyRecord(
        name=name,
        prefix=prefix,
        digest=_digest(secret),
        scopes=sorted(set(scopes)),
        roles=roles or ["payroll"],
        expires_at=expires_at,
    )
    session.add(row)
    session.flush()
    return f"rk_{prefix}_{secret}", row


def principal_for(user: UserRecord) -> Principal:
    return _principal(user.id, user.roles, user.department_id)


def _principal(user_id: int, roles: list[str], department_id: int | None) -> Principal:
    return Principal(
        subject=f"user:{user_id}",
        user_id=user_id,
        roles=frozenset(Role(r) for r in roles if r in _ACCESS_ROLES) | {Role.EMPLOYEE},
        department_id=department_id,
    )


# Every request runs this: plain columns (no ORM objects to build and track) in one round trip.
_TOKEN_LOOKUP = (
    select(
        AccessTokenRecord.revoked,
        AccessTokenRecord.expires_at,
        UserRecord.id,
        UserRecord.active,
        UserRecord.roles,
        UserRecord.department_id,
    )
    .join(UserRecord, UserRecord.id == AccessTokenRecord.user_id)
    .where(AccessTokenRecord.digest == bindparam("digest"))
)


def authenticate(session: Session, header: str, settings: Settings | None = None) -> Principal | None:
    """The caller behind an ``Authorization`` header, or None.

    ``settings`` enables OIDC ID tokens when an issuer is configured.
    """
    secret = _bearer(header)
    if secret is None:
        return None
    if secret.startswith("rk_"):
        return _api_key(session, secret)
    if settings is not None and settings.oidc_issuer and oidc.looks_like_jwt(secret):
        claims = oidc.verify(settings, secret)
        user = oidc.user_for(session, settings, claims) if claims else None
        return principal_for(user) if user is not None else None
    return session_principal(session, secret)


def session_principal(session: Session, token: str) -> Principal | None:
    """The user behind a sign-in session token (never an API key or an ID token): what the web
    app's session cookie may carry."""
    found = session.execute(_TOKEN_LOOKUP, {"digest": _digest(token)}).first()
    if found is None:
        return None
    revoked, expires_at, user_id, active, roles, department_id = found
    if revoked or expires_at <= utcnow() or not active:
        return None
    return _principal(user_id, roles, department_id)


def _api_key(session: Session, secret: str) -> Principal | None:
    parts = secret.split("_", 2)
    if len(parts) != 3:
        return None
    row = session.scalars(select(ApiKeyRecord).where(ApiKeyRecord.prefix == parts[1])).first()
    if row is None or row.revoked or not hmac.compare_digest(row.digest, _digest(parts[2])):
        return None
    now = utcnow()
    if row.expires_at is not None and row.expires_at <= now:
        return None
    row.last_used_at = now
    return Principal(
        subject=f"apikey:{row.id}",
        roles=frozenset(Role(r) for r in row.roles if r in _ACCESS_ROLES),
        scopes=frozenset(row.scopes),
    )


def _bearer(header: str) -> str | None:
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _HASHER.hash("not-a-real-password-used-for-timing")
