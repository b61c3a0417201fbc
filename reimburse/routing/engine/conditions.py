"""Evaluate flow conditions over claim facts."""

from __future__ import annotations

from reimburse.routing.domain import ClaimFacts, Condition, Org


def matches(cond: Condition, facts: ClaimFacts, org: Org) -> bool:
    """True when every set clause holds and, if ``any_of`` is given, at least one of those."""
    amount = facts.amount
    if cond.amount_gt is not None and not amount > cond.amount_gt:
        return False
    if cond.amount_gte is not None and not amount >= cond.amount_gte:
        return False
    if cond.amount_lt is not None and not amount < cond.amount_lt:
        return False
    if cond.amount_lte is not None and not amount <= cond.amount_lte:
        return False
    if cond.risk and facts.risk not in cond.risk:
        return False
    if cond.over_budget is not None and facts.over_budget != cond.over_budget:
        return False
    if cond.min_rank is not None and facts.submitter_rank < cond.min_rank:
        return False
    if cond.max_rank is not None and facts.submitter_rank > cond.max_rank:
        return False
    if cond.categories and not any(c in cond.categories for c in facts.categories):
        return False
    if cond.roles and not any(r in cond.roles for r in facts.submitter_roles):
        return False
    if cond.departments:
        # A department clause covers the whole subtree below the named department.
        lineage = org.ancestors(facts.department) or (facts.department,)
        if not any(d in cond.departments for d in lineage):
            return False
    return not cond.any_of or any(matches(c, facts, org) for c in cond.any_of)
