"""API keys as an admin manages them: create (with scopes and an optional expiry), list,
revoke. Each change leaves an entry in the admin trail. The caller's session commits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from reimburse.audit import service as trail
from reimburse.core.errors import Conflict, InvalidInput, NotFound
from reimburse.identity.auth import create_api_key
from reimburse.identity.records import ApiKeyRecord


def create(
    session: Session,
    actor: str,
    name: str,
    scopes: list[str],
    known_scopes: frozenset[str],
    expires_at: datetime | None,
    now: datetime,
) -> tuple[str, ApiKeyRecord]:
    unknown = sorted(set(scopes) - known_scopes)
    if unknown or not scopes:
        raise InvalidInput(f"scopes must be some of {sorted(known_scopes)}", code="invalid_scopes")
    if expires_at is not None and expires_at <= now:
        raise InvalidInput("the expiry is in the past", code="invalid_expiry")
    # a key is a machine client: the payroll role, never a person's (admin) roles
    secret, row = create_api_key(session, name, scopes, ["payroll"], expires_at)
    details = {"name": name, "scopes": row.scopes}
    trail.record_admin(session, f"apikey:{row.id}", "apikey.create", actor, now, details)
    return secret, row


def listing(session: Session) -> list[ApiKeyRecord]:
    return list(session.scalars(select(ApiKeyRecord).order_by(ApiKeyRecord.id)))


def revoke(session: Session, actor: str, key_id: int, now: datetime) -> ApiKeyRecord:
    row = session.get(ApiKeyRecord, key_id)
    if row is None:
        raise NotFound(f"API key {key_id} not found")
    if row.revoked:
        raise Conflict(f"API key {key_id} is already revoked", code="already_revoked")
    row.revoked, row.revoked_at, row.revoked_by = True, now, actor
    trail.record_admin(session, f"apikey:{row.id}", "apikey.revoke", actor, now, {"name": row.name})
    return row
