"""What the verification task does after one attempt: done, retry later, re-check another day,
or give up. Pure: the outcome, the attempt number and ``now`` come in, a decision goes out; the
Celery task (service layer) only carries it out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from reimburse.verification.domain import VerificationAnswer, VerificationStatus
from reimburse.verification.port import DailyCapReached, VerificationError
from reimburse.verification.rules import retry_delay

MAX_ATTEMPTS = 8  # transient failures: about 4 minutes of backoff in all at the defaults
RECHECK_NOT_YET = timedelta(hours=24)  # the bureau's data catches up within a day
RECHECK_NORMAL_BEFORE_PAYMENT = True  # an invoice can be voided/red-reversed after a check


class Step(StrEnum):
    DONE = "done"  # store the answer; findings follow from it
    RETRY = "retry"  # transient failure: try again at ``at``
    RECHECK = "recheck"  # an answer, but not final: store it and check again at ``at``
    GIVE_UP = "give_up"  # store "unverified" with the reason; a person may retry by hand


@dataclass(frozen=True, slots=True)
class NextStep:
    step: Step
    at: datetime | None = None
    reason: str = ""


def next_step(outcome: VerificationAnswer | VerificationError, *, attempt: int, now: datetime) -> NextStep:
    """``attempt`` is 1 for the first try."""
    if isinstance(outcome, VerificationAnswer):
        if outcome.status is VerificationStatus.NOT_YET_AVAILABLE:
            return NextStep(Step.RECHECK, now + RECHECK_NOT_YET, "not yet in the tax bureau's data")
        return NextStep(Step.DONE)
    if isinstance(outcome, DailyCapReached):
        tomorrow = (now + timedelta(days=1)).replace(hour=0, minute=5, second=0, microsecond=0)
        return NextStep(Step.RETRY, tomorrow, "checked too often today")
    if outcome.retryable and attempt < MAX_ATTEMPTS:
        delay = retry_delay(attempt, retry_after=outcome.retry_after)
        return NextStep(Step.RETRY, now + timedelta(seconds=delay), str(outcome))
    return NextStep(Step.GIVE_UP, None, str(outcome))


def is_final(answer: VerificationAnswer) -> bool:
    """Answers that will not change: voided and fully red-reversed invoices stay so. A normal
    answer may still change (voided or red-reversed later), so re-check before payment."""
    return answer.status in (VerificationStatus.VOIDED, VerificationStatus.RED_REVERSED_FULL)
