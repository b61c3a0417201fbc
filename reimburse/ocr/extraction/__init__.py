"""Field extraction: positioned text (+ QR payload) in, checked invoice fields out.

Pure: values in, values out; no engine, file, clock or settings. The same code reads OCR
output, PDF text layers and OFD page text, because all of them are ``TextPage`` values.

How a value is chosen: the QR payload is error-corrected and therefore wins for the fields
it carries (code, number, date, amount, check code) — the printed text confirms it, and a
well-formed printed value that disagrees is a finding, since a QR that disagrees with its
own invoice is either a misread or a forgery. Other fields come from labels and layout.
Arithmetic relations (amount + tax = total, the total in capitals, USCC check digits)
raise the confidence of values they confirm and flag the ones they contradict.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal

from reimburse.ocr.domain import (
    DocumentType,
    Extraction,
    FieldSource,
    FieldValue,
    LineItem,
    QrPayload,
    ReviewReason,
    TextLine,
    TextPage,
)
from reimburse.ocr.extraction import fields as f
from reimburse.ocr.extraction.checks import run_checks
from reimburse.ocr.extraction.classify import NOT_FOR_REIMBURSEMENT, classify, is_agent_issued
from reimburse.ocr.extraction.consistency import consistency_reasons
from reimburse.ocr.extraction.items import find_columns, find_items
from reimburse.ocr.extraction.layout import Layout, char_scores
from reimburse.ocr.extraction.remarks import agent_seller, find_remarks
from reimburse.ocr.extraction.seal import find_seals, ring_name
from reimburse.ocr.extraction.taxi import read_taxi
from reimburse.ocr.fapiao.money import fmt_money
from reimburse.ocr.fapiao.uscc import (
    is_id_card_number,
    is_valid_uscc,
    repair_uscc,
    tax_id_problem,
    uscc_impossible_fixed,
)

__all__ = ["cross_check_structured", "extract", "lines_to_reread"]

# Confidence of a QR value the printed text did not confirm (the QR itself is checked by
# its own error correction; what is left is the chance the code belongs to another invoice).
_QR_ALONE = 0.97
_CONFIRMED = 0.99


def extract(pages: Sequence[TextPage], qr: QrPayload | None) -> Extraction:
    layout = Layout.of(pages)
    source = pages[0].source if pages else FieldSource.OCR
    number_cands = f.find_number(layout)
    number = _best(number_cands)
    is_invoice, doc_type = classify(layout, qr, number.value if number else None)
    if not is_invoice:
        return Extraction(is_invoice=False, document_type=DocumentType.NOT_INVOICE)
    copy_only = any(NOT_FOR_REIMBURSEMENT.search(ln.text) for ln in layout.lines)
    copy_reason = (
        [
            ReviewReason(
                "copy_not_for_reimbursement",
                "this copy says 此联不作报销、扣税凭证使用: not valid for reimbursement",
            )
        ]
        if copy_only
        else []
    )
    if doc_type is DocumentType.TAXI:
        return _extract_taxi(layout, source, copy_reason, copy_only)

    found: dict[str, FieldValue] = {}
    disagreements: list[ReviewReason] = []
    digital = doc_type in (DocumentType.DIGITAL_GENERAL, DocumentType.DIGITAL_SPECIAL) or (
        qr is not None and qr.amount_includes_tax
    )

    columns = find_columns(layout)
    items: tuple[LineItem, ...] = find_items(layout, *columns) if columns else ()
    sum_row = f.find_sum_row(
        layout, columns[1].amount_x() if columns else None, columns[1].tax_x() if columns else None
    )
    capitals = _best(f.find_capitals(layout))
    total = _best(f.find_total(layout))
    buyer, seller = f.find_parties(layout)
    remarks = find_remarks(layout)
    agent = is_agent_issued(layout)
    agent_reasons: list[ReviewReason] = []
    if agent:
        # One meaning for both seller fields: the real seller from the remarks (代开企业名称 +
        # 代开企业税号) when both are there, else the seller box as printed. A name from one
        # place with a tax ID from the other would be a pair that never existed.
        name, tax_id, score = agent_seller(layout)
        if name and tax_id:
            seller = replace(seller, name=f.Candidate(name, score), tax_id=f.Candidate(tax_id, score))
        elif name or tax_id:
            agent_reasons.append(
                ReviewReason(
                    "agent_seller_partial",
                    "the remarks name the real seller only in part; the seller box is shown",
                    ("seller_name", "seller_tax_id"),
                )
            )
    if doc_type is DocumentType.QUOTA and seller.tax_id is None:
        seller = replace(seller, tax_id=f.find_stamp_tax_id(layout))
    if seller.name is None and not agent:
        # a quota invoice names its seller only in the stamp; a stamp can hide a printed name
        seller = replace(seller, name=ring_name(pages))

    ocr: dict[str, f.Candidate | None] = {
        "invoice_code": None if digital else _best(f.find_code(layout)),
        "invoice_number": number,
        "issue_date": _best(f.find_date(layout)),
        "check_code": _best(f.find_check_code(layout)),
        "amount_excl_tax": sum_row.amount,
        "tax": sum_row.tax,
        "total": total,
        "buyer_name": buyer.name,
        "buyer_tax_id": buyer.tax_id,
        "seller_name": seller.name,
        "seller_tax_id": seller.tax_id,
    }
    for name, cand in ocr.items():
        if cand is not None:
            found[name] = FieldValue(cand.value, round(cand.score, 4), source)
    disagreements += _repair_tax_ids(found)

    if qr is not None:
        _apply_qr(found, qr, source, disagreements)
    _complete_amounts(found, capitals, source)
    _confirm(found, capitals)

    reasons = run_checks(
        doc_type,
        found,
        items,
        capitals_total=capitals.value if capitals else None,
        disagreements=disagreements,
        # a check code's label is printed only with the code beside it: not finding the code
        # is a read that failed (small print, blur), never a form without one
        labelled=("check_code",) if any(_CHECK_CODE_LABEL.match(ln.text) for ln in layout.lines) else (),
    )
    name_scores = {
        k: char_scores(c.lines, c.value)
        for k, c in (("buyer_name", buyer.name), ("seller_name", seller.name))
        if c is not None and found.get(k) is not None and found[k].value == c.value
    }
    used = {id(ln) for c in (buyer.tax_id, seller.tax_id) if c is not None for ln in c.lines}
    extra = consistency_reasons(
        found,
        items,
        # a total read only from its capitals is no check of itself (nor of a tax derived from it)
        capitals_total=capitals.value if capitals and total else None,
        page_tax_ids=_page_tax_ids(layout, used),
        seals=find_seals(layout, used),
        agent_issued=agent,
        name_char_scores=name_scores,
    )
    return Extraction(
        is_invoice=True,
        document_type=doc_type,
        fields=found,
        line_items=items,
        remarks=remarks,
        agent_issued=agent,
        review_reasons=tuple(_dedupe([*reasons, *agent_reasons, *extra, *copy_reason])),
        not_for_reimbursement=copy_only,
    )


def lines_to_reread(page: TextPage) -> list[TextLine]:
    """The OCR lines worth a second read by a stronger recogniser: those the party names are
    read from, where one look-alike character makes a wrong name that every check passes."""
    return [ln.raw for ln in f.party_name_lines(Layout.of([page]))]


def _extract_taxi(
    layout: Layout, source: FieldSource, copy_reason: list[ReviewReason], copy_only: bool
) -> Extraction:
    """Taxi receipts: code, number, date and the amount paid; times and distance as extras."""
    taxi = read_taxi(layout)
    found: dict[str, FieldValue] = {}
    for name, cand in (
        ("invoice_code", taxi.code),
        ("invoice_number", taxi.number),
        ("issue_date", taxi.date),
        ("total", taxi.total),
    ):
        if cand is not None:
            found[name] = FieldValue(cand.value, round(cand.score, 4), source)
    reasons = list(run_checks(DocumentType.TAXI, found, (), capitals_total=None, disagreements=()))
    if taxi.total_uncertain:
        reasons.append(
            ReviewReason(
                "taxi_total_uncertain",
                "surcharges are printed but the amount paid (实收) could not be read; the fare is shown",
                ("total",),
            )
        )
    return Extraction(
        is_invoice=True,
        document_type=DocumentType.TAXI,
        fields=found,
        review_reasons=tuple(_dedupe([*reasons, *copy_reason])),
        not_for_reimbursement=copy_only,
        extras=taxi.extras,
    )


_USCC_TOKEN = re.compile(r"(?<![0-9A-Z])[0-9A-Z]{18}(?![0-9A-Z])")


# the check code's label opening its line (not 校验 inside a name or an item: 计量校验有限公司)
_CHECK_CODE_LABEL = re.compile(r"校验[码吗]")
_ACCOUNT_OR_PHONE = re.compile(r"账号|开户行|电话|银行")


def _page_tax_ids(layout: Layout, used: set[int]) -> list[str]:
    """Valid credit codes printed outside the labelled tax-ID boxes (the seal, mostly), and
    older 15-character IDs alone on their line (a seal before 2016): those have no check
    character, so the seal's copy is the only check of a misread digit."""
    out = []
    for ln in layout.lines:
        if id(ln) in used or f.TAX_ID_LABEL.search(ln.text) or "代开" in ln.text:
            continue
        out += [t for t in _USCC_TOKEN.findall(ln.text) if is_valid_uscc(t)]
        if not any(_ACCOUNT_OR_PHONE.search(o.text) for o in layout.same_row(ln, right_only=False)):
            # a 15-digit account number beside its label is no seal
            out += [t for t in f.stamp_tax_ids(ln.text) if len(t) == 15 and tax_id_problem(t) is None]
    return out


