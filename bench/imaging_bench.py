"""Imaging benchmark: QR decoding (zxing-cpp vs pyzbar, and our ``decode_qr``) and page orientation.

``--qr``: every scan, render and PNG of the dev set (invoices and negatives), decoded once as a
whole image by zxing-cpp and by pyzbar (when installed: ``pip install pyzbar`` and Debian's
``libzbar0``), and by ``decode_qr`` (zxing-cpp, then corner crops, Otsu binarisation, half scale,
only while no fapiao payload is found). Prints how many images gave a fapiao payload
(``parse_qr`` accepts it) and the mean milliseconds per image (wall clock, and CPU time of this
process, which other load on a shared machine disturbs less).

``--orientation``: every 5th render, every 3rd scan and every PNG, each turned by 0, 90, 180 and
270 degrees; a page counts as turned upright when ``detect_orientation`` asks for the rotation
that undoes the turn (the dev originals are upright). Prints the count and p50 seconds per page.

Both run by default; the dev set is read in place (``../shared/fapiao-dev``), never copied.

    python bench/imaging_bench.py [--dev DIR] [--qr] [--orientation]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import zxingcpp

from reimburse.ocr.fapiao.qr import parse_qr
from reimburse.ocr.imaging.orientation import detect_orientation, rotate
from reimburse.ocr.imaging.qr import decode_qr

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DEV = ROOT.parent / "shared" / "fapiao-dev"
KINDS = ("scan", "render", "png")


def dev_images(dev: Path) -> dict[str, list[tuple[str, np.ndarray]]]:
    """Decoded images per kind, in ``labels.jsonl`` order."""
    rows = [json.loads(line) for line in (dev / "labels.jsonl").read_text(encoding="utf-8").splitlines()]
    out: dict[str, list[tuple[str, np.ndarray]]] = {k: [] for k in KINDS}
    for row in rows:
        if row.get("kind") in KINDS and (dev / row["file"]).is_file():
            data = np.frombuffer((dev / row["file"]).read_bytes(), np.uint8)
            out[row["kind"]].append((row["file"], cv2.imdecode(data, cv2.IMREAD_COLOR)))
    return out


def zxing_texts(grey: np.ndarray) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(grey, formats=zxingcpp.BarcodeFormat.QRCode)]


def pyzbar_reader() -> Callable[[np.ndarray], list[str]] | None:
    try:
        from pyzbar import pyzbar
    except ImportError:  # the module, or libzbar0 under it
        return None

    def texts(grey: np.ndarray) -> list[str]:
        found = pyzbar.decode(grey, symbols=[pyzbar.ZBarSymbol.QRCODE])
        return [s.data.decode("utf-8", "replace") for s in found]

    return texts


def bench_qr(images: dict[str, list[tuple[str, np.ndarray]]]) -> None:
    greys = [cv2.cvtColor(img, cv2.COLOR_BGR2GRAY) for kind in KINDS for _, img in images[kind]]
    readers: list[tuple[str, Callable[[np.ndarray], Any]]] = [
        ("zxing-cpp, whole image", lambda g: any(parse_qr(t) for t in zxing_texts(g))),
    ]
    zbar = pyzbar_reader()
    if zbar is not None:
        readers.append(("pyzbar, whole image", lambda g: any(parse_qr(t) for t in zbar(g))))
    readers.append(("decode_qr (with retries)", lambda g: decode_qr(g).payload is not None))
    print(f"QR: {len(greys)} dev images ({', '.join(f'{len(images[k])} {k}' for k in KINDS)})")
    for name, read in readers:
        found, times, cpu = 0, [], []
        for grey in greys:
            t, c = time.perf_counter(), time.process_time()
            found += bool(read(grey))
            times.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)
        mean_ms, cpu_ms = statistics.mean(times) * 1000, statistics.mean(cpu) * 1000
        share = f"{found:>3}/{len(greys)}"
        print(f"  {name:<26} fapiao payload in {share}   mean {mean_ms:6.1f} ms ({cpu_ms:.1f} ms CPU)")
    if zbar is None:
        print("  pyzbar: not installed (pip install pyzbar; apt install libzbar0), not measured")


def bench_orientation(images: dict[str, list[tuple[str, np.ndarray]]]) -> None:
    pages = images["render"][::5] + images["scan"][::3] + images["png"]
    upright, times, cpu, wrong = 0, [], [], []
    for name, img in pages:
        for turn in (0, 90, 180, 270):
            turned = rotate(img, turn)
            t, c = time.perf_counter(), time.process_time()
            rotation = detect_orientation(turned).rotation
            times.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)
            if (rotation + turn) % 360 == 0:
                upright += 1
            else:
                wrong.append(f"{Path(name).name} turned {turn}: asked for {rotation}")
    print(
        f"orientation: {len(pages)} pages x 4 turns: {upright}/{len(times)} turned upright, "
        f"p50 {statistics.median(times):.3f} s per page ({statistics.median(cpu):.3f} s CPU)"
    )
    for line in wrong:
        print(f"  not upright: {line}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dev", type=Path, default=DEFAULT_DEV)
    parser.add_argument("--qr", action="store_true", help="only the QR comparison (default: both)")
    parser.add_argument("--orientation", action="store_true", help="only orientation (default: both)")
    args = parser.parse_args()
    if not (args.dev / "labels.jsonl").is_file():
        print(f"no dev set at {args.dev} (labels.jsonl): nothing measured")
        return
    images = dev_images(args.dev)
    both = not (args.qr or args.orientation)
    if args.qr or both:
        bench_qr(images)
    if args.orientation or both:
        bench_orientation(images)


if __name__ == "__main__":
    main()
