"""`reimburse eval --list-silent`: each wrong value nobody is told about, with what was read."""

from __future__ import annotations

from reimburse.ocr.domain import DocumentType, Extraction, FieldSource, FieldValue, ReviewReason
from reimburse.ocr.evaluation import Summary, _tally, format_report, silent_errors


def test_silent_errors_are_listed_with_confidence_and_source_and_flagged_ones_are_not() -> None:
    row = {"file": "a.jpg", "kind": "photo", "is_invoice": True, "label_quality": "hand-verified"}
    labelled = {"seller_name": "明月示例餐饮管理有限公司", "total": "106.00", "tax": "6.00"}
    ex = Extraction(
        is_invoice=True,
        document_type=DocumentType.VAT_SPECIAL,
        fields={
            "seller_name": FieldValue("明目示例餐饮管理有限公司", 0.97, FieldSource.OCR),
            "total": FieldValue("108.00", 0.8, FieldSource.OCR),
            "tax": FieldValue("6.00", 0.99, FieldSource.OCR),
        },
        review_reasons=(ReviewReason("low_confidence", "hard to read", ("total",)),),
    )
    summary = Summary()
    _tally({**row, "fields": labelled}, labelled, ex, summary)
    (listed,) = silent_errors(summary)
    assert "a.jpg" in listed and "seller_name" in listed and "明目示例" in listed
    assert "confidence 0.970" in listed and "source ocr" in listed
    assert listed in format_report(summary, list_silent=True)
    assert listed not in format_report(summary)
