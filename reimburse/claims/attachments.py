"""Documents on an item that are not invoices (an itinerary, an attendee list): uploaded through
the documents API as attachments (kept, never read by OCR) and linked to items by id."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from reimburse.core.errors import InvalidInput
from reimburse.core.principal import Principal
from reimburse.documents.records import DocumentRecord
from reimburse.documents.service import ATTACHMENT


def check(session: Session, actor: Principal, document_ids: Sequence[int]) -> None:
    """Every id is an attachment the actor uploaded; anything else is refused (ids reveal nothing)."""
    wanted = set(document_ids)
    mine = set(
        session.scalars(
            select(DocumentRecord.id).where(
                DocumentRecord.id.in_(wanted),
                DocumentRecord.owner_subject == actor.subject,
                DocumentRecord.status == ATTACHMENT,
            )
        )
    )
    missing = sorted(wanted - mine)
    if missing:
        raise InvalidInput(
            f"documents {missing} are not attachments you uploaded (upload with kind=attachment)",
            code="invalid_attachment",
        )
