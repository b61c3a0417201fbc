"""Splitting an item's amount across cost centres or projects (pure: values in, values out).

An item may carry shares on either dimension, or both; each dimension's shares add up to the
item's amount on their own. Shares of one dimension are all by amount (they must add up to the
item's amount exactly) or all by percentage (they must add up to 100; each share is rounded
to the cent and the last share takes the rounding remainder).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

DIMENSIONS = ("cost_centre", "project")
MAX_SHARES = 50
_CENT = Decimal("0.01")
_HUNDRED = Decimal(100)


class SplitError(ValueError):
    """Why a split is refused; ``code`` is the API's error code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True, slots=True)
class Share:
    """One share as sent: exactly one of ``amount`` and ``percent``."""

    dimension: str
    code: str
    amount: Decimal | None = None
    percent: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Allocated:
    dimension: str
    code: str
    amount: Decimal
    percent: Decimal | None  # as sent, when the share was by percentage

    def as_dict(self) -> dict[str, str | None]:
        return {
            "dimension": self.dimension,
            "code": self.code,
            "amount": f"{self.amount:.2f}",
            "percent": None if self.percent is None else f"{self.percent:.2f}",
        }


def allocate(total: Decimal, shares: Sequence[Share]) -> tuple[Allocated, ...]:
    """The shares as amounts, in the order sent, or a :class:`SplitError`."""
    if len(shares) > MAX_SHARES:
        raise SplitError("split_too_many", f"at most {MAX_SHARES} shares per item")
    unknown = [s.dimension for s in shares if s.dimension not in DIMENSIONS]
    if unknown:
        raise SplitError(
            "split_unknown_dimension", f"a share is on a cost_centre or a project, not {unknown[0]!r}"
        )
    total = total.quantize(_CENT)
    by_key: dict[tuple[str, str], Allocated] = {}
    for dimension in DIMENSIONS:
        group = [s for s in shares if s.dimension == dimension]
        if group:
            by_key.update({(a.dimension, a.code): a for a in _one_dimension(total, dimension, group)})
    return tuple(by_key[(s.dimension, s.code)] for s in shares)


def _one_dimension(total: Decimal, dimension: str, group: list[Share]) -> list[Allocated]:
    codes = [s.code for s in group]
    if len(set(codes)) != len(codes):
        raise SplitError("split_duplicate_code", f"a {dimension} appears twice in one split")
    by_percent = [s.percent is not None for s in group]
    for s in group:
        if (s.amount is None) == (s.percent is None):
            raise SplitError("split_share_invalid", "each share gives either an amount or a percent")
    if any(by_percent) and not all(by_percent):
        raise SplitError("split_mixed", f"the {dimension} shares are all by amount or all by percent")
    if all(by_percent):
        return _by_percent(total, dimension, group)
    return _by_amount(total, dimension, group)


def _by_amount(total: Decimal, dimension: str, group: list[Share]) -> list[Allocated]:
    out = []
    for s in group:
        assert s.amount is not None
        if s.amount <= 0 or s.amount != s.amount.quantize(_CENT):
            raise SplitError("split_share_invalid", "a share's amount is positive, in cents")
        out.append(Allocated(dimension, s.code, s.amount.quantize(_CENT), None))
    added = sum((a.amount for a in out), Decimal("0.00"))
    if added != total:
        raise SplitError(
            "split_amounts_mismatch",
            f"the {dimension} shares add up to {added:.2f}, the item is {total:.2f}",
        )
    return out


def _by_percent(total: Decimal, dimension: str, group: list[Share]) -> list[Allocated]:
    for s in group:
        assert s.percent is not None
        if not (0 < s.percent <= _HUNDRED) or s.percent != s.percent.quantize(_CENT):
            raise SplitError(
                "split_share_invalid", "a share's percent is above 0 and at most 100, two decimals"
            )
    added = sum((s.percent for s in group if s.percent is not None), Decimal(0))
    if added != _HUNDRED:
        raise SplitError("split_percent_not_100", f"the {dimension} percentages add up to {added}, not 100")
    out: list[Allocated] = []
    given = Decimal("0.00")
    for i, s in enumerate(group):
        assert s.percent is not None
        if i == len(group) - 1:
            amount = total - given  # the last share takes the rounding remainder
        else:
            amount = (total * s.percent / _HUNDRED).quantize(_CENT, rounding=ROUND_HALF_UP)
            given += amount
        if amount <= 0:
            raise SplitError("split_share_too_small", f"{s.percent}% of {total:.2f} is less than a cent")
        out.append(Allocated(dimension, s.code, amount, s.percent))
    return out