def _repair_tax_ids(found: dict[str, FieldValue]) -> list[ReviewReason]:
    """Credit codes misread with a letter the alphabet lacks (I, O, S, V, Z) are repaired when
    the repair makes the check character hold: certain, since the letter cannot be right. A
    repair that needs a swap between two valid look-alikes is only a guess, so it is flagged."""
    out: list[ReviewReason] = []
    for side in ("buyer_tax_id", "seller_tax_id"):
        fv = found.get(side)
        if fv is None or len(fv.value) != 18 or is_valid_uscc(fv.value) or is_id_card_number(fv.value):
            continue
        certain = uscc_impossible_fixed(fv.value)
        if certain is not None:
            found[side] = replace(fv, value=certain)
            continue
        guess = repair_uscc(fv.value)
        if guess is not None:
            found[side] = replace(fv, value=guess, confidence=min(fv.confidence, 0.8))
            out.append(
                ReviewReason(
                    "tax_id_repaired",
                    f"{side}: read {fv.value}, which fails its check character; {guess} is the one "
                    "look-alike swap that passes",
                    (side,),
                )
            )
    return out


def cross_check_structured(
    structured: Extraction, pages: Sequence[TextPage], qr: QrPayload | None
) -> Extraction:
    """A file's own invoice data (OFD/XML) is taken as read; the page text and QR confirm it.

    The structured values keep their source. Differences between them and what the page
    shows (or the QR carries) are findings: the embedded data and the visible invoice of
    a genuine file never differ.
    """
    if not structured.is_invoice:
        return structured
    reasons: list[ReviewReason] = list(structured.review_reasons)
    if pages:
        # the invoice face is the first page; later pages are continuation lists (清单)
        seen = extract(pages[:1], None)
        for name in ("invoice_number", "total", "issue_date"):
            ours, theirs = structured.value(name), seen.value(name)
            if ours is not None and theirs is not None and ours != theirs:
                reasons.append(
                    ReviewReason(
                        "structured_text_mismatch",
                        f"{name}: the file's data says {ours}, the page shows {theirs}",
                        (name,),
                        (("file", str(ours)), ("page", str(theirs))),
                    )
                )
    if qr is not None:
        for name, value in _qr_values(qr).items():
            ours = structured.value(name)
            if ours is not None and ours != value:
                reasons.append(
                    ReviewReason(
                        "qr_text_mismatch",
                        f"{name}: the QR code says {value}, the file {ours}",
                        (name,),
                        (("qr", str(value)), ("printed", str(ours))),
                    )
                )
    checks = run_checks(
        structured.document_type,
        structured.fields,
        structured.line_items,
        capitals_total=None,
        disagreements=(),
    )
    reasons += [r for r in checks if r.code != "low_confidence"]
    return replace(structured, review_reasons=tuple(_dedupe(reasons)))


