"""Splitting an item across cost centres and projects: the pure allocation, table-driven."""

from __future__ import annotations

from decimal import Decimal

import pytest

from reimburse.claims.splitting import Share, SplitError, allocate

D = Decimal


def _amounts(total: str, *shares: Share) -> list[str]:
    return [f"{a.amount:.2f}" for a in allocate(D(total), shares)]


@pytest.mark.parametrize(
    ("total", "percents", "expected"),
    [
        ("100.00", ["60", "40"], ["60.00", "40.00"]),
        ("100.00", ["33.33", "33.33", "33.34"], ["33.33", "33.33", "33.34"]),
        # each share is rounded to the cent; the last takes whatever remains
        ("100.01", ["33.33", "33.33", "33.34"], ["33.33", "33.33", "33.35"]),
        ("10.00", ["33.33", "33.33", "33.34"], ["3.33", "3.33", "3.34"]),
        ("0.05", ["50", "50"], ["0.03", "0.02"]),  # half up, the remainder to the last
        ("999.99", ["100"], ["999.99"]),
    ],
)
def test_percent_shares_add_up_to_the_item_with_the_remainder_on_the_last(
    total: str, percents: list[str], expected: list[str]
) -> None:
    shares = [Share("project", f"P{i}", percent=D(p)) for i, p in enumerate(percents)]
    got = _amounts(total, *shares)
    assert got == expected
    assert sum(D(g) for g in got) == D(total)


def test_amount_shares_must_add_up_to_the_item_exactly() -> None:
    assert _amounts(
        "150.00", Share("cost_centre", "A", amount=D("100")), Share("cost_centre", "B", amount=D("50"))
    ) == [
        "100.00",
        "50.00",
    ]
    with pytest.raises(SplitError) as short:
        _amounts(
            "150.00", Share("cost_centre", "A", amount=D("100")), Share("cost_centre", "B", amount=D("49.99"))
        )
    assert short.value.code == "split_amounts_mismatch"


def test_each_dimension_adds_up_on_its_own_and_the_order_sent_is_kept() -> None:
    got = allocate(
        D("200.00"),
        [
            Share("project", "P1", percent=D("25")),
            Share("cost_centre", "CC", amount=D("200")),
            Share("project", "P2", percent=D("75")),
        ],
    )
    assert [(a.dimension, a.code, f"{a.amount:.2f}") for a in got] == [
        ("project", "P1", "50.00"),
        ("cost_centre", "CC", "200.00"),
        ("project", "P2", "150.00"),
    ]
    assert got[0].as_dict() == {"dimension": "project", "code": "P1", "amount": "50.00", "percent": "25.00"}


@pytest.mark.parametrize(
    ("shares", "code"),
    [
        (
            [Share("project", "A", percent=D("60")), Share("project", "B", percent=D("30"))],
            "split_percent_not_100",
        ),
        (
            [Share("project", "A", percent=D("60")), Share("project", "B", percent=D("50"))],
            "split_percent_not_100",
        ),
        ([Share("project", "A", percent=D("60")), Share("project", "B", amount=D("40"))], "split_mixed"),
        (
            [Share("project", "A", percent=D("50")), Share("project", "A", percent=D("50"))],
            "split_duplicate_code",
        ),
        ([Share("project", "A")], "split_share_invalid"),
        ([Share("project", "A", amount=D("100"), percent=D("100"))], "split_share_invalid"),
        (
            [Share("project", "A", amount=D("-1")), Share("project", "B", amount=D("101"))],
            "split_share_invalid",
        ),
        (
            [Share("project", "A", amount=D("50.005")), Share("project", "B", amount=D("49.995"))],
            "split_share_invalid",
        ),
        (
            [Share("project", "A", percent=D("33.333")), Share("project", "B", percent=D("66.667"))],
            "split_share_invalid",
        ),
        ([Share("department", "A", percent=D("100"))], "split_unknown_dimension"),
        ([Share("project", f"P{i}", percent=D("1")) for i in range(100)], "split_too_many"),
    ],
)
def test_refused_splits_say_why(shares: list[Share], code: str) -> None:
    with pytest.raises(SplitError) as refused:
        allocate(D("100.00"), shares)
    assert refused.value.code == code


def test_a_share_below_a_cent_is_refused() -> None:
    with pytest.raises(SplitError) as refused:
        allocate(D("0.01"), [Share("project", "A", percent=D("50")), Share("project", "B", percent=D("50"))])
    assert refused.value.code == "split_share_too_small"
