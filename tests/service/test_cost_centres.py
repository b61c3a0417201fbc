"""Cost centres: a claim names one; its owner is who the routing engine resolves for it."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from reimburse.core.settings import Settings
from reimburse.identity.org import load_org
from reimburse.identity.records import CostCentreRecord, UserRecord
from reimburse.routing.domain import ClaimFacts, Resolver, ResolverKind
from reimburse.routing.engine import resolve
from tests.allowance_items import per_diem
from tests.api_helpers import demo_api, login


def test_a_claims_cost_centre_resolves_to_its_owner(migrated_engine: Engine, settings: Settings) -> None:
    with demo_api(migrated_engine, settings) as (client, _):
        with Session(migrated_engine) as s:
            owner = s.scalars(select(UserRecord).where(UserRecord.username == "saleshead")).one()
            s.add(CostCentreRecord(code="CC-EAST", name="华东市场", owner_user_id=owner.id))
            s.commit()
            org = load_org(s)
        assert org.cost_centre_owners == {"CC-EAST": str(owner.id)}
        alice = login(client, "alice")
        today = datetime.now(UTC).date().isoformat()
        item = per_diem("300.00", today)
        claim = client.post(
            "/api/v1/claims",
            headers=alice,
            json={"purpose": "市场活动", "cost_centre": "CC-EAST", "items": [item]},
        ).json()
        assert claim["cost_centre"] == "CC-EAST"
        facts = ClaimFacts(claim_id=str(claim["id"]), submitter="1", department="1", amount=Decimal("300"),
                           cost_centre=claim["cost_centre"])  # fmt: skip
        assert resolve(Resolver(ResolverKind.COST_CENTRE_OWNER), facts, org) == (str(owner.id),)
