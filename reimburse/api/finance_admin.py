"""Finance master data for admins: people's payroll data (bank accounts shown masked), cost
centres and projects, and which flow each claim type runs. Everyone signed in may list the
active cost centres and projects (the claim form offers them)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from reimburse.api import schemas as s
from reimburse.api.deps import CurrentPrincipal, SessionDep, SettingsDep
from reimburse.api.params import Id, RefId
from reimburse.api.schemas import typed
from reimburse.claims import types
from reimburse.claims.dimension_use import is_used
from reimburse.core.db import utcnow
from reimburse.core.errors import Forbidden
from reimburse.core.principal import Principal, Role
from reimburse.identity import dimensions, payroll
from reimburse.identity.datakey import cipher_for

router = APIRouter(tags=["finance master data"])

Kind = Literal["cost-centres", "projects"]
_DIMENSION: dict[str, dimensions.Dimension] = {"cost-centres": "cost_centre", "projects": "project"}


def _admin(p: Principal) -> None:
    if not p.has_role(Role.ADMIN):
        raise Forbidden("only admins do this")


# --- payroll data ---------------------------------------------------------------------------


class PayrollIn(BaseModel):
    """Only the fields sent change; null or "" clears one."""

    employee_number: str | None = Field(default=None, max_length=32)
    payee_name: str | None = Field(default=None, max_length=128)
    bank_name: str | None = Field(default=None, max_length=128)
    bank_branch: str | None = Field(default=None, max_length=128)
    bank_account: str | None = Field(default=None, max_length=48, description="digits; stored encrypted")


@router.get("/admin/users/{user_id}/payroll", **typed(s.PersonPayroll, 401, 403, 404, 422))
def get_payroll(user_id: Id, principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    _admin(principal)
    return payroll.masked_view(payroll.get(session, user_id))


@router.put("/admin/users/{user_id}/payroll", **typed(s.PersonPayroll, 401, 403, 404, 422))
def put_payroll(
    user_id: Id, body: PayrollIn, principal: CurrentPrincipal, session: SessionDep, settings: SettingsDep
) -> dict[str, Any]:
    """Set employee number, payee name, bank, branch, account; answers masked, and the audit
    trail gets the masked old and new values only."""
    _admin(principal)
    data = payroll.PayrollInput(body.model_dump(exclude_unset=True))
    return payroll.update(session, user_id, data, cipher_for(settings), principal.subject, utcnow())


# --- cost centres and projects --------------------------------------------------------------


class MasterDataIn(BaseModel):
    code: str = Field(min_length=1, max_length=32)
    name: str = Field(min_length=1, max_length=128)
    department_id: RefId | None = None  # cost centres only
    owner_user_id: RefId | None = None  # cost centres only


class MasterDataPatch(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=128)
    active: bool | None = None
    department_id: RefId | None = None
    owner_user_id: RefId | None = None


def _fields(kind: Kind, body: BaseModel, *, unset: bool) -> dict[str, Any]:
    fields = body.model_dump(exclude_unset=unset)
    if kind == "projects":
        fields.pop("department_id", None)
        fields.pop("owner_user_id", None)
    if unset:
        fields = {k: v for k, v in fields.items() if v is not None or k in ("department_id", "owner_user_id")}
    return fields


def _routes(kind: Kind) -> None:
    """The same four routes for cost centres and for projects (explicit paths: a path parameter
    here would answer 422 instead of 404 for every unknown path below /api/v1)."""
    dimension = _DIMENSION[kind]

    @router.get(f"/{kind}", name=f"list_{dimension}", **typed(s.MasterDataList, 401, 422))
    def listing(
        principal: CurrentPrincipal, session: SessionDep, include_inactive: bool = False
    ) -> dict[str, Any]:
        """Active codes for everyone; admins and finance may ask for the deactivated ones too."""
        everything = include_inactive and principal.has_role(Role.ADMIN, Role.FINANCE)
        return {"items": dimensions.listing(session, dimension, active_only=not everything)}

    @router.post(
        f"/admin/{kind}",
        name=f"create_{dimension}",
        status_code=201,
        **typed(s.MasterDataEntry, 401, 403, 409, 422),
    )
    def create(body: MasterDataIn, principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
        _admin(principal)
        return dimensions.create(
            session, dimension, _fields(kind, body, unset=False), principal.subject, utcnow()
        )

    @router.patch(
        f"/admin/{kind}/{{row_id}}",
        name=f"update_{dimension}",
        **typed(s.MasterDataEntry, 401, 403, 404, 422),
    )
    def patch(
        row_id: Id, body: MasterDataPatch, principal: CurrentPrincipal, session: SessionDep
    ) -> dict[str, Any]:
        _admin(principal)
        fields = _fields(kind, body, unset=True)
        return dimensions.update(session, dimension, row_id, fields, principal.subject, utcnow())

    @router.delete(
        f"/admin/{kind}/{{row_id}}",
        name=f"delete_{dimension}",
        **typed(s.MasterDataEntry, 401, 403, 404, 422),
    )
    def delete(row_id: Id, principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
        """Removes an unused code; one a claim names is deactivated instead (``deleted: false``)."""
        _admin(principal)
        listed = {e["id"]: e["code"] for e in dimensions.listing(session, dimension)}
        used = row_id in listed and is_used(session, dimension, listed[row_id])
        return dimensions.delete(session, dimension, row_id, used, principal.subject, utcnow())


_routes("cost-centres")
_routes("projects")


# --- claim types ----------------------------------------------------------------------------


class ClaimTypesIn(BaseModel):
    types: dict[Annotated[str, Field(max_length=32)], Annotated[str, Field(min_length=1, max_length=64)]] = (
        Field(min_length=1, max_length=50)
    )


@router.get("/claim-types", **typed(s.ClaimTypes, 401))
def get_claim_types(principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    """The claim types a claim may name (and the flow each runs)."""
    return {"types": types.mapping(session)}


@router.put("/admin/claim-types", **typed(s.ClaimTypes, 401, 403, 422))
def put_claim_types(body: ClaimTypesIn, principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    _admin(principal)
    return {"types": types.save(session, body.types, principal.subject, utcnow())}
