"""Expense rules benchmark: claims scored per second on one core, and duplicate-key lookups.

1. Scores N synthetic claims (default 10,000; 1-6 items each, a mix of categories, clean
   invoices and ones with problems) with ``expenses.rules.claim.evaluate_claim``, the policy
   parsed and the holiday calendar loaded once. Baseline in the same process: the same rules
   with the policy YAML re-parsed for every claim (what a naive service that reads the admin's
   policy per request would do). Prints claims/s for both and the ratio. Goal: >= 5,000/s.
   Also the same rules with their string caches (normalised names, tax-ID checks, keyword
   lookups) cleared before every claim, to show what the caches are worth.
2. Duplicate detection: ``invoice_key`` for every invoice, looked up in a set of 10,000 and of
   1,000,000 stored keys (a Python set here; a unique index in the service). Prints the time per
   lookup (key computation + membership) at both sizes and their ratio: ~1 means O(1).

    python bench/rules_bench.py [--claims 10000] [--stored 1000000] [--seed 7]
"""

from __future__ import annotations

import argparse
import gc
import random
import time
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from reimburse.claims.domain import (
    Category,
    Claim,
    ClaimItem,
    InvoiceFacts,
    InvoiceLine,
    LegalEntity,
    Money,
    NoInvoiceKind,
)
from reimburse.ocr.domain import DocumentType
from reimburse.ocr.fapiao.uscc import uscc_check_digit
from reimburse.policy.defaults import china_calendar, default_policy, default_policy_text
from reimburse.policy.domain import load_policy_text
from reimburse.policy.rules.claim import evaluate_claim
from reimburse.policy.rules.duplicates import invoice_key
from reimburse.policy.rules.invoice import _entity_index, tax_id_problem
from reimburse.policy.rules.keywords import expected_rates, line_categories, normalise, seller_categories
from reimburse.routing.domain import User

TODAY = date(2025, 6, 18)


def uscc(n: int) -> str:
    body = f"91330100{n:09d}"
    return body + uscc_check_digit(body)


COMPANY = LegalEntity("示例科技有限公司", uscc(1))
ENTITIES = (COMPANY, LegalEntity("示例科技（上海）有限公司", uscc(2)))
LINES = {
    Category.MEALS: ("*餐饮服务*餐费", Decimal("0.06"), "某某餐饮管理有限公司"),
    Category.CLIENT_ENTERTAINMENT: ("*餐饮服务*餐费", Decimal("0.06"), "某某大酒楼有限公司"),
    Category.LODGING: ("*住宿服务*住宿费", Decimal("0.06"), "某某酒店有限公司"),
    Category.TRAVEL: ("*运输服务*客运服务费", Decimal("0.09"), "某某航空服务有限公司"),
    Category.TRANSPORT: ("*运输服务*客运服务费", Decimal("0.09"), "某某出租汽车有限公司"),
    Category.OFFICE: ("*纸制品*打印纸", Decimal("0.13"), "某某文具有限公司"),
    Category.OTHER: ("*信息技术服务*服务费", Decimal("0.06"), "某某科技有限公司"),
}


def synth_invoice(rng: random.Random, serial: int, category: Category, total: Decimal) -> InvoiceFacts:
    name, rate, seller = LINES[category]
    amount = (total / (1 + rate)).quantize(Decimal("0.01"))
    issued = TODAY - timedelta(days=rng.randint(1, 60))
    facts = InvoiceFacts(
        document_type=DocumentType.DIGITAL_GENERAL,
        invoice_number=f"25{serial:018d}",
        issue_date=issued,
        amount_excl_tax=amount,
        tax=total - amount,
        total=total,
        buyer_name=COMPANY.name,
        buyer_tax_id=COMPANY.tax_id,
        seller_name=seller,
        seller_tax_id=uscc(1000 + serial % 5000),
        lines=(InvoiceLine(name, rate),),
        image_hash=rng.getrandbits(64),
    )
    roll = rng.random()  # about one in five invoices has something wrong
    if roll < 0.05:
        facts = replace(facts, buyer_tax_id=uscc(9))
    elif roll < 0.10:
        facts = replace(facts, tax=facts.tax + Decimal("1.00") if facts.tax is not None else None)
    elif roll < 0.15:
        facts = replace(facts, issue_date=TODAY - timedelta(days=400))
    elif roll < 0.20:
        facts = replace(facts, lines=(InvoiceLine(name, Decimal("0.13")),))
    return facts


