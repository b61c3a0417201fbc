"""The GL mapping as versions, and vouchers: made once per qualifying claim (approved, or paid,
by the ``voucher_at`` setting), numbered per month in the order they are made, and stored with
their lines, so that every export of a voucher says the same. Services never commit."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from reimburse.claims.domain import ClaimStatus
from reimburse.claims.records import ClaimItemRecord, ClaimRecord
from reimburse.claims.requests import advances_settled
from reimburse.core.errors import Conflict, InvalidInput, NotFound
from reimburse.vouchers.build import (
    Offset,
    VoucherError,
    VoucherItem,
    advance_payout_lines,
    build_lines,
    split_item,
)
from reimburse.vouchers.domain import Voucher, VoucherLine
from reimburse.vouchers.mapping import GlMapping, MappingError, load_mapping_text
from reimburse.vouchers.records import GlMappingVersionRecord, VoucherRecord
from reimburse.vouchers.vat import InputVat, VatFacts, input_vat

# the books are kept in China's time: a claim approved at 23:30 UTC belongs to the next day
BOOKS_ZONE = ZoneInfo("Asia/Shanghai")
QUALIFYING = {
    "approval": (ClaimStatus.APPROVED.value, ClaimStatus.PAID.value),
    "payment": (ClaimStatus.PAID.value,),
}


def default_mapping_text() -> str:
    return resources.files("reimburse.vouchers").joinpath("default_gl_mapping.yaml").read_text("utf-8")


@cache
def _parsed(text: str) -> GlMapping:
    return load_mapping_text(text)


def mapping_text(session: Session) -> tuple[str, int]:
    latest = session.scalars(
        select(GlMappingVersionRecord).order_by(GlMappingVersionRecord.id.desc())
    ).first()
    return (latest.text, latest.id) if latest else (default_mapping_text(), 0)


def current_mapping(session: Session) -> tuple[GlMapping, int]:
    text, version = mapping_text(session)
    return _parsed(text), version


def save_mapping(session: Session, text: str, who: str) -> int:
    """A new version, if valid; otherwise every problem, each with its path, code and params."""
    try:
        load_mapping_text(text)
    except MappingError as exc:
        raise InvalidInput(
            "the GL mapping is not valid",
            code="invalid_gl_mapping",
            details={"problems": [p.as_json() for p in exc.problems]},
        ) from exc
    row = GlMappingVersionRecord(text=text, created_by=who)
    session.add(row)
    session.flush()
    return row.id


def _decimal(value: object) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def vat_facts(item: ClaimItemRecord) -> VatFacts:
    """What the input-VAT rules need of a stored item."""
    invoice = item.invoice or {}
    fields = invoice.get("fields") or {}
    ticket = item.ticket or {}
    names = tuple(str(li.get("name") or "") for li in invoice.get("line_items") or () if isinstance(li, dict))
    return VatFacts(
        amount=item.amount,
        document_type=invoice.get("document_type") if item.invoice else None,
        printed_tax=_decimal(fields.get("tax")),
        line_names=names,
        transport=ticket.get("transport"),
        passenger_name=ticket.get("passenger_name"),
        passenger_is_employee=ticket.get("passenger_is_employee"),
        fare=_decimal(ticket.get("fare")),
        fuel_surcharge=_decimal(ticket.get("fuel_surcharge")),
        foreign=item.foreign_document is not None,
    )


def item_vat(item: ClaimItemRecord) -> InputVat:
    return input_vat(vat_facts(item))


def _day(claim: ClaimRecord, at: str) -> date:
    # an advance is booked when it is paid out, whatever the setting: the receivable exists then
    paid = at == "payment" or claim.kind == "advance"
    when: datetime | None = claim.paid_at if paid else (claim.decided_at or claim.paid_at)
    when = when or claim.updated_at
    return when.astimezone(BOOKS_ZONE).date()


def offsets_for(session: Session, claim: ClaimRecord) -> list[Offset]:
    """Cash advances this claim settled: the voucher credits them to the advance account and
    the payable is the rest."""
    return [Offset(amount, number) for amount, number in advances_settled(session, claim.id)]


def _lines(session: Session, claim: ClaimRecord, mapping: GlMapping) -> tuple[VoucherLine, ...]:
    number, payee = claim.number or str(claim.id), claim.submitter_name or ""
    if claim.kind == "advance":
        return advance_payout_lines(number, payee, claim.total, mapping)
    items = [
        part
        for i in claim.items
        for part in split_item(
            VoucherItem(
                position=i.position,
                category=i.category,
                amount=i.amount,
                vat=item_vat(i),
                department=claim.department_id,
                cost_centre=claim.cost_centre,
            ),
            [(s["dimension"], s["code"], Decimal(s["amount"])) for s in i.splits or []],
        )
    ]
    return build_lines(number, payee, items, mapping, offsets_for(session, claim))


def _create(session: Session, claim: ClaimRecord, mapping: GlMapping, version: int, at: str) -> VoucherRecord:
    day = _day(claim, at)
    period = f"{day:%Y-%m}"
    try:
        lines = _lines(session, claim, mapping)
    except VoucherError as exc:
        raise Conflict(f"claim {claim.number}: {exc}", code="voucher_invalid") from exc
    seq = (session.scalar(select(func.max(VoucherRecord.seq)).where(VoucherRecord.period == period)) or 0) + 1
    row = VoucherRecord(
        claim_id=claim.id,
        period=period,
        seq=seq,
        number=f"{mapping.voucher_word}-{period}-{seq:04d}",
        voucher_date=day,
        mapping_version=version,
        currency=claim.currency,
        total=claim.total,
        lines=[line.to_json() for line in lines],
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        # another request numbered a voucher at the same moment: nothing of this one stays
        raise Conflict("vouchers are being made by another request; try again", code="voucher_race") from None
    return row


def _booked_at(at: str) -> Any:
    """The moment a claim is booked (what ``_day`` dates it by), to make vouchers oldest first."""
    if at == "payment":
        return ClaimRecord.paid_at
    return case((ClaimRecord.kind == "advance", ClaimRecord.paid_at), else_=ClaimRecord.decided_at)


BATCH = 500  # vouchers per run: one transaction stays short; the next run takes the rest


def generate(session: Session, at: str, limit: int = BATCH) -> list[VoucherRecord]:
    """Make the voucher of every qualifying claim that has none (oldest decision first, at
    most ``limit``); returns the new ones. Running it again makes nothing new (idempotent).

    Expense claims qualify by ``at``; a cash advance when it is paid out (its receivable is
    debited; the claims that offset it credit it back). A pre-approval's estimate books nothing."""
    mapping, version = current_mapping(session)
    done = select(VoucherRecord.claim_id)
    claims = session.scalars(
        select(ClaimRecord)
        .where(
            ClaimRecord.id.not_in(done),
            or_(
                and_(ClaimRecord.kind == "expense", ClaimRecord.status.in_(QUALIFYING[at])),
                and_(ClaimRecord.kind == "advance", ClaimRecord.status == ClaimStatus.PAID.value),
            ),
        )
        .order_by(_booked_at(at), ClaimRecord.id)
        .limit(limit)
    ).all()
    return [_create(session, c, mapping, version, at) for c in claims]


