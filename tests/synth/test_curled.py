"""A photographed invoice lying curled reads as a flat one: every field right or flagged.

Synthetic photographed VAT invoices with their rows bowed by 8% of the page height in the
middle (``reimburse.synth.photographed``), read by the whole pipeline. ``bench/curl_bench.py`` prints
the same over more seeds and bows.
"""

from __future__ import annotations

import pytest

from reimburse.synth.photographed import photographed_invoice

from .photos import assert_right_or_flagged


# 6000: the sum row's amounts sat most of a row apart; 6007: the title went unread under the
# seal and the page was called no invoice at all
@pytest.mark.parametrize("seed", [6000, 6007])
def test_a_curled_invoice_reads_right_or_flagged(seed: int) -> None:
    assert_right_or_flagged(photographed_invoice(seed, bow=0.08))