def _best(cands: Sequence[f.Candidate]) -> f.Candidate | None:
    """The value most candidates agree on; ties go to the best-read one."""
    if not cands:
        return None
    votes = Counter(c.value for c in cands)
    return max(cands, key=lambda c: (votes[c.value], c.score))


def _qr_values(qr: QrPayload) -> dict[str, str]:
    out = {"invoice_number": qr.invoice_number}
    if qr.invoice_code:
        out["invoice_code"] = qr.invoice_code
    if qr.issue_date:
        out["issue_date"] = qr.issue_date
    if qr.check_code:
        out["check_code"] = qr.check_code
    if qr.amount is not None:
        out["total" if qr.amount_includes_tax else "amount_excl_tax"] = qr.amount
    return out


def _apply_qr(
    found: dict[str, FieldValue], qr: QrPayload, source: FieldSource, reasons: list[ReviewReason]
) -> None:
    for name, value in _qr_values(qr).items():
        printed = found.get(name)
        if printed is not None and printed.value == value:
            # confirmed by both; a file's text layer is exact, so it stays the source
            src = source if source is not FieldSource.OCR else FieldSource.QR
            found[name] = FieldValue(value, 1.0, src)
            continue
        if printed is not None and _well_formed(name, printed.value) and printed.confidence >= 0.95:
            reasons.append(
                ReviewReason(
                    "qr_text_mismatch",
                    f"{name}: the QR code says {value}, the printed text {printed.value}",
                    (name,),
                    (("qr", str(value)), ("printed", str(printed.value))),
                )
            )
        found[name] = FieldValue(value, _QR_ALONE, FieldSource.QR)


