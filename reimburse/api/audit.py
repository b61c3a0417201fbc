"""The audit trail for auditors: export (JSON Lines or CSV, signed) and the public key."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import Response

from reimburse.api import schemas as s
from reimburse.api.deps import CurrentPrincipal, SessionDep
from reimburse.api.schemas import typed
from reimburse.audit import service as trail
from reimburse.audit.keys import signer_for
from reimburse.core.db import utcnow
from reimburse.core.errors import Forbidden
from reimburse.core.principal import Role

router = APIRouter(tags=["audit"], prefix="/audit")


@router.get("/public-key", **typed(s.AuditPublicKey))
def public_key(request: Request, principal: CurrentPrincipal) -> dict[str, Any]:
    """The key that checks checkpoints and exports, for anyone signed in (and for publishing:
    `reimburse audit public-key` prints the same)."""
    verifier = signer_for(request.app.state.settings).verifier()
    return {"key_id": verifier.key_id, "public_key": verifier.public_b64, "algorithm": "Ed25519"}


@router.get("/export")
def export(
    request: Request,
    principal: CurrentPrincipal,
    session: SessionDep,
    claim_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    format: Literal["jsonl", "csv"] = "jsonl",
) -> Response:
    """A claim's or a period's trail, with every checkpoint and a statement signed now."""
    if not principal.has_role(Role.AUDITOR, Role.ADMIN, Role.FINANCE):
        raise Forbidden("only auditors, finance and admins read the audit trail")
    records = trail.export(
        session, signer_for(request.app.state.settings), utcnow(), claim_id=claim_id, since=since, until=until
    )
    if format == "csv":
        body, media = trail.to_csv(records), "text/csv; charset=utf-8"
    else:
        body, media = trail.to_jsonl(records), "application/jsonl; charset=utf-8"
    name = f"audit-{'claim-' + str(claim_id) if claim_id is not None else 'trail'}.{format}"
    return Response(body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})
