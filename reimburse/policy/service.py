"""The expense policy as admins change it without code: every save is a new, validated version
(nothing is edited in place); a policy change applies to claims assessed after it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from reimburse.audit import service as trail
from reimburse.core.errors import InvalidInput
from reimburse.policy.defaults import default_policy, default_policy_text
from reimburse.policy.domain import Policy, PolicyError, load_policy_text
from reimburse.policy.records import PolicyVersionRecord

# keyed by id and text: an id alone comes back with other text after a restore or a truncation
_parsed: dict[tuple[int, str], Policy] = {}


def current_policy(session: Session) -> Policy:
    latest = session.scalars(select(PolicyVersionRecord).order_by(PolicyVersionRecord.id.desc())).first()
    if latest is None:
        return default_policy()
    key = (latest.id, latest.text)
    if key not in _parsed:
        _parsed[key] = load_policy_text(latest.text)
    return _parsed[key]


def policy_text(session: Session) -> tuple[str, int]:
    latest = session.scalars(select(PolicyVersionRecord).order_by(PolicyVersionRecord.id.desc())).first()
    return (latest.text, latest.id) if latest else (default_policy_text(), 0)


def save_policy(session: Session, text: str, who: str, now: datetime) -> int:
    """Store a new version if it validates; the trail records who saved which text (its digest)."""
    try:
        load_policy_text(text)
    except PolicyError as exc:
        # each problem as its path, code and params (the web app words them) and in English
        problems = [p.as_json() for p in exc.coded]
        raise InvalidInput(
            "the policy is not valid", code="invalid_policy", details={"problems": problems}
        ) from exc
    row = PolicyVersionRecord(text=text, created_by=who)
    session.add(row)
    session.flush()
    details = {"version": row.id, "sha256": trail.text_digest(text)}
    trail.record_admin(session, "policy", "policy.save", who, now, details)
    return row.id
