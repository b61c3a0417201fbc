"""Make a clean render look like a phone photo of the paper, reproducibly from a seed.

In the order things happen to a real photo: a stamp lands over printed text, the sheet
lies on a desk (background texture), the camera sees it in perspective and at any of
four orientations, the light is uneven (a gradient plus a soft shadow), the lens and
hand blur it, the sensor adds noise, and the phone (or the chat app) compresses it as
JPEG, sometimes twice.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

from reimburse.synth.draw import RED, Pen
from reimburse.synth.model import company_name

_BACKGROUNDS = ((120, 85, 55), (150, 150, 150), (205, 200, 190), (60, 60, 65), (170, 120, 80))


@dataclass(frozen=True, slots=True)
class PhotoStyle:
    """What was done to one photo (written beside the sample for debugging)."""

    rotation: int  # degrees counter-clockwise: 0, 90, 180, 270
    blur_sigma: float
    noise_sigma: float
    jpeg_quality: int
    stamp_over_text: bool


def photograph(
    clean: Image.Image,
    rng: random.Random,
    *,
    long_side: int = 2000,
    bow: float = 0.0,
    fill: tuple[float, float] = (0.7, 0.9),
) -> tuple[Image.Image, PhotoStyle]:
    """A photographed-looking copy of ``clean`` (RGB) and the style that was applied.

    ``bow`` curves the sheet before it is placed: its rows sag (or rise) in the middle by that
    share of the page height, as on paper lying curled across its width. ``fill``: the least
    and most share of the frame the sheet spans (a slip photographed from further away spans
    less)."""
    seed = rng.randrange(2**32)
    nrng = np.random.default_rng(seed)
    page = clean.copy()
    stamp_over = rng.random() < 0.6
    if stamp_over:
        _stray_stamp(page, rng)
    doc = np.asarray(page.convert("RGB"), dtype=np.uint8)[:, :, ::-1]  # BGR for OpenCV

    landscape = doc.shape[1] >= doc.shape[0]
    out_w, out_h = (long_side, long_side * 3 // 4) if landscape else (long_side * 3 // 4, long_side)
    photo = _background(out_w, out_h, rng, nrng)
    if bow:
        doc = _bowed(doc, bow * rng.choice((-1, 1)))
    photo = _place(doc, photo, rng, fill)
    photo = _lighting(photo, rng, nrng)
    blur = rng.uniform(0.5, 1.6)
    photo = cv2.GaussianBlur(photo, (0, 0), blur)
    noise = rng.uniform(2.0, 6.0)
    photo = np.clip(photo.astype(np.float32) + nrng.normal(0, noise, photo.shape), 0, 255).astype(np.uint8)
    rotation = rng.choice((0, 90, 180, 270))
    photo = np.ascontiguousarray(np.rot90(photo, rotation // 90))
    quality = rng.randint(70, 90)
    ok, encoded = cv2.imencode(".jpg", photo, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:  # pragma: no cover - OpenCV encodes any uint8 image
        raise RuntimeError("JPEG encoding failed")
    decoded = Image.open(io.BytesIO(encoded.tobytes())).convert("RGB")
    return decoded, PhotoStyle(rotation, round(blur, 2), round(noise, 2), quality, stamp_over)


def _bowed(doc: np.ndarray, bow: float) -> np.ndarray:
    """The sheet with its rows bent in a parabola across the width: moved by ``bow`` × height
    in the middle, not at all at the side edges (the outline stays a rectangle: a curl seen
    from above)."""
    h, w = doc.shape[:2]
    amp = bow * h
    pad = int(abs(amp)) + 2
    # the bent sheet needs the room the rows move into: the output is 2 * pad taller
    yy, xx = np.mgrid[0 : h + 2 * pad, 0:w].astype(np.float32)
    across = (xx / w - 0.5) * 2
    rows = yy - amp * (1 - across * across)
    padded = cv2.copyMakeBorder(doc, pad, pad, 0, 0, cv2.BORDER_CONSTANT, value=(255, 255, 255))
    bent: np.ndarray = cv2.remap(padded, xx, rows, cv2.INTER_LINEAR, borderValue=(255, 255, 255))
    return bent


def _stray_stamp(page: Image.Image, rng: random.Random) -> None:
    """A company stamp pressed over the middle of the form, across printed text."""
    pen = Pen.on(page)
    centre = (rng.uniform(0.3, 0.7) * page.width, rng.uniform(0.35, 0.65) * page.height)
    size = (int(page.width * 0.16), int(page.width * 0.11))
    pen.stamp(
        centre,
        size,
        company_name(rng, ""),
        (("财务专用章", max(14, size[1] // 7)),),
        RED,
        angle=rng.uniform(-30, 30),
    )


def _background(w: int, h: int, rng: random.Random, nrng: np.random.Generator) -> np.ndarray:
    base = np.array(rng.choice(_BACKGROUNDS)[::-1], dtype=np.float32)
    low = cv2.resize(nrng.normal(0, 18, (8, 8)).astype(np.float32), (w, h), interpolation=cv2.INTER_CUBIC)
    grain = nrng.normal(0, 6, (h, w)).astype(np.float32)
    img = base[None, None, :] + (low + grain)[:, :, None]
    return np.clip(img, 0, 255).astype(np.uint8)


def _place(doc: np.ndarray, photo: np.ndarray, rng: random.Random, fill: tuple[float, float]) -> np.ndarray:
    """Warp the sheet onto the background across ``fill`` of the frame, corners jittered."""
    h, w = doc.shape[:2]
    out_h, out_w = photo.shape[:2]
    scale = min(out_w / w, out_h / h) * rng.uniform(*fill)
    sw, sh = w * scale, h * scale
    cx = out_w / 2 + rng.uniform(-0.05, 0.05) * out_w
    cy = out_h / 2 + rng.uniform(-0.05, 0.05) * out_h
    jitter = 0.06 * min(sw, sh)
    corners = [(-sw / 2, -sh / 2), (sw / 2, -sh / 2), (sw / 2, sh / 2), (-sw / 2, sh / 2)]
    dst = np.array(
        [(cx + x + rng.uniform(-jitter, jitter), cy + y + rng.uniform(-jitter, jitter)) for x, y in corners],
        dtype=np.float32,
    )
    src = np.array([(0, 0), (w, 0), (w, h), (0, h)], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(src, dst)
    warped = cv2.warpPerspective(doc, matrix, (out_w, out_h), flags=cv2.INTER_AREA)
    mask = cv2.warpPerspective(np.full((h, w), 255, np.uint8), matrix, (out_w, out_h))
    out = photo.copy()
    out[mask > 127] = warped[mask > 127]
    return out


def _lighting(photo: np.ndarray, rng: random.Random, nrng: np.random.Generator) -> np.ndarray:
    """A light gradient across the frame and a soft shadow (a hand, a phone)."""
    h, w = photo.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    angle = rng.uniform(0, 2 * np.pi)
    ramp = (np.cos(angle) * xx / w + np.sin(angle) * yy / h).astype(np.float32)
    ramp = (ramp - ramp.min()) / max(float(ramp.max() - ramp.min()), 1e-6)
    gain = 1.05 - rng.uniform(0.15, 0.35) * ramp
    if rng.random() < 0.7:
        sx, sy = rng.uniform(0, w), rng.uniform(0, h)
        radius = rng.uniform(0.2, 0.45) * max(w, h)
        dist = np.sqrt((xx - sx) ** 2 + (yy - sy) ** 2) / radius
        gain *= 1 - rng.uniform(0.2, 0.4) * np.clip(1 - dist, 0, 1) ** 2
    tint = 1 + nrng.normal(0, 0.02, 3).astype(np.float32)  # a slight colour cast
    out = photo.astype(np.float32) * gain[:, :, None] * tint[None, None, :]
    result: np.ndarray = np.clip(out, 0, 255).astype(np.uint8)
    return result


def scan(clean: Image.Image, rng: random.Random) -> Image.Image:
    """A flatbed-scan look: a slight skew on the white bed, a grey lid edge, mild blur,
    sensor noise and JPEG compression; no perspective and no uneven light."""
    nrng = np.random.default_rng(rng.randrange(2**32))
    doc = np.asarray(clean.convert("RGB"), dtype=np.uint8)[:, :, ::-1]
    h, w = doc.shape[:2]
    pad = int(0.04 * max(w, h))
    bed = np.full((h + 2 * pad, w + 2 * pad, 3), 246, np.uint8)
    bed[:, : pad // 3] = 90  # the lid's shadow along one edge
    bed[pad : pad + h, pad : pad + w] = doc
    matrix = cv2.getRotationMatrix2D((bed.shape[1] / 2, bed.shape[0] / 2), rng.uniform(-1.5, 1.5), 1.0)
    bed = cv2.warpAffine(bed, matrix, (bed.shape[1], bed.shape[0]), borderValue=(246, 246, 246))
    bed = cv2.GaussianBlur(bed, (0, 0), rng.uniform(0.4, 0.8))
    noisy = np.clip(bed.astype(np.float32) + nrng.normal(0, 2.0, bed.shape), 0, 255).astype(np.uint8)
    ok, encoded = cv2.imencode(".jpg", noisy, [cv2.IMWRITE_JPEG_QUALITY, rng.randint(75, 90)])
    if not ok:  # pragma: no cover - OpenCV encodes any uint8 image
        raise RuntimeError("JPEG encoding failed")
    return Image.open(io.BytesIO(encoded.tobytes())).convert("RGB")
