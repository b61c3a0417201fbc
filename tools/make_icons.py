"""Draws the web app's icons (a receipt with a tick on the brand blue) into reimburse/web.

Run ``python tools/make_icons.py`` after changing the design; the PNGs are committed, so the
server needs no image library at run time. ``any`` icons are a rounded square with transparent
corners; the ``maskable`` one fills the canvas and keeps the drawing inside the central 80 %
circle that every launcher mask leaves visible.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

WEB = Path(__file__).resolve().parents[1] / "reimburse" / "web"
BRAND = (31, 78, 121, 255)  # the theme colour, #1f4e79
PAPER = (255, 255, 255, 255)
INK = (150, 166, 184, 255)
TICK = (46, 160, 90, 255)
SCALE = 4  # drawn large, then reduced: smooth edges without an anti-aliasing library


def _receipt(draw: ImageDraw.ImageDraw, size: float, inset: float) -> None:
    """The receipt and the tick inside a square of ``size`` with ``inset`` on every side."""
    box = size - 2 * inset
    left, top = inset + box * 0.2, inset + box * 0.1
    right, bottom = inset + box * 0.74, inset + box * 0.86
    teeth = 6
    width = right - left
    tooth = width / teeth
    outline = [(left, top), (right, top), (right, bottom)]
    for i in range(teeth):  # the torn edge
        x = right - i * tooth
        outline += [(x - tooth / 2, bottom - tooth * 0.55), (x - tooth, bottom)]
    draw.polygon(outline, fill=PAPER)
    line = box * 0.045
    for i, share in enumerate((0.8, 0.6, 0.7, 0.45)):
        y = top + box * 0.14 + i * box * 0.12
        draw.rounded_rectangle((left + box * 0.07, y, left + box * 0.07 + width * share * 0.8, y + line),
                               radius=line / 2, fill=INK)  # fmt: skip
    # the tick in a circle, overlapping the receipt's corner
    cx, cy, r = inset + box * 0.7, inset + box * 0.72, box * 0.17
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=TICK, outline=BRAND, width=int(box * 0.035))
    stroke = int(box * 0.05)
    draw.line([(cx - r * 0.5, cy + r * 0.02), (cx - r * 0.12, cy + r * 0.4), (cx + r * 0.52, cy - r * 0.38)],
              fill=PAPER, width=stroke, joint="curve")  # fmt: skip


def icon(px: int, *, maskable: bool) -> Image.Image:
    size = px * SCALE
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    if maskable:
        draw.rectangle((0, 0, size, size), fill=BRAND)
        _receipt(draw, size, inset=size * 0.12)  # inside the 80 % safe circle
    else:
        draw.rounded_rectangle((0, 0, size - 1, size - 1), radius=size * 0.2, fill=BRAND)
        _receipt(draw, size, inset=size * 0.02)
    return image.resize((px, px), Image.Resampling.LANCZOS)


# (file, pixels, maskable): the sizes installers ask for (192 and 512), the maskable one, and
# the 180 px icon iOS takes from <link rel="apple-touch-icon">
ICONS = (
    ("icon-192.png", 192, False),
    ("icon-512.png", 512, False),
    ("icon-maskable-512.png", 512, True),
    ("apple-touch-icon.png", 180, True),
)


def main() -> None:
    for name, px, maskable in ICONS:
        image = icon(px, maskable=maskable)
        if name == "apple-touch-icon.png":
            image = image.convert("RGB")  # iOS draws transparency black
        image.save(WEB / name, optimize=True)
        print(WEB / name)


if __name__ == "__main__":
    main()
