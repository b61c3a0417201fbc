"""Curled pages: how the fields of a photographed VAT invoice read when its rows are bowed.

Synthetic photographed VAT invoices (``reimburse.synth.photographed``), the same seeds at each bow
(0 = flat, 0.05 = the rows' middle moved by 5% of the page height, 0.08 = 8%), read by the whole
pipeline (``DocumentReader``). Prints, per bow, the printed fields that came out right, wrong or
missing but flagged for review, and wrong or missing with no flag (silent), with each silent
one listed.

    python bench/curl_bench.py [--count 24] [--first-seed 6000] [--bows 0,0.05,0.08]
"""

from __future__ import annotations

import argparse
import time
from collections import Counter

from reimburse.ocr.reader import DocumentReader
from reimburse.synth.photographed import PhotographedInvoice, photographed_invoice


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=24)
    parser.add_argument("--first-seed", type=int, default=6000)
    parser.add_argument("--bows", default="0,0.05,0.08")
    args = parser.parse_args()
    reader = DocumentReader()
    last = args.first_seed + args.count - 1
    print(f"curled pages: {args.count} photos per bow (seeds {args.first_seed}..{last})")
    print(f"{'bow':>5} {'fields':>6} {'right':>6} {'flagged':>8} {'silent':>7} {'s/photo':>8}")
    for bow in (float(b) for b in args.bows.split(",")):
        outcomes: Counter[str] = Counter()
        start = time.perf_counter()
        for seed in range(args.first_seed, args.first_seed + args.count):
            score(reader, photographed_invoice(seed, bow=bow), f"bow {bow} seed {seed}", outcomes)
        total = sum(outcomes.values())
        per_photo = (time.perf_counter() - start) / args.count
        print(
            f"{bow:5.2f} {total:6d} {outcomes['right'] / total:6.1%} {outcomes['flagged']:8d} "
            f"{outcomes['silent']:7d} {per_photo:8.2f}"
        )


def score(reader: DocumentReader, sample: PhotographedInvoice, label: str, outcomes: Counter[str]) -> float:
    """Count each printed field of ``sample`` as read right, wrong or missing but flagged for
    review, or wrong or missing with no flag (silent; each one printed with ``label``).
    Returns the seconds the read took."""
    start = time.perf_counter()
    extraction = reader.read(sample.jpeg)[0].extraction
    seconds = time.perf_counter() - start
    flagged = {name for reason in extraction.review_reasons for name in reason.fields}
    for name, expected in sample.expected.items():
        got = extraction.value(name)
        if got == expected:
            outcomes["right"] += 1
        elif name in flagged:
            outcomes["flagged"] += 1
        else:
            outcomes["silent"] += 1
            print(f"  silent: {label} {name} expected {expected!r} got {got!r}")
    return seconds


if __name__ == "__main__":
    main()
