"""Request-scoped dependencies. The request owns the session: it commits when the route
returns normally and rolls back when it raises."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from reimburse.core.errors import ReimburseError
from reimburse.core.principal import Principal
from reimburse.core.settings import Settings


class Unauthenticated(ReimburseError):
    code = "unauthorized"
    status = 401


def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_session(request: Request) -> Iterator[Session]:
    session: Session = request.app.state.sessions()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


SessionDep = Annotated[Session, Depends(get_session)]
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]


def get_principal(request: Request, session: SessionDep) -> Principal:
    """Resolve the caller from the Authorization header.

    ``app.state.authenticator`` (set by the identity domain) maps (session, header) to a
    Principal or None; without one, or with no valid credential, the request is refused.
    """
    authenticator = getattr(request.app.state, "authenticator", None)
    header = request.headers.get("authorization", "")
    principal = authenticator(session, header) if authenticator is not None and header else None
    if not isinstance(principal, Principal):
        raise Unauthenticated("sign in, or send a valid bearer token or API key")
    return principal


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]
