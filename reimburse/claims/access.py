"""Who may see which claims (data scope), in one place.

Employees see their own claims; department heads their department's subtree; finance and
admins everything; anyone who holds or held a task on a claim sees that claim. Drafts are
the submitter's alone. An invoice file is seen by its uploader and by whoever sees a claim
that uses it. A claim
someone may not see is reported as not found, so ids reveal nothing.
"""

from __future__ import annotations

from sqlalchemy import Select, bindparam, or_, select
from sqlalchemy.orm import Session, defer, joinedload

from reimburse.claims.domain import ClaimStatus
from reimburse.claims.records import ClaimItemRecord, ClaimRecord
from reimburse.core.errors import Conflict, NotFound
from reimburse.core.principal import Principal, Role
from reimburse.documents.records import DocumentRecord
from reimburse.identity.org import headed_by, subtree
from reimburse.routing.records import ApprovalTaskRecord


def sees_everything(principal: Principal) -> bool:
    return principal.has_role(Role.FINANCE, Role.ADMIN)


def visible_claims(session: Session, principal: Principal, *, mine: bool = False) -> Select[ClaimRecord]:
    # a deleted draft is gone for everyone (its row stays only so that its id is never reused)
    query = select(ClaimRecord).where(ClaimRecord.status != ClaimStatus.DELETED)
    if principal.user_id is None:
        return query.where(ClaimRecord.id.is_(None))  # machine clients read claims through payouts
    if mine:
        return query.where(ClaimRecord.submitter_id == principal.user_id)
    # drafts are the submitter's own: nobody else (head, finance, admin) reads an unsent claim
    shared = or_(ClaimRecord.submitter_id == principal.user_id, ClaimRecord.status != "draft")
    if sees_everything(principal):
        return query.where(shared)
    query = query.where(shared)
    departments = subtree(session, headed_by(session, principal.user_id))
    tasks = select(ApprovalTaskRecord.claim_id).where(ApprovalTaskRecord.user_id == principal.user_id)
    conditions = [ClaimRecord.submitter_id == principal.user_id, ClaimRecord.id.in_(tasks)]
    if departments:
        conditions.append(ClaimRecord.department_id.in_(departments))
    return query.where(or_(*conditions))


# every caller of claim_for shows or checks the items: load them in the same statement
_WITH_ITEMS = joinedload(ClaimRecord.items)
# built once (every claim read runs it), values bound per call
_MINE_OR_ASSIGNED = (
    select(ClaimRecord)
    .options(_WITH_ITEMS)
    .where(
        ClaimRecord.id == bindparam("claim_id"),
        ClaimRecord.status != ClaimStatus.DELETED,
        or_(
            ClaimRecord.submitter_id == bindparam("me"),
            ClaimRecord.id.in_(
                select(ApprovalTaskRecord.claim_id).where(ApprovalTaskRecord.user_id == bindparam("me"))
            ),
        ),
    )
)


def claim_for(session: Session, principal: Principal, claim_id: int) -> ClaimRecord:
    """The claim, if the caller may see it (acting is then decided by the routing engine)."""
    claim: ClaimRecord | None
    if principal.user_id is not None and not sees_everything(principal):
        # the common case first, in one query: my own claim, or one I hold a task on
        found = session.scalars(_MINE_OR_ASSIGNED, {"claim_id": claim_id, "me": principal.user_id})
        claim = found.unique().one_or_none()
        if claim is not None:
            return claim
    claim = (
        session.scalars(
            visible_claims(session, principal).options(_WITH_ITEMS).where(ClaimRecord.id == claim_id)
        )
        .unique()
        .one_or_none()
    )
    if claim is None:
        raise NotFound(f"claim {claim_id} not found")
    return claim


def check_version(claim: ClaimRecord, version: int | None) -> None:
    """A page that showed an older version of the claim acts on stale facts: refuse."""
    if version is not None and version != claim.version:
        raise Conflict("the claim changed since you opened it; reload it", code="stale_version")


def claims_page(
    session: Session,
    principal: Principal,
    *,
    mine: bool,
    status: str | None,
    cursor: int | None,
    limit: int,
    kind: str | None = None,
) -> tuple[list[ClaimRecord], int | None]:
    """A page of the claims the caller may see, newest first, and the cursor of the next page."""
    query = visible_claims(session, principal, mine=mine).options(
        defer(ClaimRecord.route), defer(ClaimRecord.findings)
    )
    if status:
        query = query.where(ClaimRecord.status == status)
    if kind:  # expense claims, advance requests or pre-approvals only
        query = query.where(ClaimRecord.kind == kind)
    if cursor is not None:
        query = query.where(ClaimRecord.id < cursor)
    rows = list(session.scalars(query.order_by(ClaimRecord.id.desc()).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, rows[-1].id if more else None


def document_visible(session: Session, principal: Principal, document_id: int) -> bool:
    """Whether the caller sees a claim (not a draft of someone else) that uses the document, as
    an item's invoice or as one of its attachments (an itinerary, an attendee list)."""
    uses = select(ClaimItemRecord.claim_id).where(ClaimItemRecord.document_id == document_id)
    found = visible_claims(session, principal).where(ClaimRecord.id.in_(uses)).limit(1)
    if session.scalars(found).first() is not None:
        return True
    # attachments are a JSON list on the item: look only at the uploader's claims the caller sees
    owner = select(DocumentRecord.owner_user_id).where(DocumentRecord.id == document_id).scalar_subquery()
    seen = (
        visible_claims(session, principal)
        .where(ClaimRecord.submitter_id == owner)
        .with_only_columns(ClaimRecord.id)
    )
    lists = session.scalars(
        select(ClaimItemRecord.attachments).where(ClaimItemRecord.claim_id.in_(seen.scalar_subquery()))
    )
    return any(document_id in (ids or []) for ids in lists)
