"""Finance: the exchange-rate table, the GL mapping (a versioned admin document), and the
accounting vouchers of approved (or paid) claims with their exports."""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from reimburse.api import schemas as s
from reimburse.api.deps import CurrentPrincipal, SessionDep, SettingsDep
from reimburse.api.params import Day, Id
from reimburse.api.schemas import typed
from reimburse.audit import service as trail
from reimburse.core.db import utcnow
from reimburse.core.errors import Forbidden
from reimburse.core.principal import Principal, Role
from reimburse.currency import service as rates
from reimburse.currency.rules import Rate
from reimburse.policy.service import current_policy
from reimburse.vouchers import export
from reimburse.vouchers import service as vouchers

router = APIRouter(tags=["finance"])

Period = Annotated[str | None, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="YYYY-MM")]


def _admin(p: Principal) -> None:
    if not p.has_role(Role.ADMIN):
        raise Forbidden("only admins do this")


def _finance(p: Principal) -> None:
    if not p.has_role(Role.FINANCE, Role.ADMIN):
        raise Forbidden("only finance and admins do this")


def _reader(p: Principal) -> None:
    if not p.has_role(Role.FINANCE, Role.ADMIN, Role.AUDITOR):
        raise Forbidden("only finance, admins and auditors read this")


# --- exchange rates --------------------------------------------------------------------------


class RateIn(BaseModel):
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    rate_date: Day
    rate: Decimal = Field(gt=0, max_digits=18, decimal_places=8)
    source: str = Field(default="manual", min_length=1, max_length=64)


class RatesIn(BaseModel):
    rates: list[RateIn] = Field(min_length=1, max_length=5000)


class CsvIn(BaseModel):
    text: str = Field(min_length=1, max_length=1_000_000, description="CSV: currency,rate_date,rate[,source]")


def _rate_view(r: Any) -> dict[str, Any]:
    return {
        "currency": r.currency,
        "base": r.base,
        "rate_date": r.rate_date.isoformat(),
        "rate": f"{r.rate.normalize():f}",
        "source": r.source,
        "created_by": r.created_by,
        "created_at": r.created_at.isoformat(),
    }


@router.get("/admin/fx-rates", **typed(s.FxRateList, 401, 403, 422))
def list_rates(
    principal: CurrentPrincipal,
    session: SessionDep,
    currency: Annotated[str | None, Query(pattern=r"^[A-Z]{3}$")] = None,
    since: Annotated[date | None, Query()] = None,
    until: Annotated[date | None, Query()] = None,
    history: bool = False,
) -> dict[str, Any]:
    """The rates in force (the newest per currency and day), or every version (``history``)."""
    _reader(principal)
    return {"items": [_rate_view(r) for r in rates.list_rates(session, currency, since, until, history)]}


@router.put("/admin/fx-rates", **typed(s.FxRatesSaved, 401, 403, 422))
def put_rates(body: RatesIn, principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    """Add or correct rates (a correction is a new version of that currency and day)."""
    _admin(principal)
    base = current_policy(session).currency
    items = [Rate(r.currency, base, r.rate_date, r.rate, r.source) for r in body.rates]
    return {"saved": rates.save_rates(session, items, principal.subject, utcnow(), "save")}


@router.post("/admin/fx-rates/import", **typed(s.FxRatesSaved, 401, 403, 422))
def import_rates(body: CsvIn, principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    """A CSV of rates (all or nothing: every bad line is listed)."""
    _admin(principal)
    base = current_policy(session).currency
    return {"saved": rates.import_csv(session, body.text, base, principal.subject, utcnow())}


# --- the GL mapping ----------------------------------------------------------------------------


class TextIn(BaseModel):
    text: str = Field(min_length=1, max_length=200_000)


@router.get("/admin/gl-mapping", **typed(s.GlMappingText, 401, 403))
def get_mapping(principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    _reader(principal)
    text, version = vouchers.mapping_text(session)
    return {"version": version, "text": text}


@router.put("/admin/gl-mapping", **typed(s.GlMappingSaved, 401, 403, 422))
def put_mapping(body: TextIn, principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    _admin(principal)
    version = vouchers.save_mapping(session, body.text, principal.subject)
    trail.record_admin(
        session,
        "gl_mapping",
        "gl_mapping.save",
        principal.subject,
        utcnow(),
        {"version": version, "sha256": hashlib.sha256(body.text.encode("utf-8")).hexdigest()},
    )
    return {"version": version}


# --- vouchers --------------------------------------------------------------------------------


@router.post("/vouchers/generate", **typed(s.VoucherList, 401, 403, 409))
def generate(principal: CurrentPrincipal, session: SessionDep, settings: SettingsDep) -> dict[str, Any]:
    """Make the vouchers of qualifying claims that have none yet; answers the new ones."""
    _finance(principal)
    made = vouchers.generate(session, settings.voucher_at)
    return {"items": [vouchers.voucher_view(session, v) for v in made]}


@router.get("/vouchers", **typed(s.VoucherList, 401, 403, 422))
def list_vouchers(principal: CurrentPrincipal, session: SessionDep, period: Period = None) -> dict[str, Any]:
    _reader(principal)
    return {"items": [vouchers.voucher_view(session, v) for v in vouchers.vouchers(session, period)]}


@router.get("/vouchers/claims/{claim_id}", **typed(s.Voucher, 401, 403, 404, 422))
def claim_voucher(claim_id: Id, principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    _reader(principal)
    return vouchers.voucher_view(session, vouchers.voucher_for_claim(session, claim_id))


def _file(data: bytes, media: str, name: str) -> Response:
    return Response(data, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/vouchers/export.csv")
def export_csv(principal: CurrentPrincipal, session: SessionDep, period: Period = None) -> Response:
    _reader(principal)
    found = [vouchers.to_domain(session, v) for v in vouchers.vouchers(session, period)]
    return _file(export.to_csv(found), "text/csv; charset=utf-8", "vouchers.csv")


@router.get("/vouchers/export.json")
def export_json(principal: CurrentPrincipal, session: SessionDep, period: Period = None) -> Response:
    _reader(principal)
    found = [vouchers.to_domain(session, v) for v in vouchers.vouchers(session, period)]
    return _file(export.to_json(found), "application/json", "vouchers.json")


@router.get("/vouchers/export.xlsx")
def export_xlsx(
    principal: CurrentPrincipal,
    session: SessionDep,
    target: Literal["kingdee", "u8"] = "kingdee",
    period: Period = None,
) -> Response:
    """The voucher import spreadsheet of Kingdee K/3 Cloud (``kingdee``) or Yonyou U8 (``u8``)."""
    _reader(principal)
    found = [vouchers.to_domain(session, v) for v in vouchers.vouchers(session, period)]
    mapping, _ = vouchers.current_mapping(session)
    data = (
        export.kingdee_xlsx(found, mapping.exports)
        if target == "kingdee"
        else export.u8_xlsx(found, mapping.exports)
    )
    return _file(
        data, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", f"vouchers-{target}.xlsx"
    )
