"""``reimburse eval DIR``: extraction measured against ``DIR/labels.jsonl``.

A labels row: ``file``, ``kind`` (scan, render, photo, pdf, ofd, png, ...), ``is_invoice``,
``label_quality`` and ``fields`` (only labelled fields count; ``null`` means unlabelled).
Reported: per-field and per-kind accuracy, silent errors (a wrong value the result does not
flag for review — the errors that would reach an approver unseen) and negatives recognised.
Labels of quality ``upstream-noisy`` were typed by hand upstream and contain errors, so
they are reported apart from the reliable ones.

A held-out slice (``held_out``: within each kind, the 30% of files whose salted SHA-256 of
the file name ranks first) is never looked at while tuning and is reported separately;
``--part tuning`` evaluates only the rest, so tuning runs never see the held-out results.
"""

from __future__ import annotations

import hashlib
import json
import time
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from reimburse.core.errors import ReimburseError
from reimburse.ocr.domain import FIELD_NAMES, Extraction
from reimburse.ocr.reader import DocumentReader
from reimburse.ocr.serialize import extraction_to_json

NOISY = "upstream-noisy"
HELD_OUT_SHARE = 0.3
_HELD_OUT_SALT = "reimburse-held-out-v1:"
PARTS = ("tuning", "held-out")
_MONEY_FIELDS = frozenset({"amount_excl_tax", "tax", "total"})


@dataclass
class Tally:
    total: int = 0
    correct: int = 0
    silent: int = 0  # a wrong value that is not flagged for review
    missing: int = 0  # labelled but not found (shown as empty, so not silent)

    def add(self, ok: bool, flagged: bool, found: bool = True) -> None:
        self.total += 1
        self.correct += ok
        self.silent += found and (not ok) and (not flagged)
        self.missing += not found

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0


@dataclass
class Summary:
    files: int = 0
    read_errors: list[tuple[str, str]] = field(default_factory=list)
    fields: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    kinds: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    reliable: Tally = field(default_factory=Tally)
    noisy: Tally = field(default_factory=Tally)
    negatives: int = 0
    negatives_recognised: int = 0
    invoices: int = 0
    invoices_recognised: int = 0
    flagged_documents: int = 0
    seconds: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    mistakes: list[dict[str, Any]] = field(default_factory=list)
    invoices_called_not_invoice: list[str] = field(default_factory=list)
    parts: dict[str, Summary] = field(default_factory=dict)


def held_out(rows: list[dict[str, Any]]) -> set[str]:
    """The held-out file names: per kind, the first 30% by a salted hash of the name.

    Deterministic and blind to content (only the name and kind are used), stratified by
    kind so that the real phone photos and scans are represented in the slice.
    """
    by_kind: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        by_kind[row["kind"]].append(row["file"])
    out: set[str] = set()
    for names in by_kind.values():
        ranked = sorted(names, key=lambda n: hashlib.sha256((_HELD_OUT_SALT + n).encode()).hexdigest())
        out.update(ranked[: round(len(ranked) * HELD_OUT_SHARE)])
    return out


def evaluate_dir(
    directory: Path,
    reader: DocumentReader,
    *,
    kinds: set[str] | None = None,
    details_path: Path | None = None,
    part: str | None = None,
) -> Summary:
    """Evaluate every labelled file (or only ``kinds``, or only one ``part``)."""
    summary = Summary()
    rows = _labels(directory)
    held = held_out(rows)
    details = details_path.open("w", encoding="utf-8") if details_path else None
    try:
        for row in rows:
            row_part = PARTS[1] if row["file"] in held else PARTS[0]
            if (kinds and row["kind"] not in kinds) or (part and row_part != part):
                continue
            sub = summary.parts.setdefault(row_part, Summary())
            _evaluate_one(directory, row, reader, (summary, sub), details, row_part)
    finally:
        if details:
            details.close()
    return summary


def _labels(directory: Path) -> list[dict[str, Any]]:
    path = directory / "labels.jsonl"
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _evaluate_one(
    directory: Path,
    row: dict[str, Any],
    reader: DocumentReader,
    summaries: tuple[Summary, ...],
    details: Any,
    part: str,
) -> None:
    kind = row["kind"]
    started = time.perf_counter()
    error: str | None = None
    try:
        results = reader.read((directory / row["file"]).read_bytes())
    except (ReimburseError, OSError) as exc:
        error, results = str(exc), []
    seconds = time.perf_counter() - started
    labelled = {k: v for k, v in (row.get("fields") or {}).items() if v is not None and k in FIELD_NAMES}
    ex = _pick(results, labelled)
    if details is not None:
        record = extraction_to_json(row["file"], ex) if ex else {"source": row["file"], "error": "no result"}
        details.write(json.dumps({"part": part, "label": row, "result": record}, ensure_ascii=False) + "\n")
    for summary in summaries:
        summary.files += 1
        summary.seconds[kind].append(seconds)
        if error is not None:
            summary.read_errors.append((row["file"], error))
        _tally(row, labelled, ex, summary)


