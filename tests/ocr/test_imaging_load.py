"""Safe image decoding: formats, EXIF orientation, bombs and corrupt files."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from reimburse.ocr.errors import DecompressionBomb, ImageDecodeError
from reimburse.ocr.imaging.load import load_image

LIMIT = 80_000_000


def _page(width: int = 320, height: int = 200) -> Image.Image:
    """A white page with a red block at the top-left, so orientation is visible."""
    array = np.full((height, width, 3), 255, np.uint8)
    array[10:60, 10:100] = (255, 0, 0)  # RGB red
    return Image.fromarray(array)


def _encode(image: Image.Image, fmt: str, **params: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **params)
    return buffer.getvalue()


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "HEIF"])
def test_formats_round_trip_to_bgr(fmt: str) -> None:
    if fmt == "HEIF":
        pillow_heif = pytest.importorskip("pillow_heif")
        pillow_heif.register_heif_opener()
    data = _encode(_page(), fmt, quality=95) if fmt != "PNG" else _encode(_page(), fmt)
    image = load_image(data, max_pixels=LIMIT)
    assert image.shape == (200, 320, 3)
    assert image.dtype == np.uint8
    b, g, r = (int(v) for v in image[30, 50])
    assert r > 200 and g < 60 and b < 60  # red stays red: channels are in BGR order
    assert image[150, 250].min() > 230


def test_exif_orientation_is_applied() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # stored sideways; the viewer must rotate 90 degrees clockwise
    data = _encode(_page(), "JPEG", quality=95, exif=exif.tobytes())
    image = load_image(data, max_pixels=LIMIT)
    assert image.shape == (320, 200, 3)
    # The red block that was top-left is now top-right.
    assert image[50, 170, 2] > 200 and image[50, 170, 1] < 60


def test_png_with_alpha_is_flattened_on_white() -> None:
    rgba = Image.new("RGBA", (50, 40), (0, 0, 0, 0))
    image = load_image(_encode(rgba, "PNG"), max_pixels=LIMIT)
    assert image.shape == (40, 50, 3)
    assert image.min() == 255


def test_jpeg_draft_decodes_at_reduced_scale() -> None:
    data = _encode(_page(1600, 1000), "JPEG", quality=90)
    image = load_image(data, max_pixels=LIMIT, min_long_side=700)
    # 1/2 scale keeps the long side (800) >= 700; 1/4 would not (400).
    assert image.shape == (500, 800, 3)
    assert load_image(data, max_pixels=LIMIT).shape == (1000, 1600, 3)


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header declares ``width`` x ``height`` but carries almost no data."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


def test_decompression_bomb_is_refused_from_the_header() -> None:
    with pytest.raises(DecompressionBomb):
        load_image(_png_header_only(100_000, 100_000), max_pixels=LIMIT)


def test_limit_is_the_callers() -> None:
    data = _encode(_page(320, 200), "PNG")
    with pytest.raises(DecompressionBomb):
        load_image(data, max_pixels=320 * 200 - 1)
    assert load_image(data, max_pixels=320 * 200).shape == (200, 320, 3)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not an image at all",
        b"%PDF-1.7 pretending",
        b"\xff\xd8\xff\xe0" + b"\x00" * 20,  # a JPEG start and nothing else
    ],
)
def test_non_images_raise_decode_error(data: bytes) -> None:
    with pytest.raises(ImageDecodeError):
        load_image(data, max_pixels=LIMIT)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_truncated_files_raise_decode_error(fmt: str) -> None:
    data = _encode(_page(640, 480), fmt)
    with pytest.raises(ImageDecodeError):
        load_image(data[: len(data) // 3], max_pixels=LIMIT)


def test_corrupt_jpeg_body_raises_decode_error() -> None:
    data = bytearray(_encode(_page(640, 480), "JPEG"))
    # Keep the header, scramble the entropy-coded data and drop the end marker.
    for i in range(len(data) // 2, len(data)):
        data[i] = 0xFF
    with pytest.raises(ImageDecodeError):
        load_image(bytes(data), max_pixels=LIMIT)


def test_png_header_only_within_limit_is_a_decode_error_not_a_crash() -> None:
    with pytest.raises(ImageDecodeError):
        load_image(_png_header_only(500, 500), max_pixels=LIMIT)
