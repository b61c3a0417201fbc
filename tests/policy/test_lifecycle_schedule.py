"""Invoice lifecycle moves and the verification task's next step."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from reimburse.policy.rules.lifecycle import (
    InvoiceEvent,
    InvoiceHolding,
    InvoiceState,
    LifecycleError,
    transition,
)
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


@pytest.mark.parametrize(
    ("state", "holder", "event", "by", "after"),
    [
        (U, None, InvoiceEvent.LOCK, "c1", InvoiceHolding(L, "c1")),
        (L, "c1", InvoiceEvent.UNLOCK, "c1", InvoiceHolding(U, None)),
        (L, "c1", InvoiceEvent.REIMBURSE, "c1", InvoiceHolding(R, "c1")),
        (R, "c1", InvoiceEvent.CLOSE, "c1", InvoiceHolding(C, "c1")),
        (L, "c1", InvoiceEvent.LOCK, "c2", "invoice_held"),  # another claim cannot take it
        (R, "c1", InvoiceEvent.UNLOCK, "c2", "invoice_held"),
        (R, "c1", InvoiceEvent.UNLOCK, "c1", "invoice_state"),  # reimbursed is not undone by a withdrawal
        (U, None, InvoiceEvent.REIMBURSE, "c1", "invoice_state"),
        (C, "c1", InvoiceEvent.LOCK, "c1", "invoice_state"),
        (L, "c1", InvoiceEvent.LOCK, "c1", "invoice_state"),
    ],
)
def test_lifecycle(
    state: InvoiceState, holder: str | None, event: InvoiceEvent, by: str, after: InvoiceHolding | str
) -> None:
    holding = InvoiceHolding(state, holder)
    if isinstance(after, str):
        with pytest.raises(LifecycleError) as err:
            transition(holding, event, by)
        assert err.value.code == after
    else:
        assert transition(holding, event, by) == after


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
