"""Refuse to run the service with settings or data that are only fit for a demo.

Outside ``REIMBURSE_ENVIRONMENT=development`` (or ``test``), ``serve``, ``worker`` and ``beat``
stop at once when the secret is the published default (or short), or when demo accounts that
sign in with the published demo password exist. ``make serve`` sets development itself.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from reimburse.core.db import engine_for
from reimburse.core.errors import ReimburseError
from reimburse.core.settings import Settings


class UnsafeStart(ReimburseError):
    code = "unsafe_start"


def problems(settings: Settings) -> list[str]:
    found = settings.startup_problems()
    if settings.relaxed:
        return found
    from reimburse.identity.seed import demo_logins

    with Session(engine_for(settings.sqlalchemy_url)) as session:
        demo = demo_logins(session)
    if demo:
        found.append(
            f"demo accounts sign in with the published demo password ({', '.join(demo)}): remove them "
            "or change their passwords (reimburse create-admin makes a real admin)"
        )
    return found


def refuse_unsafe(settings: Settings) -> None:
    found = problems(settings)
    if found:
        raise UnsafeStart("refusing to start: " + "; ".join(found))
