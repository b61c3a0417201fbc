"""Claim types and the flow each one runs (``expense`` by default, ``travel``,
``entertainment`` ...): an admin maps types to stored flows; a claim's type selects its flow."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy.orm import Session

from reimburse.audit import service as trail
from reimburse.core.controls import DEFAULTS, get_control, set_control
from reimburse.core.errors import InvalidInput, NotFound
from reimburse.routing import versions

DEFAULT_TYPE = "expense"
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,31}$")


def mapping(session: Session) -> dict[str, str]:
    value = get_control(session, "claim_types")
    return dict(value if isinstance(value, dict) else DEFAULTS["claim_types"])


def check(session: Session, claim_type: str) -> str:
    """The type if it is known, else 422 ``unknown_claim_type``."""
    if claim_type not in mapping(session):
        known = ", ".join(sorted(mapping(session)))
        raise InvalidInput(
            f"unknown claim type {claim_type[:40]!r}; known: {known}", code="unknown_claim_type"
        )
    return claim_type


def flow_of(session: Session, claim_type: str) -> str:
    """The flow a new claim of this type starts on (its latest version)."""
    return mapping(session)[check(session, claim_type)]


def save(session: Session, new: dict[str, str], actor: str, now: datetime) -> dict[str, str]:
    """Replace the mapping. Each type names a flow that exists; ``expense`` stays (the type of
    claims that name none). Types no longer listed cannot be chosen for new claims; claims
    that have one keep running the flow version they started on."""
    if DEFAULT_TYPE not in new:
        raise InvalidInput("the expense type stays mapped (claims without a type are expenses)",
                           code="claim_type_required")  # fmt: skip
    for name, flow_id in new.items():
        if not _NAME.fullmatch(name):
            raise InvalidInput(f"a claim type is lower-case letters, digits and '_': {name[:40]!r}",
                               code="invalid_claim_type")  # fmt: skip
        try:
            versions.flow_source(session, flow_id)
        except NotFound:
            raise InvalidInput(f"claim type {name} names flow {flow_id!r}, which does not exist",
                               code="unknown_flow") from None  # fmt: skip
    before = set_control(session, "claim_types", dict(sorted(new.items())))
    trail.record_admin(session, "controls:claim_types", "claim_types.save", actor, now,
                       {"before": before, "after": dict(sorted(new.items()))})  # fmt: skip
    return mapping(session)
