"""Slips far from the camera: how the fields of a 12-megapixel photo read when the invoice
fills little of the frame.

Synthetic photographed VAT invoices (``reimburse.synth.photographed``), the same seeds at each
fill (the share of the frame the sheet spans, drawn between two bounds), photos of
``--long-side`` pixels, read by the whole pipeline (``DocumentReader``). Prints, per fill, the
printed fields that came out right, wrong or missing but flagged for review, and wrong or
missing with no flag (silent), with each silent one listed, and the median seconds a photo's
read took (making the photo not included).

    python bench/distance_bench.py [--count 24] [--first-seed 12000]
        [--fills 0.7-0.9,0.35-0.5] [--long-side 4000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from curl_bench import score

from reimburse.ocr.reader import DocumentReader
from reimburse.synth.photographed import photographed_invoice


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=24)
    parser.add_argument("--first-seed", type=int, default=12000)
    parser.add_argument("--fills", default="0.7-0.9,0.35-0.5")
    parser.add_argument("--long-side", type=int, default=4000)
    args = parser.parse_args()
    reader = DocumentReader()
    last = args.first_seed + args.count - 1
    print(
        f"distant slips: {args.count} photos of {args.long_side} px per fill "
        f"(seeds {args.first_seed}..{last})"
    )
    print(f"{'fill':>9} {'fields':>6} {'right':>6} {'flagged':>8} {'silent':>7} {'read s':>8}")
    for spec in args.fills.split(","):
        low, high = (float(v) for v in spec.split("-"))
        outcomes: Counter[str] = Counter()
        seconds = []
        for seed in range(args.first_seed, args.first_seed + args.count):
            sample = photographed_invoice(seed, fill=(low, high), long_side=args.long_side)
            seconds.append(score(reader, sample, f"fill {spec} seed {seed}", outcomes))
        total = sum(outcomes.values())
        per_photo = statistics.median(seconds)
        print(
            f"{spec:>9} {total:6d} {outcomes['right'] / total:6.1%} {outcomes['flagged']:8d} "
            f"{outcomes['silent']:7d} {per_photo:8.2f}"
        )


if __name__ == "__main__":
    main()
