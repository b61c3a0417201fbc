"""Synthetic pages and photos for the imaging tests (no real invoices anywhere)."""

from __future__ import annotations

import io
import subprocess
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np
import qrcode
from PIL import Image, ImageDraw, ImageFont

QR_TEXT = "01,04,1100201130,12345678,100.00,20210315,12345678901234567890,ABCD"
NUMBER = "12345678"


@lru_cache(maxsize=1)
def cjk_font_path() -> str | None:
    """A font that draws Chinese, if the machine has one (CI installs fonts-noto-cjk)."""
    try:
        out = subprocess.run(
            ["fc-list", ":lang=zh", "file"], capture_output=True, text=True, timeout=10, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        out = ""
    for line in out.splitlines():
        path = line.split(":")[0].strip()
        if path and Path(path).is_file():
            return path
    return None


def font(size: int, *, cjk: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """A CJK font for Chinese strings; Pillow's bundled font for digits and Latin.

    CJK fallback fonts (e.g. Droid Sans Fallback) may have no digits at all, so ASCII text is
    always drawn with Pillow's own font.
    """
    path = cjk_font_path() if cjk else None
    if path:
        return ImageFont.truetype(path, size)
    return ImageFont.load_default(size=size)


def qr_image(text: str = QR_TEXT, box_size: int = 4) -> Image.Image:
    code = qrcode.QRCode(border=2, box_size=box_size, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(text)
    code.make(fit=True)
    return code.make_image(fill_color="black", back_color="white").convert("RGB")


def page(width: int = 1400, height: int = 820, *, with_qr: bool = True, frame: bool = True) -> np.ndarray:
    """A white invoice-like page (BGR): QR top-left, a table frame, a dozen text lines."""
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    cjk = cjk_font_path() is not None
    title = "增值税普通发票" if cjk else "VAT INVOICE 2021"
    draw.text((width // 2 - 200, 40), title, font=font(48, cjk=cjk), fill=(0, 0, 0))
    draw.text((width - 460, 60), f"No {NUMBER}", font=font(36), fill=(0, 0, 0))
    if with_qr:
        image.paste(qr_image(), (40, 30))
    if frame:
        draw.rectangle((40, 200, width - 40, height - 80), outline=(0, 0, 0), width=3)
    label = "名称：测试有限公司" if cjk else "Name: Example Trading Co"
    for i in range(10):
        y = 230 + i * 48
        draw.text((70, y), label, font=font(30, cjk=cjk), fill=(0, 0, 0))
        draw.text((width // 2 + 40, y), f"{1000 + 37 * i}.00  {i + 3}%", font=font(30), fill=(0, 0, 0))
    return cv2.cvtColor(np.asarray(image), cv2.COLOR_RGB2BGR)


def camera_corners(
    page_size: tuple[int, int],
    frame: tuple[int, int],
    *,
    tilt_x: float,
    tilt_y: float,
    spin: float,
    fill: float = 0.7,
) -> np.ndarray:
    """Where a pinhole camera (principal point at the centre) sees the page's corners.

    The page is rotated by ``tilt_x``/``tilt_y`` (degrees, out of plane) and ``spin`` (in
    plane), and placed so that it spans about ``fill`` of the frame's width.
    """
    pw, ph = page_size
    width, height = frame
    focal = 0.8 * width  # a phone's main camera: ~26 mm equivalent
    local = np.array(
        [[-pw / 2, -ph / 2, 0], [pw / 2, -ph / 2, 0], [pw / 2, ph / 2, 0], [-pw / 2, ph / 2, 0]], float
    )
    ax, ay, az = np.radians([tilt_x, tilt_y, spin])
    rx = np.array([[1, 0, 0], [0, np.cos(ax), -np.sin(ax)], [0, np.sin(ax), np.cos(ax)]])
    ry = np.array([[np.cos(ay), 0, np.sin(ay)], [0, 1, 0], [-np.sin(ay), 0, np.cos(ay)]])
    rz = np.array([[np.cos(az), -np.sin(az), 0], [np.sin(az), np.cos(az), 0], [0, 0, 1]])
    world = local @ (rz @ ry @ rx).T
    distance = focal * pw / (fill * width)
    world[:, 2] += distance
    projected = world[:, :2] / world[:, 2:3] * focal + np.array([width / 2, height / 2])
    return projected.astype(np.float32)


def photo(
    sheet: np.ndarray, *, size: tuple[int, int] = (2400, 1800), seed: int = 3
) -> tuple[np.ndarray, np.ndarray]:
    """``sheet`` photographed on a dark desk from an angle; returns (photo, true corners)."""
    rng = np.random.default_rng(seed)
    width, height = size
    ph, pw = sheet.shape[:2]
    corners = camera_corners(
        (pw, ph), size, tilt_x=rng.uniform(-20, 20), tilt_y=rng.uniform(-20, 20), spin=rng.uniform(-8, 8)
    )
    source = np.array([[0, 0], [pw - 1, 0], [pw - 1, ph - 1], [0, ph - 1]], np.float32)
    matrix = cv2.getPerspectiveTransform(source, corners)
    out = np.full((height, width, 3), (60, 70, 85), np.uint8)
    warped = cv2.warpPerspective(sheet, matrix, size, flags=cv2.INTER_CUBIC)
    mask = cv2.warpPerspective(np.full((ph, pw), 255, np.uint8), matrix, size) > 127
    out[mask] = warped[mask]
    noisy = np.clip(out.astype(np.float32) + rng.normal(0, 3, out.shape), 0, 255).astype(np.uint8)
    return cv2.GaussianBlur(noisy, (0, 0), 0.8), corners


def jpeg(image: np.ndarray, quality: int = 92) -> bytes:
    rgb = Image.fromarray(cv2.cvtColor(image, cv2.COLOR_BGR2RGB))
    buffer = io.BytesIO()
    rgb.save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()