def _well_formed(name: str, value: str) -> bool:
    lengths = {"invoice_code": (10, 12), "invoice_number": (8, 20), "check_code": (20,)}
    if name in lengths:
        return value.isdigit() and len(value) in lengths[name]
    return True


def _complete_amounts(
    found: dict[str, FieldValue], capitals: f.Candidate | None, source: FieldSource
) -> None:
    """Fill a missing one of amount / tax / total from the other two (or the capitals)."""
    amount, tax, total = (found.get(k) for k in ("amount_excl_tax", "tax", "total"))
    if total is None and capitals is not None:
        found["total"] = total = FieldValue(capitals.value, capitals.score, source)
    # computed values are marked DERIVED: they make amount + tax = total hold by construction,
    # so they must never count as confirmation of the values they came from
    derived = FieldSource.DERIVED
    if amount is not None and tax is not None and total is None:
        value = Decimal(amount.value) + Decimal(tax.value)
        found["total"] = FieldValue(fmt_money(value), min(amount.confidence, tax.confidence), derived)
    elif amount is not None and total is not None and tax is None:
        value = Decimal(total.value) - Decimal(amount.value)
        if value >= 0 or Decimal(total.value) < 0:
            found["tax"] = FieldValue(fmt_money(value), min(amount.confidence, total.confidence), derived)
    elif tax is not None and total is not None and amount is None:
        value = Decimal(total.value) - Decimal(tax.value)
        found["amount_excl_tax"] = FieldValue(
            fmt_money(value), min(tax.confidence, total.confidence), derived
        )


def _confirm(found: dict[str, FieldValue], capitals: f.Candidate | None) -> None:
    """Raise the confidence of values an independent check confirms."""
    amount, tax, total = (found.get(k) for k in ("amount_excl_tax", "tax", "total"))
    read = all(v is not None and v.source is not FieldSource.DERIVED for v in (amount, tax, total))
    if (
        read
        and amount
        and tax
        and total
        and Decimal(amount.value) + Decimal(tax.value) == Decimal(total.value)
    ):
        # three numbers read separately that add up, and a total that matches its capitals
        # (or a QR-confirmed amount), are right together
        anchored = (capitals is not None and capitals.value == total.value) or any(
            v.source is FieldSource.QR for v in (amount, total)
        )
        if anchored:
            for k in ("amount_excl_tax", "tax", "total"):
                found[k] = replace(found[k], confidence=max(found[k].confidence, _CONFIRMED))
    if (
        capitals is not None
        and total is not None
        and total.source is not FieldSource.DERIVED
        and capitals.value == total.value
    ):
        found["total"] = replace(total, confidence=max(found["total"].confidence, _CONFIRMED))
    for side in ("buyer_tax_id", "seller_tax_id"):
        value = found.get(side)
        if value is not None and len(value.value) == 18 and is_valid_uscc(value.value):
            found[side] = replace(value, confidence=max(value.confidence, _CONFIRMED))


def _dedupe(reasons: list[ReviewReason]) -> list[ReviewReason]:
    seen: set[tuple[str, tuple[str, ...]]] = set()
    out = []
    for r in reasons:
        if (r.code, r.fields) not in seen:
            seen.add((r.code, r.fields))
            out.append(r)
    return out
