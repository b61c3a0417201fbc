"""Invoice lifecycle moves and the verification task's next step."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from reimburse.policy.rules.lifecycle import InvoiceEvent, InvoiceState, move
from reimburse.verification.domain import VerificationAnswer, VerificationStatus
from reimburse.verification.port import (
    DailyCapReached,
    ProviderRejected,
    ProviderUnavailable,
    Throttled,
    VerificationError,
)
from reimburse.verification.schedule import MAX_ATTEMPTS, Step, is_final, next_step

U, L, R, C = InvoiceState.UNUSED, InvoiceState.LOCKED, InvoiceState.REIMBURSED, InvoiceState.CLOSED


def test_each_event_moves_one_state_to_the_next() -> None:
    assert {e: move(e) for e in InvoiceEvent} == {
        InvoiceEvent.LOCK: (U, L),
        InvoiceEvent.UNLOCK: (L, U),  # a reimbursed invoice is not given back by a withdrawal
        InvoiceEvent.REIMBURSE: (L, R),
        InvoiceEvent.CLOSE: (R, C),  # only a reimbursed invoice is closed by the payment
    }


NOW = datetime(2025, 6, 18, 10, 30)


@pytest.mark.parametrize(
    ("outcome", "attempt", "step", "at"),
    [
        (VerificationAnswer(VerificationStatus.NORMAL), 1, Step.DONE, None),
        (VerificationAnswer(VerificationStatus.NOT_FOUND), 1, Step.DONE, None),
        (
            VerificationAnswer(VerificationStatus.NOT_YET_AVAILABLE),
            1,
            Step.RECHECK,
            NOW + timedelta(hours=24),
        ),
        (ProviderUnavailable("timeout"), 1, Step.RETRY, NOW + timedelta(seconds=2)),
        (ProviderUnavailable("timeout"), 3, Step.RETRY, NOW + timedelta(seconds=8)),
        (Throttled("429", retry_after=30), 1, Step.RETRY, NOW + timedelta(seconds=30)),
        (ProviderUnavailable("timeout"), MAX_ATTEMPTS, Step.GIVE_UP, None),
        (DailyCapReached("5 a day"), 1, Step.RETRY, datetime(2025, 6, 19, 0, 5)),
        (ProviderRejected("bad key"), 1, Step.GIVE_UP, None),
        (VerificationError("unknown"), 1, Step.GIVE_UP, None),
    ],
)
def test_next_step(
    outcome: VerificationAnswer | VerificationError, attempt: int, step: Step, at: datetime | None
) -> None:
    got = next_step(outcome, attempt=attempt, now=NOW)
    assert (got.step, got.at) == (step, at)


def test_only_voided_and_fully_reversed_answers_are_final() -> None:
    finals = {s for s in VerificationStatus if is_final(VerificationAnswer(s))}
    assert finals == {VerificationStatus.VOIDED, VerificationStatus.RED_REVERSED_FULL}
