"""The default provider: no tax-bureau check at all. Every answer is "unverified", which the
rules turn into a finding of the severity the policy gives ``unverified_severity``."""

from __future__ import annotations

from reimburse.verification.domain import VerificationAnswer, VerificationRequest, VerificationStatus


class NoneVerifier:
    name = "none"

    def verify(self, request: VerificationRequest) -> VerificationAnswer:
        return VerificationAnswer(
            VerificationStatus.UNVERIFIED,
            provider=self.name,
            message="no verification provider is configured",
        )
