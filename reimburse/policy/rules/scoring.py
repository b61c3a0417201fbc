"""Risk score 0..100 from weighted findings, and the decision.

Points per finding come from the policy (by code, else by severity); the score is their sum,
capped at 100. A block-severity finding blocks whatever the score; otherwise the score decides
against the policy's thresholds. Every finding is kept with its points, so the reasons behind
a score are visible to finance.
"""

from __future__ import annotations

from collections.abc import Iterable

from reimburse.claims.domain import Finding, RiskAssessment, ScoredFinding, Severity
from reimburse.policy.domain import Policy
from reimburse.routing.domain import RiskDecision


def assess(findings: Iterable[Finding], policy: Policy) -> RiskAssessment:
    scored = tuple(ScoredFinding(f, policy.points(f.code, f.severity)) for f in findings)
    ordered = tuple(sorted(scored, key=lambda s: (-s.finding.severity.rank, -s.points, s.finding.code)))
    score = min(100, sum(s.points for s in scored))
    if any(s.finding.severity is Severity.BLOCK for s in scored) or score >= policy.risk.block_at:
        decision = RiskDecision.BLOCK
    elif score >= policy.risk.review_at:
        decision = RiskDecision.REVIEW
    else:
        decision = RiskDecision.PASS
    return RiskAssessment(score=score, decision=decision, findings=ordered)