def synth_claims(n: int, seed: int) -> list[Claim]:
    rng = random.Random(seed)
    cats = list(LINES)
    claims = []
    serial = 0
    for c in range(n):
        items = []
        for _ in range(rng.randint(1, 6)):
            cat = rng.choice(cats)
            total = Decimal(rng.randint(2000, 120000)) / 100
            day = TODAY - timedelta(days=rng.randint(1, 30))
            if cat is Category.TRAVEL and rng.random() < 0.2:
                items.append(
                    ClaimItem(
                        cat,
                        Money(Decimal(100 * rng.randint(1, 4))),
                        day,
                        no_invoice_kind=NoInvoiceKind.PER_DIEM,
                        reason="出差补助",
                        days=rng.randint(1, 4),
                    )
                )
                continue
            serial += 1
            items.append(
                ClaimItem(
                    cat,
                    Money(total),
                    day,
                    invoice=synth_invoice(rng, serial, cat, total),
                    attendees=rng.randint(1, 6)
                    if cat in (Category.MEALS, Category.CLIENT_ENTERTAINMENT)
                    else None,
                    nights=rng.randint(1, 3) if cat is Category.LODGING else None,
                    city_tier=rng.randint(1, 3) if cat is Category.LODGING else None,
                )
            )
        start = TODAY - timedelta(days=rng.randint(5, 30))
        claims.append(
            Claim(
                id=f"c{c}",
                submitter=User(f"e{c % 300}", "员工", department="d1", rank=rng.randint(1, 6)),
                department_id="d1",
                purpose="出差",
                items=tuple(items),
                trip_start=start,
                trip_end=start + timedelta(days=rng.randint(0, 5)),
            )
        )
    return claims


def bench_rules(claims: list[Claim]) -> None:
    policy, calendar = default_policy(), china_calendar()
    text = default_policy_text()
    decisions: dict[str, int] = {}
    for claim in claims:  # warm-up pass, and the decision mix
        a = evaluate_claim(claim, entities=ENTITIES, policy=policy, calendar=calendar, today=TODAY)
        decisions[a.decision.value] = decisions.get(a.decision.value, 0) + 1
    runs = []
    for _ in range(3):  # best of three: the machine is shared, the minimum is the least disturbed
        gc.collect()
        t0 = time.perf_counter()
        for claim in claims:
            evaluate_claim(claim, entities=ENTITIES, policy=policy, calendar=calendar, today=TODAY)
        runs.append(time.perf_counter() - t0)
    ours = min(runs)

    sample = claims[: max(1, len(claims) // 10)]  # the baseline is slow; a tenth is enough to time it
    t0 = time.perf_counter()
    for claim in sample:
        evaluate_claim(
            claim, entities=ENTITIES, policy=load_policy_text(text), calendar=calendar, today=TODAY
        )
    base = (time.perf_counter() - t0) / len(sample) * len(claims)

    caches = [normalise, tax_id_problem, line_categories, seller_categories, expected_rates, _entity_index]
    t0 = time.perf_counter()
    for claim in sample:
        for cache in caches:
            cache.cache_clear()
        evaluate_claim(claim, entities=ENTITIES, policy=policy, calendar=calendar, today=TODAY)
    cold = (time.perf_counter() - t0) / len(sample) * len(claims)

    items = sum(len(c.items) for c in claims)
    print(f"rules: {len(claims):,} claims ({items:,} items), one core")
    print(f"  decisions: {decisions}")
    rate, base_rate = len(claims) / ours, len(claims) / base
    per_claim = ours * 1e6 / len(claims)
    print(f"  ours (policy parsed once):   {rate:10,.0f} claims/s  ({per_claim:6.1f} µs/claim, best of 3)")
    print(f"    the three runs: {', '.join(f'{len(claims) / r:,.0f}' for r in runs)} claims/s")
    print(f"  baseline (policy per claim): {base_rate:10,.0f} claims/s  (timed on {len(sample):,} claims)")
    print(
        f"  cold (caches cleared per claim): {len(claims) / cold:6,.0f} claims/s, {cold / ours:.1f}x slower"
    )
    print(f"  ratio: {base / ours:.1f}x   goal >= 5,000 claims/s: {'met' if rate >= 5000 else 'NOT met'}")


def bench_duplicates(stored_max: int, seed: int) -> None:
    rng = random.Random(seed)
    probes = [
        InvoiceFacts(DocumentType.DIGITAL_GENERAL, invoice_number=f"{rng.randrange(10**19, 10**20)}")
        for _ in range(10_000)
    ]
    results = {}
    for size in (10_000, stored_max):
        known = probes[::2]  # half the probes are invoices already on file
        stored = {f"D:{rng.randrange(10**19, 10**20)}" for _ in range(size - len(known))}
        for p in known:
            key = invoice_key(p)
            assert key is not None
            stored.add(key)
        gc.collect()
        rounds = []
        for _ in range(5):  # best of five rounds of all probes
            hits = 0
            t0 = time.perf_counter()
            for p in probes:
                if invoice_key(p) in stored:
                    hits += 1
            rounds.append(time.perf_counter() - t0)
        per = min(rounds) / len(probes)
        results[size] = per
        ns = per * 1e9
        print(f"  {len(stored):>10,} stored keys: {ns:6.0f} ns per lookup (key + lookup), {hits:,} hits")
        del stored
    small, large = results[10_000], results[stored_max]
    linear = stored_max / 10_000
    print(f"  ratio {stored_max:,} / 10,000 stored: {large / small:.2f}x (O(1): ~1, O(n): {linear:.0f}x)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--claims", type=int, default=10_000)
    ap.add_argument("--stored", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    claims = synth_claims(args.claims, args.seed)
    bench_rules(claims)
    print("duplicate lookup:")
    bench_duplicates(args.stored, args.seed)


if __name__ == "__main__":
    main()
