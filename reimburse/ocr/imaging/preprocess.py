"""Straighten a photographed document and bring it to the working resolution.

Steps, each one conservative so that scans and clean renders pass through unharmed:

1. ``find_document_quad``: on a copy downscaled to ~640 px, look for the paper's outline
   (a large convex four-sided contour whose outside is clearly darker or busier than its
   inside). A table frame printed on a white page is *not* taken: its outside is paper too.
   When nothing convincing is found, or the quad is about the whole image, geometry is
   left alone.
2. ``warp_to_quad``: one perspective warp from the full-resolution image straight to the
   working size (warp and resize in a single interpolation).
3. ``normalise``: scale so the long side is ``WORK_LONG_SIDE`` (never upscale a large
   image beyond it, upscale small ones so that 8-pt print has enough pixels), and stretch
   the contrast of washed-out photos.

Rotation by 90/180/270 degrees is decided in ``ocr.imaging.orientation``.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from reimburse.ocr.engines.base import Image
from reimburse.ocr.imaging.arrays import scaled, u8

# The long side the OCR sees. A VAT invoice is 240 x 140 mm: at 1800 px its 9-pt digits are
# ~24 px tall; the recogniser scales each line to 48 px high, so it never upscales them more than 2x.
WORK_LONG_SIDE = 1800
# Below this the page is upscaled (small screenshots, thumbnails).
MIN_LONG_SIDE = 1200
_PROBE_LONG_SIDE = 640
# The least share of the frame a page may fill: a receipt photographed from arm's length, or a
# form on a desk with room around it (read then from the full-resolution photo, see
# ``imaging.document``).
_MIN_PAGE_SHARE = 0.05
_MIN_SIDE = 32  # below this there is no page outline (or text) worth looking for

Quad = npt.NDArray[np.float32]  # 4 x 2, clockwise from top-left


@dataclass(frozen=True, slots=True)
class Prepared:
    """The straightened image and what was done to get it (for debugging and tests)."""

    image: Image
    quad: Quad | None  # the document outline in the *input* image, when one was warped
    scale: float  # output pixels per input pixel (along the long side)


def prepare(image: Image, *, long_side: int = WORK_LONG_SIDE) -> Prepared:
    """Find and flatten the document if the photo shows one; normalise size and contrast."""
    quad = find_document_quad(image)
    if quad is not None:
        return flatten(image, quad, long_side=long_side)
    resized, scale = resize_long_side(image, long_side)
    return Prepared(image=stretch_contrast(resized), quad=None, scale=scale)


def flatten(image: Image, quad: Quad, *, long_side: int = WORK_LONG_SIDE) -> Prepared:
    """The page inside ``quad`` warped upright to the working size, contrast stretched."""
    warped = warp_to_quad(image, quad, long_side=long_side)
    return Prepared(image=stretch_contrast(warped), quad=quad, scale=_quad_scale(quad, warped))


def resize_long_side(image: Image, long_side: int) -> tuple[Image, float]:
    """Scale so the long side is ``long_side`` (down always; up only below ``MIN_LONG_SIDE``)."""
    height, width = image.shape[:2]
    current = max(height, width)
    if current > long_side:
        target = long_side
    elif current < MIN_LONG_SIDE:
        target = MIN_LONG_SIDE
    else:
        return image, 1.0
    scale = target / current
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return u8(cv2.resize(image, size, interpolation=interpolation)), scale


def find_document_quad(image: Image) -> Quad | None:
    """The outline of a sheet of paper photographed on a darker background, or None."""
    height, width = image.shape[:2]
    if min(height, width) < _MIN_SIDE:
        return None
    factor = _PROBE_LONG_SIDE / max(height, width)
    small = scaled(image, factor, cv2.INTER_AREA) if factor < 1 else image
    factor = min(factor, 1.0)
    grey = u8(cv2.cvtColor(small, cv2.COLOR_BGR2GRAY))
    area = float(grey.shape[0] * grey.shape[1])
    best: tuple[float, Quad] | None = None
    for candidate in _candidate_quads(grey):
        quad_area = float(cv2.contourArea(candidate))
        ratio = quad_area / area
        # Too small to be the invoice, or ~the whole frame (a scan): leave geometry alone.
        if ratio < _MIN_PAGE_SHARE or ratio > 0.9 or not _plausible(candidate):
            continue
        contrast = _edge_contrast(grey, candidate)
        if contrast < 18.0 or not _sides_are_edges(grey, candidate):
            continue
        score = ratio * min(contrast, 60.0)
        if best is None or score > best[0]:
            best = (score, candidate)
    if best is None:
        return None
    quad: Quad = (best[1] / factor).astype(np.float32)
    return quad


def warp_to_quad(image: Image, quad: Quad, *, long_side: int = WORK_LONG_SIDE) -> Image:
    """Map the quad to an upright rectangle whose long side is ``long_side`` px.

    The rectangle's proportions come from ``page_aspect`` (the paper's true width/height),
    not from the quad's side lengths, which perspective stretches.
    """
    height, width = image.shape[:2]
    aspect = page_aspect(quad, (width / 2.0, height / 2.0))
    if aspect >= 1.0:
        out_w, out_h = long_side, max(1, round(long_side / aspect))
    else:
        out_w, out_h = max(1, round(long_side * aspect)), long_side
    target = np.array([[0, 0], [out_w - 1, 0], [out_w - 1, out_h - 1], [0, out_h - 1]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(quad.astype(np.float32), target)
    # One interpolation from the full-resolution photo: warp and resize at once.
    return u8(
        cv2.warpPerspective(
            image, matrix, (out_w, out_h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
        )
    )


def page_aspect(quad: Quad, principal: tuple[float, float]) -> float:
    """Width/height of the real rectangle photographed as ``quad`` (Zhang & He, 2006).

    Solves the camera's focal length from the quad (principal point assumed at the image
    centre), then measures the two sides in the rectified plane. Falls back to the mean
    side lengths when the quad is (nearly) a parallelogram or the solution is degenerate.
    """
    tl, tr, br, bl = (
        np.array([p[0] - principal[0], p[1] - principal[1], 1.0]) for p in quad.astype(np.float64)
    )
    m1, m2, m3, m4 = tl, tr, bl, br
    fallback = float(
        (np.linalg.norm(tr - tl) + np.linalg.norm(br - bl))
        / max(1e-6, float(np.linalg.norm(bl - tl) + np.linalg.norm(br - tr)))
    )
    d2 = float(np.dot(np.cross(m2, m4), m3))
    d3 = float(np.dot(np.cross(m3, m4), m2))
    if abs(d2) < 1e-9 or abs(d3) < 1e-9:
        return fallback
    k2 = float(np.dot(np.cross(m1, m4), m3)) / d2
    k3 = float(np.dot(np.cross(m1, m4), m2)) / d3
    n2 = k2 * m2 - m1
    n3 = k3 * m3 - m1
    if abs(n2[2]) < 1e-6 or abs(n3[2]) < 1e-6:
        ratio_sq = (n2[0] ** 2 + n2[1] ** 2) / max(1e-12, n3[0] ** 2 + n3[1] ** 2)
        return float(np.sqrt(ratio_sq)) if ratio_sq > 0 else fallback
    f_sq = -(n2[0] * n3[0] + n2[1] * n3[1]) / (n2[2] * n3[2])
    if f_sq <= 0:
        return fallback
    num = (n2[0] ** 2 + n2[1] ** 2) / f_sq + n2[2] ** 2
    den = (n3[0] ** 2 + n3[1] ** 2) / f_sq + n3[2] ** 2
    if num <= 0 or den <= 0:
        return fallback
    aspect = float(np.sqrt(num / den))
    # A focal length solved from a nearly fronto-parallel quad is ill-conditioned; trust it
    # only when it agrees roughly with the side lengths.
    return aspect if 0.7 < aspect / fallback < 1.4 else fallback


def stretch_contrast(image: Image) -> Image:
    """Stretch washed-out or dim photos to the full range; leave well-exposed images as they are."""
    grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    sample = grey[:: max(1, grey.shape[0] // 200), :: max(1, grey.shape[1] // 200)]
    low, high = np.percentile(sample, (1.0, 99.0))
    if high - low >= 160 or high - low < 10:
        return image  # already contrasty (scans, renders) or blank: nothing to gain
    scale = 235.0 / float(high - low)
    lut = np.clip((np.arange(256, dtype=np.float32) - float(low)) * scale + 10.0, 0, 255).astype(np.uint8)
    return u8(cv2.LUT(image, lut))


def order_corners(points: npt.NDArray[np.float32]) -> Quad:
    """Order four points clockwise from top-left."""
    pts = points.reshape(4, 2).astype(np.float32)
    by_sum = pts.sum(axis=1)
    by_diff = np.diff(pts, axis=1).ravel()
    return np.array(
        [pts[np.argmin(by_sum)], pts[np.argmin(by_diff)], pts[np.argmax(by_sum)], pts[np.argmax(by_diff)]],
        dtype=np.float32,
    )


def _candidate_quads(grey: Image) -> list[Quad]:
    """Four-sided outlines from two views: edges, and a bright-paper mask."""
    blurred = cv2.GaussianBlur(grey, (5, 5), 0)
    edges = cv2.Canny(blurred, 40, 120)
    edges = cv2.dilate(edges, np.ones((3, 3), np.uint8))
    _, paper = cv2.threshold(blurred, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    paper = cv2.morphologyEx(paper, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8))
    quads: list[Quad] = []
    for mask in (edges, paper):
        contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        for contour in sorted(contours, key=cv2.contourArea, reverse=True)[:5]:
            hull = cv2.convexHull(contour)
            perimeter = cv2.arcLength(hull, True)
            for epsilon in (0.02, 0.04):
                approx = cv2.approxPolyDP(hull, epsilon * perimeter, True)
                if len(approx) == 4 and cv2.isContourConvex(approx):
                    quads.append(order_corners(approx.astype(np.float32)))
                    break
    return quads


# Paper documents are at most ~3.5:1 (a long taxi or roll receipt); a longer quad is a strip
# of the page (one printed column, a fold), and warping it to the full working size throws
# the rest of the page away.
_MAX_PAGE_ELONGATION = 4.0


def _plausible(quad: Quad) -> bool:
    """Reject slivers, strips and wild perspective: every corner angle within 45..135
    degrees, and sides no more than ``_MAX_PAGE_ELONGATION`` times longer than the others."""
    tl, tr, br, bl = quad
    across = (float(np.linalg.norm(tr - tl)) + float(np.linalg.norm(br - bl))) / 2
    down = (float(np.linalg.norm(bl - tl)) + float(np.linalg.norm(br - tr))) / 2
    if min(across, down) <= 0 or max(across, down) / min(across, down) > _MAX_PAGE_ELONGATION:
        return False
    for i in range(4):
        a, b, c = quad[i - 1], quad[i], quad[(i + 1) % 4]
        v1, v2 = a - b, c - b
        norm = float(np.linalg.norm(v1) * np.linalg.norm(v2))
        if norm == 0:
            return False
        angle = np.degrees(np.arccos(np.clip(float(np.dot(v1, v2)) / norm, -1.0, 1.0)))
        if not 45.0 <= angle <= 135.0:
            return False
    return True


def _edge_contrast(grey: Image, quad: Quad) -> float:
    """How much brighter the band just inside the outline is than the band just outside."""
    mask_in = np.zeros(grey.shape, np.uint8)
    cv2.fillConvexPoly(mask_in, quad.astype(np.int32), 255)
    band = max(3, round(min(grey.shape) * 0.02))
    kernel = np.ones((band, band), np.uint8)
    inner = cv2.subtract(mask_in, cv2.erode(mask_in, kernel))
    outer = cv2.subtract(cv2.dilate(mask_in, kernel), mask_in)
    if cv2.countNonZero(outer) < 50 or cv2.countNonZero(inner) < 50:
        # The quad touches the frame: nothing outside to compare with.
        return 0.0
    inside = float(cv2.mean(grey, mask=inner)[0])
    outside = float(cv2.mean(grey, mask=outer)[0])
    return inside - outside


# A side of the outline is the paper's edge when, at most points along it, the grey steps up
# sharply from just outside to just inside. A shading boundary (the lower half of a sheet in
# the shadow of the phone) also splits an Otsu mask, but its step is spread over a hand's
# width, so a few pixels either side of it differ by little.
_EDGE_STEP = 12.0
_EDGE_SHARE = 0.6
_EDGE_SAMPLES = 16


def _sides_are_edges(grey: Image, quad: Quad) -> bool:
    """Every side of the quad that is not along the image border is a sharp dark-to-light
    step over most of its length (sides along the border have no outside to look at)."""
    height, width = grey.shape[:2]
    margin = 0.03 * min(height, width)
    offset = max(2.0, 0.008 * min(height, width))
    centre = quad.mean(axis=0)
    for i in range(4):
        a, b = quad[i].astype(np.float64), quad[(i + 1) % 4].astype(np.float64)
        if _along_border(a, b, width, height, margin):
            continue
        direction = b - a
        length = float(np.linalg.norm(direction))
        if length < 1:
            return False
        normal = np.array([-direction[1], direction[0]]) / length
        if np.dot(centre - (a + b) / 2, normal) < 0:
            normal = -normal  # pointing into the quad
        steps = []
        for t in np.linspace(0.1, 0.9, _EDGE_SAMPLES):
            point = a + t * direction
            inside = _patch_mean(grey, point + normal * offset)
            outside = _patch_mean(grey, point - normal * offset)
            if inside is not None and outside is not None:
                steps.append(inside - outside)
        # Where the paper just inside reads darker than the desk outside, print runs up to the
        # edge (the invoice code in the top margin, a table's frame): no evidence either way.
        # Most of a side must still be readable paper.
        paper = [s for s in steps if s >= 0]
        if steps and (
            len(paper) < len(steps) / 2 or sum(s >= _EDGE_STEP for s in paper) < _EDGE_SHARE * len(paper)
        ):
            return False
    return True


def _along_border(a: npt.NDArray[np.float64], b: npt.NDArray[np.float64], w: int, h: int, m: float) -> bool:
    return bool(
        (a[0] <= m and b[0] <= m)
        or (a[1] <= m and b[1] <= m)
        or (a[0] >= w - 1 - m and b[0] >= w - 1 - m)
        or (a[1] >= h - 1 - m and b[1] >= h - 1 - m)
    )


def _patch_mean(grey: Image, point: npt.NDArray[np.float64], radius: int = 1) -> float | None:
    x, y = round(float(point[0])), round(float(point[1]))
    if x - radius < 0 or y - radius < 0 or x + radius >= grey.shape[1] or y + radius >= grey.shape[0]:
        return None
    return float(grey[y - radius : y + radius + 1, x - radius : x + radius + 1].mean())


def _quad_scale(quad: Quad, warped: Image) -> float:
    tl, tr, br, bl = quad
    side = max(
        np.linalg.norm(tr - tl), np.linalg.norm(br - bl), np.linalg.norm(bl - tl), np.linalg.norm(br - tr)
    )
    return float(max(warped.shape[:2]) / side)
