"""Names under a stamp: how a party's name reads when a company stamp is pressed over it.

Synthetic photographed VAT invoices (``reimburse.synth.stamped``), one name under a red
stamp each, read by the whole pipeline (``DocumentReader``). Prints how many names came out
right, wrong but flagged for review, missing (flagged: a VAT form always names both parties),
and wrong with no flag (silent), with each silent one listed.

    python bench/stamp_bench.py [--count 40] [--first-seed 1000]
"""

from __future__ import annotations

import argparse
import time
from collections import Counter

from reimburse.ocr.reader import DocumentReader
from reimburse.synth.stamped import stamped_name_photo


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=40)
    parser.add_argument("--first-seed", type=int, default=1000)
    args = parser.parse_args()
    reader = DocumentReader()
    outcomes: Counter[str] = Counter()
    start = time.perf_counter()
    for seed in range(args.first_seed, args.first_seed + args.count):
        sample = stamped_name_photo(seed)
        extraction = reader.read(sample.jpeg)[0].extraction
        got = extraction.value(sample.field)
        flagged = any(sample.field in r.fields for r in extraction.review_reasons)
        if got == sample.expected:
            outcome = "right"
        elif got is None:
            outcome = "missing, flagged" if flagged else "missing, silent"
        else:
            outcome = "wrong, flagged" if flagged else "wrong, silent"
        outcomes[outcome] += 1
        if outcome.endswith("silent"):
            print(f"  silent: seed {seed} {sample.field} expected {sample.expected!r} got {got!r}")
    elapsed = time.perf_counter() - start
    last = args.first_seed + args.count - 1
    print(f"names under a stamp: {args.count} photos (seeds {args.first_seed}..{last})")
    for outcome in ("right", "wrong, flagged", "missing, flagged", "wrong, silent", "missing, silent"):
        print(f"  {outcome:17} {outcomes[outcome]:3}")
    print(f"  {elapsed / args.count:.2f} s per photo (generation included)")


if __name__ == "__main__":
    main()
