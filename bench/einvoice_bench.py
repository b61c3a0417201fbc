"""E-invoice files: seconds per file for PDF, OFD and XML, on one core.

Synthetic files from ``tests/einvoice/builders.py`` (and, with ``--dev``, the PDF and OFD
files of ``../shared/fapiao-dev``). The baseline, in the same process, is what a reader
without text-layer support would do with the same PDFs: rasterise at 200 dpi and run the
image OCR pipeline. Target (issue 3): p50 <= 50 ms per e-invoice file on one core.

    OMP_NUM_THREADS=1 python bench/einvoice_bench.py [--n 30] [--dev ../shared/fapiao-dev]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pymupdf

from reimburse.ocr.reader import DocumentReader
from reimburse.synth.einvoice import Invoice, digital_xml, ofd, pdf


def timed(reader: DocumentReader, data: bytes, n: int) -> list[float]:
    out = []
    for _ in range(n):
        start = time.perf_counter()
        reader.read(data)
        out.append(time.perf_counter() - start)
    return out


def p(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=30)
    parser.add_argument("--dev", type=Path, default=None)
    args = parser.parse_args()
    reader = DocumentReader(threads=1)
    files = {
        "pdf (synthetic)": pdf(Invoice()),
        "ofd (synthetic)": ofd(Invoice()),
        "xml (synthetic)": digital_xml(Invoice()),
    }
    if args.dev and (args.dev / "labels.jsonl").exists():
        for line in (args.dev / "labels.jsonl").read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            if row["kind"] in ("pdf", "ofd") and row.get("is_invoice"):
                files[f"{row['kind']} (dev) {Path(row['file']).name[:24]}"] = (
                    args.dev / row["file"]
                ).read_bytes()
    reader.read(files["pdf (synthetic)"])  # warm up
    print(f"{'file':44} {'p50 ms':>8} {'p95 ms':>8}")
    all_p50 = []
    for name, data in files.items():
        t = timed(reader, data, args.n)
        all_p50.append(p(t, 50))
        print(f"{name:44} {1000 * p(t, 50):8.1f} {1000 * p(t, 95):8.1f}")
    print(f"median of per-file p50: {1000 * statistics.median(all_p50):.1f} ms (target <= 50 ms, one core)")
    # Baseline: rasterise the synthetic PDF and OCR it, as a reader without text layers would.
    doc = pymupdf.open(stream=files["pdf (synthetic)"], filetype="pdf")
    png = doc[0].get_pixmap(dpi=200).tobytes("png")
    reader.read(png)
    base = timed(reader, png, max(3, args.n // 10))
    ours = timed(reader, files["pdf (synthetic)"], args.n)
    print(
        f"baseline rasterise+OCR of the same PDF: p50 {1000 * p(base, 50):.0f} ms; "
        f"text layer {1000 * p(ours, 50):.1f} ms = {p(base, 50) / p(ours, 50):.0f}x faster"
    )


if __name__ == "__main__":
    main()
