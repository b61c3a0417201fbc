"""The rate table as admins keep it, and conversion of an item's amount into the company
currency. Rates come from a ``RateProvider``; the shipped one reads the table. Services take
the caller's session and never commit."""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from reimburse.audit import service as trail
from reimburse.core.errors import InvalidInput
from reimburse.currency.iso4217 import is_currency
from reimburse.currency.records import FxRateRecord
from reimburse.currency.rules import (
    MAX_RATE_AGE_DAYS,
    Conversion,
    Rate,
    RateError,
    check_rate,
    convert,
    identity,
    parse_rates_csv,
    pick_rate,
)


class RateProvider(Protocol):
    """Where rates come from: the rate for ``1 currency`` in ``base`` usable on ``day``, or None."""

    def rate(self, currency: str, base: str, day: date) -> Rate | None: ...


class TableRates:
    """Rates from the admin-kept table (the newest row for each currency and day)."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def rate(self, currency: str, base: str, day: date) -> Rate | None:
        rows = self._session.scalars(
            select(FxRateRecord)
            .where(
                FxRateRecord.currency == currency,
                FxRateRecord.base == base,
                FxRateRecord.rate_date <= day,
                FxRateRecord.rate_date >= day - timedelta(days=MAX_RATE_AGE_DAYS),
            )
            .order_by(FxRateRecord.id)
        )
        newest: dict[date, Rate] = {}
        for r in rows:  # in id order: a later save for a day replaces the earlier one
            newest[r.rate_date] = Rate(r.currency, r.base, r.rate_date, r.rate, r.source)
        return pick_rate(newest.values(), currency, base, day)


def check_currency(code: str, where: str = "currency") -> str:
    if not is_currency(code):
        raise InvalidInput(
            f"{code!r} is not an ISO 4217 currency code", code="invalid_currency", details={"field": where}
        )
    return code


def convert_amount(
    provider: RateProvider, amount: Decimal, currency: str, company: str, day: date, item: int | None = None
) -> Conversion:
    """``amount`` in ``currency`` spent on ``day`` in company currency; a missing rate is a 422
    ``rate_missing`` naming the currency and the day, never a guess."""
    check_currency(currency)
    if currency == company:
        return identity(amount, currency, day)
    rate = provider.rate(currency, company, day)
    if rate is None:
        raise InvalidInput(
            f"no {currency}->{company} rate for {day.isoformat()} (the rate table needs one dated "
            f"between {(day - timedelta(days=MAX_RATE_AGE_DAYS)).isoformat()} and {day.isoformat()})",
            code="rate_missing",
            details={"currency": currency, "base": company, "date": day.isoformat(), "item": item},
            params={"currency": currency, "base": company, "date": day.isoformat()},
        )
    return convert(amount, rate)


def save_rates(session: Session, rates: list[Rate], who: str, now: datetime, how: str) -> int:
    """Store rates (a new row each: the table keeps its history) and put one entry on the
    audit trail saying who changed which rates."""
    problems = [p for r in rates for p in check_rate(r.currency, r.base, r.rate, f"{r.currency} {r.day}")]
    if problems:
        raise InvalidInput(
            "the rates are not valid",
            code="invalid_rates",
            details={"problems": [p.as_json() for p in problems]},
        )
    for r in rates:
        session.add(
            FxRateRecord(
                currency=r.currency,
                base=r.base,
                rate_date=r.day,
                rate=r.rate,
                source=r.source,
                created_by=who,
                created_at=now,
            )
        )
    session.flush()
    listing = "\n".join(f"{r.currency},{r.base},{r.day},{r.rate},{r.source}" for r in rates)
    trail.record_admin(
        session,
        "fx_rates",
        f"fx_rates.{how}",
        who,
        now,
        {
            "count": len(rates),
            "currencies": sorted({r.currency for r in rates}),
            "from": min(r.day for r in rates).isoformat(),
            "to": max(r.day for r in rates).isoformat(),
            "sha256": hashlib.sha256(listing.encode()).hexdigest(),
        },
    )
    return len(rates)


def import_csv(session: Session, text: str, base: str, who: str, now: datetime) -> int:
    try:
        rates = parse_rates_csv(text, base)
    except RateError as exc:
        raise InvalidInput(
            "the rate file is not valid",
            code="invalid_rates",
            details={"problems": [p.as_json() for p in exc.problems]},
        ) from exc
    return save_rates(session, rates, who, now, "import")


def list_rates(
    session: Session,
    currency: str | None = None,
    since: date | None = None,
    until: date | None = None,
    history: bool = False,
) -> list[FxRateRecord]:
    """The rates in force (the newest row per currency, base and day), or every row ever saved
    (``history``), newest day first."""
    query = select(FxRateRecord)
    if currency:
        query = query.where(FxRateRecord.currency == currency)
    if since:
        query = query.where(FxRateRecord.rate_date >= since)
    if until:
        query = query.where(FxRateRecord.rate_date <= until)
    rows = list(session.scalars(query.order_by(FxRateRecord.id)))
    if not history:
        newest: dict[tuple[str, str, date], FxRateRecord] = {}
        for r in rows:
            newest[(r.currency, r.base, r.rate_date)] = r
        rows = list(newest.values())
    rows.sort(key=lambda r: (r.rate_date, r.currency, r.id), reverse=True)
    return rows
