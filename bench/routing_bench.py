"""Routing benchmark: approval decisions per second for the shipped default flow, on one core.

A decision is one ``advance`` call (submit, approve, reject, return, resubmit, ...). The workload is
a synthetic batch of claims with amounts spread over every branch of the default flow (department
head only, finance + general manager, CEO, over budget, risk review, auto-approve); each claim is
planned, submitted and driven to its end, with a share of them returned once and resubmitted and a
share rejected. Pinned to one CPU.

Printed in the same process:
- ``engine``: plan once per claim, then ``advance`` per event (how the service is meant to use it);
- ``+ JSON``: the same, plus the instance serialised to JSON and read back around every decision
  (what a service storing the instance as a JSON column pays);
- baseline ``naive``: the flow YAML re-parsed and re-validated and the claim re-planned before every
  decision (a service that caches nothing), as a ratio.

With ``--copies``, also the cost of one copy-with-changes of the engine's values (``Step``,
``Task``), the engine's ``evolve`` against ``dataclasses.replace``, in CPU microseconds per copy.

    python bench/routing_bench.py [--claims 3000] [--repeat 3] [--copies]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import random
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from reimburse.routing import serde
from reimburse.routing.domain import (
    Approve,
    ClaimFacts,
    Department,
    Event,
    Flow,
    FlowInstance,
    InstanceStatus,
    Org,
    Reject,
    Resubmit,
    Return,
    RiskDecision,
    StepStatus,
    Submit,
    TaskStatus,
    User,
)
from reimburse.routing.engine import advance, new_instance
from reimburse.routing.engine.values import evolve
from reimburse.routing.flows import builtin_source, load_builtin, load_flow

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def make_org(n_departments: int = 40, per_department: int = 25) -> Org:
    departments = {"root": Department("root", "总部", None, "ceo")}
    users = {
        "ceo": User("ceo", "CEO", "root", ("ceo",), 9),
        "gm": User("gm", "GM", "root", ("general_manager",), 8),
        "fd": User("fd", "FD", "root", ("finance_director",), 7),
        "cashier": User("cashier", "出纳", "root", ("cashier",), 3),
    }
    for i in range(4):
        users[f"fr{i}"] = User(f"fr{i}", f"财务{i}", "root", ("finance_reviewer",), 3)
    for d in range(n_departments):
        did, head = f"d{d}", f"h{d}"
        departments[did] = Department(did, f"部门{d}", "root" if d < 8 else f"d{d % 8}", head)
        users[head] = User(head, f"负责人{d}", did, (), 5)
        for u in range(per_department):
            uid = f"u{d}_{u}"
            users[uid] = User(uid, f"员工{d}-{u}", did, (), 2)
    return Org(departments, users)


def make_claims(n: int, org: Org, rng: random.Random) -> list[ClaimFacts]:
    employees = [u for u in org.users.values() if u.id.startswith("u")]
    claims = []
    for i in range(n):
        who = rng.choice(employees)
        amount = (
            Decimal(rng.choice([80, 150, 600, 980, 1500, 4200, 12000, 48000, 65000]))
            + Decimal(rng.randint(0, 99)) / 100
        )
        risk = rng.choices([RiskDecision.PASS, RiskDecision.REVIEW, RiskDecision.BLOCK], [80, 18, 2])[0]
        claims.append(
            ClaimFacts(
                f"C{i}", who.id, who.department or "root", amount, ("travel",), risk, rng.random() < 0.1
            )
        )
    return claims


def script(rng: random.Random) -> str:
    """What happens to one claim: mostly approved, some returned once, a few rejected."""
    return rng.choices(["approve", "return_once", "reject"], [85, 10, 5])[0]


def holder(inst: FlowInstance) -> str:
    for s in inst.steps:
        if s.status is StepStatus.ACTIVE:
            for t in s.tasks:
                if t.status is TaskStatus.PENDING:
                    return t.assignee
    raise AssertionError("running claim without an open task")


Step = Callable[[FlowInstance, Event, datetime], FlowInstance]


def drive(
    claims: list[ClaimFacts], plans: list[str], start: Callable[[ClaimFacts], FlowInstance], step: Step
) -> int:
    decisions = 0
    for facts, what in zip(claims, plans, strict=True):
        inst = step(start(facts), Submit(facts.submitter), T0)
        decisions += 1
        returned = False
        at = T0
        while inst.status is InstanceStatus.RUNNING or inst.status is InstanceStatus.RETURNED:
            at += timedelta(minutes=5)
            ev: Event
            if inst.status is InstanceStatus.RETURNED:
                ev = Resubmit(facts.submitter)
            elif what == "return_once" and not returned:
                ev, returned = Return(holder(inst), "请补充发票"), True
            elif what == "reject":
                ev = Reject(holder(inst), "不符合制度")
            else:
                ev = Approve(holder(inst))
            inst = step(inst, ev, at)
            decisions += 1
    return decisions


def copy_costs(inst: FlowInstance, rounds: int = 15, n: int = 20_000) -> None:
    """CPU µs of one copy-with-changes, as the engine makes them.

    The two ways take turns, ``rounds`` times, and the best round of each counts: on a shared
    machine a burst of other load then disturbs both alike instead of whichever ran during it.
    """
    step = next(s for s in inst.steps if s.tasks)
    task = step.tasks[0]
    cases: list[tuple[str, Callable[[], object], Callable[[], object]]] = [
        (
            "Step: status, activated_at, round",
            lambda: evolve(step, status=StepStatus.DONE, activated_at=T0, round=2),
            lambda: dataclasses.replace(step, status=StepStatus.DONE, activated_at=T0, round=2),
        ),
        (
            "Task: status, acted_by, acted_at",
            lambda: evolve(task, status=TaskStatus.APPROVED, acted_by="x", acted_at=T0),
            lambda: dataclasses.replace(task, status=TaskStatus.APPROVED, acted_by="x", acted_at=T0),
        ),
    ]
    print(f"copy with changes, CPU µs per copy (best of {rounds} alternating rounds of {n:,}):")
    for name, ours, theirs in cases:
        assert ours() == theirs()
        best = [float("inf"), float("inf")]
        for _ in range(rounds):
            for i, fn in enumerate((ours, theirs)):
                best[i] = min(best[i], _cpu(fn, n) / n * 1e6)
        print(f"  {name:<36} evolve {best[0]:5.2f}   dataclasses.replace {best[1]:5.2f}")


def _cpu(fn: Callable[[], object], n: int) -> float:
    c = time.process_time()
    for _ in range(n):
        fn()
    return time.process_time() - c


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--claims", type=int, default=3000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument(
        "--baseline-claims", type=int, default=300, help="the naive baseline is slow; fewer claims"
    )
    ap.add_argument("--copies", action="store_true", help="also time evolve against dataclasses.replace")
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    rng = random.Random(7)
    org = make_org()
    flow = load_builtin()
    claims = make_claims(args.claims, org, rng)
    plans = [script(rng) for _ in claims]
    source = builtin_source()

    def start(f: ClaimFacts) -> FlowInstance:
        return new_instance(flow, f, org)

    def engine_step(inst: FlowInstance, ev: Event, at: datetime) -> FlowInstance:
        return advance(inst, ev, flow, at, org=org).instance

    def json_step(inst: FlowInstance, ev: Event, at: datetime) -> FlowInstance:
        stored = json.dumps(serde.instance_to_dict(inst))
        nxt = advance(serde.instance_from_dict(json.loads(stored)), ev, flow, at, org=org).instance
        json.dumps(serde.instance_to_dict(nxt))
        return nxt

    facts_of = {f.claim_id: f for f in claims}

    def naive_step(inst: FlowInstance, ev: Event, at: datetime) -> FlowInstance:
        fresh: Flow = load_flow(source)  # re-parse + re-validate the definition ...
        replanned = new_instance(fresh, facts_of[inst.claim_id], org)  # ... and re-plan the claim
        assert [s.id for s in replanned.steps] == [s.id for s in inst.steps]
        return advance(inst, ev, fresh, at, org=org).instance

    def measure(name: str, n: int, step: Step) -> float:
        walls, cpus = [], []
        for _ in range(args.repeat):
            t, c = time.perf_counter(), time.process_time()
            decisions = drive(claims[:n], plans[:n], start, step)
            walls.append(decisions / (time.perf_counter() - t))
            cpus.append(decisions / (time.process_time() - c))
        # On a shared machine the wall-clock rate drops with other load; the rate per CPU-second
        # (process time) is what one core does. Best of N is the least disturbed run.
        print(
            f"{name:<30} {decisions:>6} decisions  per CPU-s best {max(cpus):>9,.0f}  "
            f"median {statistics.median(cpus):>9,.0f}   wall best {max(walls):>9,.0f}/s"
        )
        return max(cpus)

    outcomes = {"approved": 0, "rejected": 0}
    for f, p in zip(claims, plans, strict=True):
        outcomes["rejected" if p == "reject" or f.risk is RiskDecision.BLOCK else "approved"] += 1
    print(f"default flow, {args.claims} claims, one CPU; scripted outcomes {outcomes}")
    engine = measure("engine", args.claims, engine_step)
    with_json = measure("engine + JSON round trip", args.claims, json_step)
    naive = measure("baseline: naive (re-validate)", args.baseline_claims, naive_step)
    print(f"engine / naive baseline: {engine / naive:.1f}x;  engine + JSON / naive: {with_json / naive:.1f}x")
    verdict = "met" if engine >= 20_000 else "NOT met"
    print(f"goal >= 20,000 decisions/s on one core (per CPU-second, best run): {verdict} ({engine:,.0f}/s)")
    if args.copies:
        first = advance(new_instance(flow, claims[0], org), Submit(claims[0].submitter), flow, T0, org=org)
        copy_costs(first.instance)
    print(
        f"load average while running: {os.getloadavg()[0]:.2f} (2 CPUs here; above ~1 the figures are shared)"
    )


if __name__ == "__main__":
    main()
