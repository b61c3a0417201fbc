"""The first administrator of a real installation (``reimburse create-admin``)."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from reimburse.core.errors import InvalidInput
from reimburse.identity.auth import hash_password
from reimburse.identity.records import UserRecord
from reimburse.identity.seed import DEMO_PASSWORD

_USERNAME = re.compile(r"[a-zA-Z0-9_.@-]{2,64}")
MIN_ADMIN_PASSWORD = 12


def create_admin_user(session: Session, username: str, display_name: str, password: str) -> UserRecord:
    if not _USERNAME.fullmatch(username):
        raise InvalidInput("a username is 2-64 letters, digits or _ . @ -", code="invalid_username")
    if len(password) < MIN_ADMIN_PASSWORD or password == DEMO_PASSWORD:
        raise InvalidInput(
            f"an admin password has at least {MIN_ADMIN_PASSWORD} characters (and is not the demo one)",
            code="weak_password",
        )
    if session.scalars(select(UserRecord).where(UserRecord.username == username)).first() is not None:
        raise InvalidInput(f"the username {username!r} is taken", code="username_taken")
    user = UserRecord(
        username=username,
        display_name=display_name[:128] or username,
        password_hash=hash_password(password),
        roles=["admin"],
    )
    session.add(user)
    session.flush()
    return user
