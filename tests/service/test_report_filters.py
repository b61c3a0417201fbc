"""Every report honours its date, department and category filters (each filter is shown to
change the result), exports as CSV and XLSX, and the end-to-end cycle time from submission to
payment is reported per department (median and 90th percentile)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from reimburse.claims.records import ClaimRecord
from reimburse.core.settings import Settings
from reimburse.reports.service import percentile
from tests.allowance_items import per_diem
from tests.api_helpers import demo_api, login
from tests.claims.test_claims_api import approve_all

TODAY = date.today()
OLD = TODAY - timedelta(days=35)
RECENT = TODAY - timedelta(days=3)


def _item(category: str, amount: str, day: date) -> dict[str, Any]:
    return per_diem(amount, day.isoformat(), category)


@pytest.fixture()
def world(migrated_engine: Engine, settings: Settings) -> Iterator[dict[str, Any]]:
    """Three approved and paid claims: alice (east) meals 300 long ago, bob (east) meals 100
    recently, finrev (finance) travel 200 recently; and two budget lines."""
    with demo_api(migrated_engine, settings) as (client, demo):
        admin = login(client, "admin")
        for dept, category in (("east", "meals"), ("finance", "travel")):
            r = client.post(
                "/api/v1/admin/budgets",
                headers=admin,
                json={"department_id": demo["departments"][dept],
                      "category": category, "period": "month", "start": TODAY.replace(day=1).isoformat(),
                      "amount": "10000.00"},
            )  # fmt: skip
            assert r.status_code == 201, r.text
        payroll = {"Authorization": f"Bearer {demo['payroll_api_key']}"}
        claims = {}
        for who, category, amount, day in (
            ("alice", "meals", "300.00", OLD),
            ("bob", "meals", "100.00", RECENT),
            ("finrev", "travel", "200.00", RECENT),
        ):
            h = login(client, who)
            body: dict[str, Any] = {"purpose": "出差", "items": [_item(category, amount, day)]}
            if category == "travel":  # two days of per-diem (tier 3) on a one-day trip: a finding
                body |= {"trip_start": day.isoformat(), "trip_end": day.isoformat()}
            made = client.post("/api/v1/claims", headers=h, json=body)
            assert made.status_code == 201, made.text
            claim_id = made.json()["id"]
            assert client.post(f"/api/v1/claims/{claim_id}/submit", headers=h).status_code == 200
            approve_all(client, claim_id)
            paid = client.post(
                f"/api/v1/payouts/{claim_id}/paid", headers=payroll, json={"reference": f"R-{who}"}
            )
            assert paid.status_code == 200, paid.text
            claims[who] = claim_id
        # known times for the end-to-end cycle: submitted at T0, paid 10 / 20 / 30 hours later
        t0 = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)
        with Session(migrated_engine) as s:
            for who, hours, day_shift in (("alice", 10, 0), ("bob", 20, 1), ("finrev", 30, 2)):
                row = s.get(ClaimRecord, claims[who])
                assert row is not None
                row.submitted_at = t0 + timedelta(days=day_shift)
                row.paid_at = row.submitted_at + timedelta(hours=hours)
            s.commit()
        yield {"client": client, "demo": demo, "claims": claims, "finrev": login(client, "finrev")}


def _series(world: dict[str, Any], path: str) -> list[dict[str, Any]]:
    r = world["client"].get(f"/api/v1/reports/{path}", headers=world["finrev"])
    assert r.status_code == 200, r.text
    series: list[dict[str, Any]] = r.json()["series"]
    return series


def _dept(world: dict[str, Any], key: str) -> int:
    return int(world["demo"]["departments"][key])


def test_spend_honours_dates_departments_and_categories(world: dict[str, Any]) -> None:
    per_category: dict[str, float] = {}
    for p in _series(world, "spend?by=category"):
        per_category[p["key"]] = per_category.get(p["key"], 0) + float(p["value"])
    assert per_category == {"meals": 400, "travel": 200}
    meals = _series(world, "spend?by=category&category=meals")
    assert {p["key"] for p in meals} == {"meals"} and sum(float(p["value"]) for p in meals) == 400
    recent = _series(world, f"spend?by=category&since={(TODAY - timedelta(days=10)).isoformat()}")
    assert sum(float(p["value"]) for p in recent) == 300  # alice's old meal is out
    older = _series(world, f"spend?by=category&until={(TODAY - timedelta(days=10)).isoformat()}")
    assert sum(float(p["value"]) for p in older) == 300 and {p["key"] for p in older} == {"meals"}
    finance = _series(world, f"spend?department_id={_dept(world, 'finance')}")
    assert [(p["key"], p["value"]) for p in finance] == [("财务部", "200.00")]
    # a department includes the ones under it: sales holds east
    sales = _series(world, f"spend?department_id={_dept(world, 'sales')}")
    assert {p["key"] for p in sales} == {"华东销售组"} and sum(float(p["value"]) for p in sales) == 400


def test_budget_burn_honours_dates_departments_and_categories(world: dict[str, Any]) -> None:
    assert {p["key"] for p in _series(world, "budget")} == {"华东销售组 · meals", "财务部 · travel"}
    assert {p["key"] for p in _series(world, "budget?category=meals")} == {"华东销售组 · meals"}
    assert {p["key"] for p in _series(world, f"budget?department_id={_dept(world, 'finance')}")} == {
        "财务部 · travel"
    }
    next_year = TODAY.replace(year=TODAY.year + 1, month=1, day=1).isoformat()
    assert _series(world, f"budget?since={next_year}") == []
    last_year = TODAY.replace(year=TODAY.year - 1, month=12, day=31).isoformat()
    assert _series(world, f"budget?until={last_year}") == []


def test_cycle_time_findings_and_states_honour_the_filters(world: dict[str, Any]) -> None:
    def count(path: str, key: str = "dept_head") -> int:
        return sum(int(p["count"]) for p in _series(world, path) if p["key"] == key)

    # submissions were moved to 2026-05-04, -05, -06
    assert count("cycle-time") == 3
    assert count(f"cycle-time?department_id={_dept(world, 'east')}") == 2
    assert count("cycle-time?category=travel") == 1
    assert count("cycle-time?since=2026-05-05") == 2 and count("cycle-time?until=2026-05-04") == 1
    states = {p["key"]: p["value"] for p in _series(world, "claims-by-state")}
    assert states == {"paid": 3}
    assert {p["key"]: p["value"] for p in _series(world, "claims-by-state?category=meals")} == {"paid": 2}
    assert _series(world, f"claims-by-state?department_id={_dept(world, 'hq')}&category=office") == []
    tomorrow = (TODAY + timedelta(days=1)).isoformat()
    assert _series(world, f"claims-by-state?since={tomorrow}") == []  # created today
    every = sum(int(p["value"]) for p in _series(world, "findings"))
    assert every > 0  # per-diem items without invoices carry findings
    assert _series(world, "findings?until=2026-05-03") == []
    east = sum(int(p["value"]) for p in _series(world, f"findings?department_id={_dept(world, 'east')}"))
    travel = sum(int(p["value"]) for p in _series(world, "findings?category=travel"))
    assert 0 < east < every and 0 < travel < every


def test_end_to_end_cycle_time_median_and_p90_per_department(world: dict[str, Any]) -> None:
    cycle = {p["key"]: p for p in _series(world, "payment-cycle")}
    assert cycle["华东销售组"] == {
        "period": "all",
        "key": "华东销售组",
        "value": "15.00",
        "p90": "20.00",
        "count": 2,
    }
    assert cycle["财务部"]["value"] == cycle["财务部"]["p90"] == "30.00"
    # the range is on the payment day: alice paid 2026-05-04, bob 05-06, finrev 05-07
    only_bob = {
        p["key"]: p["count"] for p in _series(world, "payment-cycle?since=2026-05-05&until=2026-05-06")
    }
    assert only_bob == {"华东销售组": 1}
    assert [p["key"] for p in _series(world, "payment-cycle?category=travel")] == ["财务部"]
    assert [p["key"] for p in _series(world, f"payment-cycle?department_id={_dept(world, 'east')}")] == [
        "华东销售组"
    ]
    # a department head sees his own subtree only, whatever he asks for
    lead = login(world["client"], "teamlead")
    asked = world["client"].get(
        f"/api/v1/reports/payment-cycle?department_id={_dept(world, 'finance')}", headers=lead
    )
    assert asked.status_code == 200 and asked.json()["series"] == []
    bad = world["client"].get("/api/v1/reports/payment-cycle?since=2026-05-09&until=2026-05-01", headers=lead)
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_range"
    assert world["client"].get("/api/v1/reports/spend?category=fun", headers=lead).status_code == 422


def test_percentile_is_nearest_rank() -> None:
    assert percentile([10.0], 90) == 10.0
    assert percentile([10.0, 20.0], 90) == 20.0
    assert percentile([float(h) for h in range(1, 11)], 90) == 9.0
    assert percentile([float(h) for h in range(1, 21)], 90) == 18.0


def test_reports_export_as_csv_and_xlsx_with_the_same_filters(world: dict[str, Any]) -> None:
    client, finrev = world["client"], world["finrev"]
    r = client.get("/api/v1/reports/export.csv?report=spend&by=category&category=meals", headers=finrev)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    lines = r.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "period,key,value" and len(lines) >= 2 and all(",meals," in line for line in lines[1:])
    x = client.get("/api/v1/reports/export.xlsx?report=payment-cycle", headers=finrev)
    sheet = load_workbook(io.BytesIO(x.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("period", "key", "value", "p90", "count")
    east = next(row for row in rows[1:] if row[1] == "华东销售组")
    assert east[2] == 15 and east[3] == 20 and east[4] == 2  # numbers, not text
    alice = login(client, "alice")
    assert client.get("/api/v1/reports/export.csv?report=spend", headers=alice).status_code == 403
    assert client.get("/api/v1/reports/export.csv?report=nope", headers=finrev).status_code == 422