def _tally(row: dict[str, Any], labelled: dict[str, Any], ex: Extraction | None, summary: Summary) -> None:
    kind = row["kind"]
    if not row.get("is_invoice", True):
        summary.negatives += 1
        summary.negatives_recognised += ex is None or not ex.is_invoice
        return
    summary.invoices += 1
    summary.invoices_recognised += ex is not None and ex.is_invoice
    if ex is not None and not ex.is_invoice:
        summary.invoices_called_not_invoice.append(row["file"])
    summary.flagged_documents += ex is not None and ex.needs_review
    flagged_fields = {n for r in ex.review_reasons for n in r.fields} if ex else set()
    for name, expected in labelled.items():
        got = ex.value(name) if ex else None
        ok = got is not None and same_value(name, got, str(expected))
        flagged = ex is not None and name in flagged_fields
        for tally in (
            summary.fields[name],
            summary.kinds[kind],
            summary.noisy if row.get("label_quality") == NOISY else summary.reliable,
        ):
            tally.add(ok, flagged, found=got is not None)
        if not ok:
            fv = ex.fields.get(name) if ex else None
            summary.mistakes.append(
                {
                    "file": row["file"],
                    "kind": kind,
                    "field": name,
                    "expected": expected,
                    "got": got,
                    "flagged": flagged,
                    "confidence": fv.confidence if fv else None,
                    "source": str(fv.source) if fv else None,
                }
            )


def _pick(results: list[Any], labelled: dict[str, Any]) -> Extraction | None:
    """The result a label row describes (a multi-invoice file yields several)."""
    if not results:
        return None
    number = labelled.get("invoice_number")
    for r in results:
        if number is not None and r.extraction.value("invoice_number") == str(number):
            return r.extraction  # type: ignore[no-any-return]
    return results[0].extraction  # type: ignore[no-any-return]


def same_value(name: str, got: str, expected: str) -> bool:
    if name in _MONEY_FIELDS:
        try:
            return Decimal(got) == Decimal(expected)
        except InvalidOperation:
            return False
    return _norm(got) == _norm(expected)


def _norm(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split()).upper()


def _pct(t: Tally) -> str:
    return f"{t.correct}/{t.total} = {100 * t.accuracy:.1f}%  missing {t.missing}  silent errors {t.silent}"


def _p50(values: list[float]) -> float:
    s = sorted(values)
    return s[len(s) // 2] if s else 0.0


def silent_errors(s: Summary) -> list[str]:
    """One line per silent error (a wrong value not flagged): file, field, expected, got,
    confidence and source, to find the classes of error the checks miss."""
    out = []
    for m in s.mistakes:
        if m["got"] is None or m["flagged"]:
            continue
        conf = "-" if m["confidence"] is None else f"{m['confidence']:.3f}"
        out.append(
            f"silent: {m['file']}  [{m['kind']}]  {m['field']}: expected {m['expected']!r}, "
            f"got {m['got']!r}  (confidence {conf}, source {m['source']})"
        )
    return out


def format_report(s: Summary, *, list_silent: bool = False) -> str:
    out = _report_lines(s)
    if list_silent:
        out += silent_errors(s)
    for path, message in s.read_errors:
        out.append(f"read error: {path}: {message}")
    for name in PARTS:
        if name in s.parts:
            out.append(f"== {name} part only ({'never used for tuning' if name == PARTS[1] else 'tuned on'})")
            out += ["  " + line for line in _report_lines(s.parts[name])]
    return "\n".join(out)


def group_tallies(s: Summary) -> dict[str, Tally]:
    """Phone photos, scans and everything else, the three groups the targets name."""
    out = {"photo": Tally(), "scan": Tally(), "other": Tally()}
    for kind, t in s.kinds.items():
        g = out[kind if kind in ("photo", "scan") else "other"]
        g.total, g.correct, g.silent, g.missing = (
            g.total + t.total,
            g.correct + t.correct,
            g.silent + t.silent,
            g.missing + t.missing,
        )
    return out


def _report_lines(s: Summary) -> list[str]:
    out = [f"files: {s.files}   read errors: {len(s.read_errors)}"]
    out.append(f"invoices recognised: {s.invoices_recognised}/{s.invoices}")
    out.append(f"invoices called not_invoice: {len(s.invoices_called_not_invoice)}")
    out.append(f"negatives recognised: {s.negatives_recognised}/{s.negatives}")
    out.append(f"invoices flagged for review: {s.flagged_documents}/{s.invoices}")
    out.append(f"fields, reliable labels: {_pct(s.reliable)}")
    if s.noisy.total:
        out.append(f"fields, upstream-noisy labels: {_pct(s.noisy)}")
    everything = Tally(
        s.reliable.total + s.noisy.total,
        s.reliable.correct + s.noisy.correct,
        s.reliable.silent + s.noisy.silent,
    )
    if everything.total:
        out.append(
            f"silent error rate (all labelled fields): {100 * everything.silent / everything.total:.2f}%"
        )
    out.append("per group:")
    for group, tally in group_tallies(s).items():
        if tally.total:
            out.append(f"  {group:<8} {_pct(tally)}")
    out.append("per kind:")
    for kind in sorted(s.kinds):
        out.append(f"  {kind:<8} {_pct(s.kinds[kind])}   p50 {_p50(s.seconds[kind]):.3f} s/file")
    out.append("per field:")
    for name in FIELD_NAMES:
        if name in s.fields:
            out.append(f"  {name:<16} {_pct(s.fields[name])}")
    return out
