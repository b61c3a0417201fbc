"""Reading a synthetic photographed invoice and holding it to the rule: every printed value
right or flagged for review, at most one not right."""

from __future__ import annotations

from reimburse.ocr.reader import DocumentReader
from reimburse.synth.photographed import PhotographedInvoice

_READER = DocumentReader()


def assert_right_or_flagged(sample: PhotographedInvoice) -> None:
    extraction = _READER.read(sample.jpeg)[0].extraction
    assert extraction.is_invoice
    flagged = {name for reason in extraction.review_reasons for name in reason.fields}
    wrong = {n: extraction.value(n) for n, v in sample.expected.items() if extraction.value(n) != v}
    assert not wrong.keys() - flagged, f"wrong and unflagged: {wrong}"
    assert len(wrong) <= 1
