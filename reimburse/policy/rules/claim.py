"""All claim-level rules in one call: what the service runs when a claim is submitted.

Findings that need stored state (duplicates across claims, budgets, tax-bureau verification)
come from the service, which adds them to these before ``scoring.assess``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from reimburse.claims.domain import (
    Claim,
    ClaimItem,
    Finding,
    InvoiceFacts,
    LegalEntity,
    RiskAssessment,
    Severity,
)
from reimburse.policy.domain import Policy
from reimburse.policy.rules.calendar import HolidayCalendar
from reimburse.policy.rules.caps import check_caps, check_no_invoice
from reimburse.policy.rules.daily import check_person_caps
from reimburse.policy.rules.duplicates import check_duplicates_within
from reimburse.policy.rules.invoice import check_invoice
from reimburse.policy.rules.patterns import (
    check_rest_day,
    check_round_amount,
    check_seller_category,
    check_split_invoices,
)
from reimburse.policy.rules.scoring import assess


def check_claim(
    claim: Claim,
    *,
    entities: Iterable[LegalEntity],
    policy: Policy,
    calendar: HolidayCalendar,
    today: date,
    history: Sequence[InvoiceFacts] = (),
    others: Sequence[ClaimItem] = (),
) -> list[Finding]:
    """Every pure rule over one claim. ``history`` is the submitter's recent invoices from other
    claims (for split-invoice detection across claims); ``others`` the items of their other
    claims (daily and per-trip caps add up across claims); both may be empty."""
    entities = tuple(entities)
    out: list[Finding] = []
    if not claim.items:
        return [Finding("claim_empty", Severity.ERROR, "a claim needs at least one item")]
    if claim.trip_start and claim.trip_end and claim.trip_end < claim.trip_start:
        out.append(Finding("trip_dates_reversed", Severity.ERROR, "the trip ends before it starts"))
    invoices: list[tuple[int, InvoiceFacts]] = []
    for i, item in enumerate(claim.items):
        if item.invoice is not None:
            invoices.append((i, item.invoice))
            out += check_invoice(
                item.invoice,
                category=item.category,
                claimed=item.amount.amount,
                entities=entities,
                policy=policy,
                today=today,
                trip_start=claim.trip_start,
                item=i,
            )
            out += check_seller_category(item, i)
            out += check_round_amount(item, i, policy)
        else:
            out += check_no_invoice(item, i, policy)
        if item.spent_on > today:
            out.append(
                Finding(
                    "spent_in_future",
                    Severity.ERROR,
                    f"spent on {item.spent_on}, after today",
                    i,
                    details=(("spent_on", str(item.spent_on)),),
                )
            )
        out += check_caps(item, i, policy)
        out += check_rest_day(item, i, calendar, policy)
    out += check_person_caps(claim.items, others, policy, claim.trip_start, claim.trip_end)
    out += check_duplicates_within(claim)
    out += check_split_invoices(invoices, policy, history)
    return out


def evaluate_claim(
    claim: Claim,
    *,
    entities: Iterable[LegalEntity],
    policy: Policy,
    calendar: HolidayCalendar,
    today: date,
    history: Sequence[InvoiceFacts] = (),
    extra: Iterable[Finding] = (),
    others: Sequence[ClaimItem] = (),
) -> RiskAssessment:
    """``check_claim`` plus the service's own findings (``extra``: duplicates on file, budget,
    verification), scored."""
    findings = check_claim(
        claim,
        entities=entities,
        policy=policy,
        calendar=calendar,
        today=today,
        history=history,
        others=others,
    )
    return assess([*findings, *extra], policy)
