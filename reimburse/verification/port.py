"""The port every verification provider adapter implements, and the errors it may raise.

Answers about the invoice (normal, voided, not found, ...) are ``VerificationAnswer`` values;
exceptions are for when no answer could be had: the caller retries ``retryable`` ones with
backoff (``rules.retry_delay``) and gives up on the others.
"""

from __future__ import annotations

from typing import Protocol

from reimburse.core.errors import ReimburseError
from reimburse.verification.domain import VerificationAnswer, VerificationRequest


class VerificationError(ReimburseError):
    code = "verification_failed"
    status = 502
    retryable = False

    def __init__(
        self, message: str, *, retry_after: float | None = None, provider_code: str | None = None
    ) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.provider_code = provider_code


class ProviderUnavailable(VerificationError):
    """Timeout, connection failure, 5xx, provider-side internal error."""

    code = "verification_unavailable"
    status = 503
    retryable = True


class Throttled(VerificationError):
    """The provider's request rate cap (HTTP 429 / RequestLimitExceeded)."""

    code = "verification_throttled"
    status = 503
    retryable = True


class DailyCapReached(VerificationError):
    """This invoice was checked too often today (the bureau allows five a day); retry tomorrow."""

    code = "verification_daily_cap"
    status = 429
    retryable = True


class ProviderRejected(VerificationError):
    """Credentials, account or request refused: retrying the same request will not help."""

    code = "verification_rejected"


class InvoiceVerifier(Protocol):
    """A provider adapter. ``name`` is what the setting selects and answers record."""

    name: str

    def verify(self, request: VerificationRequest) -> VerificationAnswer: ...