def vouchers(session: Session, period: str | None = None, claim_id: int | None = None) -> list[VoucherRecord]:
    query = select(VoucherRecord)
    if period:
        query = query.where(VoucherRecord.period == period)
    if claim_id is not None:
        query = query.where(VoucherRecord.claim_id == claim_id)
    return list(session.scalars(query.order_by(VoucherRecord.period, VoucherRecord.seq)))


def voucher_for_claim(session: Session, claim_id: int) -> VoucherRecord:
    row = session.scalars(select(VoucherRecord).where(VoucherRecord.claim_id == claim_id)).first()
    if row is None:
        raise NotFound(f"claim {claim_id} has no voucher (yet)", code="voucher_not_found")
    return row


def to_domain(session: Session, row: VoucherRecord) -> Voucher:
    claim = session.get(ClaimRecord, row.claim_id)
    word = row.number.split("-", 1)[0]
    return Voucher(
        number=row.number,
        word=word,
        seq=row.seq,
        period=row.period,
        day=row.voucher_date,
        claim_number=(claim.number if claim and claim.number else str(row.claim_id)),
        currency=row.currency,
        lines=tuple(VoucherLine.from_json(line) for line in row.lines),
    )


def voucher_view(session: Session, row: VoucherRecord) -> dict[str, Any]:
    v = to_domain(session, row)
    claim = session.get(ClaimRecord, row.claim_id)
    return {
        "number": v.number,
        "word": v.word,
        "seq": v.seq,
        "period": v.period,
        "date": v.day.isoformat(),
        "claim_id": row.claim_id,
        "claim_number": v.claim_number,
        "payee": claim.submitter_name if claim else None,
        "currency": v.currency,
        "total": f"{row.total:.2f}",
        "debits": f"{v.debits:.2f}",
        "credits": f"{v.credits:.2f}",
        "balanced": v.balanced,
        "mapping_version": row.mapping_version,
        "lines": list(row.lines),
    }
