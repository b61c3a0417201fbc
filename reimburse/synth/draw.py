"""Drawing primitives for synthetic documents: fonts, text, QR codes and ink stamps.

Fonts come from Debian's ``fonts-noto-cjk`` (Noto Sans/Serif CJK SC), found through
fontconfig; without them nothing Chinese can be drawn, so ``FontMissing`` says how to
install them instead of falling back to boxes.
"""

from __future__ import annotations

import functools
import itertools
import math
import shutil
import subprocess
from pathlib import Path

import qrcode
from PIL import Image, ImageChops, ImageDraw, ImageFont

Color = tuple[int, int, int]
BLACK: Color = (20, 20, 20)
RED: Color = (215, 40, 40)

_KNOWN_PATHS = {
    "sans": (
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
        "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    ),
    "serif": (
        "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
        "/usr/share/fonts/noto-cjk/NotoSerifCJK-Regular.ttc",
    ),
    "bold": (
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
        "/usr/share/fonts/noto-cjk/NotoSansCJK-Bold.ttc",
    ),
}
_FAMILY = {"sans": "Noto Sans CJK", "serif": "Noto Serif CJK", "bold": "Noto Sans CJK"}
_MONO = ("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf",)


class FontMissing(RuntimeError):
    """The CJK fonts the renderer needs are not installed."""


@functools.cache
def font_file(style: str = "sans") -> tuple[str, int]:
    """(path, face index of the Simplified Chinese face) for ``sans``, ``serif`` or ``bold``."""
    candidates = [p for p in _KNOWN_PATHS[style] if Path(p).exists()]
    if not candidates:
        candidates = _fc_list(_FAMILY[style], bold=style == "bold")
    if not candidates and style != "sans":
        return font_file("sans")
    if not candidates:
        raise FontMissing(
            "Noto Sans CJK was not found (looked in /usr/share/fonts and `fc-list :lang=zh`); "
            "install Debian's fonts-noto-cjk: apt-get install fonts-noto-cjk"
        )
    path = candidates[0]
    for index in range(10):
        try:
            face = ImageFont.truetype(path, 12, index=index)
        except OSError:
            break
        if (face.getname()[0] or "").endswith(" SC"):
            return path, index
    return path, 0


def _fc_list(family: str, *, bold: bool) -> list[str]:
    if shutil.which("fc-list") is None:
        return []
    out = subprocess.run(
        ["fc-list", ":lang=zh", "file", "family", "style"], capture_output=True, text=True, check=False
    ).stdout
    hits = []
    for line in out.splitlines():
        if family in line and (("Bold" in line) == bold):
            hits.append(line.split(":", 1)[0])
    return sorted(set(hits))


@functools.cache
def font(size: int, style: str = "sans") -> ImageFont.FreeTypeFont:
    if style == "mono":
        for path in _MONO:
            if Path(path).exists():
                return ImageFont.truetype(path, size)
        style = "sans"
    path, index = font_file(style)
    return ImageFont.truetype(path, size, index=index)


def _arc_angle(start: float, span: float, fraction: float, rx: float, ry: float) -> float:
    """The angle at ``fraction`` of the ellipse arc's *length* (characters on a stamp are
    evenly spaced along the curve, not by angle, or they crowd at the narrow ends)."""
    steps = 200
    ts = [start + span * k / steps for k in range(steps + 1)]
    lengths = [0.0]
    for a, b in itertools.pairwise(ts):
        lengths.append(
            lengths[-1] + math.hypot(rx * (math.cos(b) - math.cos(a)), ry * (math.sin(b) - math.sin(a)))
        )
    target = lengths[-1] * fraction
    k = next((k for k, length in enumerate(lengths) if length >= target), steps)
    return ts[k]


class Pen:
    """A page to draw on, with the text helpers invoice forms need."""

    def __init__(self, width: int, height: int, background: Color = (255, 255, 255)) -> None:
        self.image = Image.new("RGB", (width, height), background)
        self.draw = ImageDraw.Draw(self.image)

    @classmethod
    def on(cls, image: Image.Image) -> Pen:
        """Draw onto an existing RGB image (in place)."""
        pen = cls.__new__(cls)
        pen.image = image
        pen.draw = ImageDraw.Draw(image)
        return pen

    @property
    def width(self) -> int:
        return self.image.width

    @property
    def height(self) -> int:
        return self.image.height

    def text(
        self,
        xy: tuple[float, float],
        text: str,
        size: int,
        color: Color = BLACK,
        *,
        style: str = "sans",
        anchor: str = "la",
    ) -> float:
        """Draw ``text``; returns the x just right of it."""
        if not text:
            return xy[0]
        f = font(size, style)
        self.draw.text(xy, text, fill=color, font=f, anchor=anchor)
        return float(self.draw.textbbox(xy, text, font=f, anchor=anchor)[2])

    def spaced(self, xy: tuple[float, float], text: str, size: int, width: float, color: Color) -> None:
        """Characters spread evenly over ``width`` ("名      称："), as labels on forms are;
        a trailing colon stays attached to the last character."""
        colon = text[-1] if text[-1] in ":：" else ""
        chars = [c for c in text.removesuffix(colon) if not c.isspace()]
        if len(chars) == 1:
            self.text(xy, chars[0] + colon, size, color)
            return
        step = (width - size * (1 + len(colon))) / (len(chars) - 1)
        for i, ch in enumerate(chars):
            self.text((xy[0] + i * step, xy[1]), ch + (colon if i == len(chars) - 1 else ""), size, color)

    def vertical(self, x: float, top: float, bottom: float, text: str, size: int, color: Color) -> None:
        """Characters stacked in a column, centred between ``top`` and ``bottom``."""
        step = (bottom - top) / len(text)
        for i, ch in enumerate(text):
            self.text((x, top + step * (i + 0.5)), ch, size, color, anchor="mm")

    def fit(
        self, xy: tuple[float, float], text: str, size: int, max_width: float, color: Color = BLACK
    ) -> None:
        """Draw on one line, shrinking the font until it fits ``max_width``."""
        while size > 10 and font(size).getlength(text) > max_width:
            size -= 1
        self.text(xy, text, size, color)

    def line(self, xy: tuple[float, float, float, float], color: Color, width: int = 2) -> None:
        self.draw.line(xy, fill=color, width=width)

    def rect(self, xy: tuple[float, float, float, float], color: Color, width: int = 2) -> None:
        self.draw.rectangle(xy, outline=color, width=width)

    def qr(self, xy: tuple[int, int], data: str, size: int) -> None:
        code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
        code.add_data(data)
        code.make(fit=True)
        matrix = code.get_matrix()
        module = max(size // len(matrix), 2)
        for r, row in enumerate(matrix):
            for c, dark in enumerate(row):
                if dark:
                    x, y = xy[0] + c * module, xy[1] + r * module
                    self.draw.rectangle((x, y, x + module - 1, y + module - 1), fill=(0, 0, 0))

    def stamp(
        self,
        centre: tuple[float, float],
        size: tuple[int, int],
        ring: str,
        lines: tuple[tuple[str, int], ...],
        color: Color = RED,
        *,
        angle: float = 0.0,
    ) -> None:
        """An oval ink stamp: ``ring`` along the upper arc, ``lines`` (text, size) across.

        Stamp ink is translucent: it is multiplied onto the page, so text under it stays
        legible the way it does on paper.
        """
        w, h = size
        layer = Image.new("RGB", (w + 8, h + 8), (255, 255, 255))
        d = ImageDraw.Draw(layer)
        d.ellipse((4, 4, w + 4, h + 4), outline=color, width=max(3, w // 80))
        cx, cy = (w + 8) / 2, (h + 8) / 2
        ring_size = max(14, int(h * 0.14))
        ring_font = font(ring_size, "bold")
        n = len(ring)
        # long rings (company names) wrap further round, down to below the centre line on
        # both sides, as on real stamps; the tax ID across the middle stays clear of them
        span = math.radians(min(270, max(140, 17 * n)))
        rx, ry = (w / 2 - ring_size * 0.95), (h / 2 - ring_size * 0.95)
        for i, ch in enumerate(ring):
            t = _arc_angle(-math.pi / 2 - span / 2, span, (i + 0.5) / n, rx, ry)
            x, y = cx + rx * math.cos(t), cy + ry * math.sin(t)
            glyph = Image.new("L", (ring_size * 2, ring_size * 2), 0)
            ImageDraw.Draw(glyph).text((ring_size, ring_size), ch, fill=255, font=ring_font, anchor="mm")
            rotated = glyph.rotate(-math.degrees(t) - 90, resample=Image.Resampling.BICUBIC)
            layer.paste(color, (int(x - ring_size), int(y - ring_size)), rotated)
        y = cy + (lines[0][1] * 0.3 if n > 6 else -sum(s for _, s in lines) * 0.2) if lines else cy
        for text, s in lines:
            d.text((cx, y), text, fill=color, font=font(s, "bold"), anchor="mm")
            y += s * 1.25
        if angle:
            layer = layer.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=(255, 255, 255))
        box = (int(centre[0] - layer.width / 2), int(centre[1] - layer.height / 2))
        self.multiply(layer, box)

    def multiply(self, layer: Image.Image, box: tuple[int, int]) -> None:
        """Ink ``layer`` (white = no ink) onto the page at ``box``, clipped to the page."""
        left, top = max(box[0], 0), max(box[1], 0)
        right = min(box[0] + layer.width, self.width)
        bottom = min(box[1] + layer.height, self.height)
        if right <= left or bottom <= top:
            return
        part = layer.crop((left - box[0], top - box[1], right - box[0], bottom - box[1]))
        base = self.image.crop((left, top, right, bottom))
        self.image.paste(ImageChops.multiply(base, part), (left, top))
