"""Decode uploaded image bytes into a BGR ``uint8`` array, safely.

Phones send JPEG and HEIC, chat apps WebP, screenshots PNG. The pixel count is checked
from the header *before* any pixel is decoded, so a 100k x 100k "image" of a few kilobytes
(a decompression bomb) is refused without allocating gigabytes. EXIF orientation is applied
so that a portrait photo is upright before any later step looks at it.
"""

from __future__ import annotations

import io
import warnings

import cv2
import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from reimburse.ocr.engines.base import Image as Array
from reimburse.ocr.errors import DecompressionBomb, ImageDecodeError

_heif_registered = False


def _register_heif() -> None:
    """Teach Pillow to open HEIC/HEIF (once per process; pillow-heif is a dependency)."""
    global _heif_registered
    if _heif_registered:
        return
    try:
        from pillow_heif import register_heif_opener
    except ImportError:  # pragma: no cover - a dependency; guarded for slim installs
        _heif_registered = True
        return
    register_heif_opener()
    _heif_registered = True


DEFAULT_DECODE_BYTES = 768 * 1024 * 1024
# bytes per pixel of each Pillow mode as decoded (1-bit images unpack to a byte)
_MODE_BYTES = {"1": 1, "L": 1, "P": 1, "LA": 2, "PA": 2, "RGB": 3, "YCbCr": 3, "LAB": 3, "HSV": 3,
               "RGBA": 4, "RGBX": 4, "CMYK": 4, "I": 4, "F": 4,
               "I;16": 2, "I;16B": 2, "I;16L": 2}  # fmt: skip
_WIDE = frozenset({"I", "F", "I;16", "I;16B", "I;16L"})


def decode_bytes(mode: str, pixels: int) -> int:
    """What decoding costs at the peak: the decoded pixels, a 4-byte working copy for modes wider
    than 8 bits, then the RGB and BGR arrays handed on."""
    per_pixel = _MODE_BYTES.get(mode, 8) + (4 if mode in _WIDE else 0) + 6
    return pixels * per_pixel


def load_image(
    data: bytes,
    *,
    max_pixels: int,
    min_long_side: int | None = None,
    max_decode_bytes: int = DEFAULT_DECODE_BYTES,
) -> Array:
    """Decode ``data`` into an upright BGR image.

    ``min_long_side``: when set and the file is a JPEG much larger than that, decode at a
    reduced scale (libjpeg's DCT scaling: 1/2, 1/4, 1/8) that still keeps the long side at
    least this long. It is several times faster than decoding 12 MP and then shrinking.

    Raises ``DecompressionBomb`` when the header announces more than ``max_pixels`` pixels, or
    a decode that would take more than ``max_decode_bytes``, and ``ImageDecodeError`` for
    anything that is not a decodable image.
    """
    _register_heif()
    try:
        with warnings.catch_warnings():
            # Our own limit applies below; Pillow's global warning would only be noise.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            width, height = image.size
            if width <= 0 or height <= 0:
                raise ImageDecodeError("the image has no pixels")
            if width * height > max_pixels:
                raise DecompressionBomb(
                    f"the image declares {width}x{height} pixels; the limit is {max_pixels} pixels"
                )
            if min_long_side is not None and image.format == "JPEG":
                _draft(image, min_long_side)
            # by bytes too, after any reduced decode: an 8,900² 16-bit PNG is under the pixel
            # limit but takes gigabytes to turn into RGB
            cost = decode_bytes(image.mode, image.size[0] * image.size[1])
            if cost > max_decode_bytes:
                raise DecompressionBomb(
                    f"the {image.mode} image of {image.size[0]}x{image.size[1]} pixels would take "
                    f"{cost // 2**20} MB to decode; the limit is {max_decode_bytes // 2**20} MB"
                )
            image.load()
            upright: Image.Image = ImageOps.exif_transpose(image) or image
            rgb = _to_rgb(upright)
    except (DecompressionBomb, ImageDecodeError):
        raise
    except Image.DecompressionBombError as exc:
        raise DecompressionBomb(f"the image is too large to decode safely: {exc}") from exc
    except UnidentifiedImageError as exc:
        raise ImageDecodeError("not a recognised image format") from exc
    except (OSError, ValueError, SyntaxError, EOFError, MemoryError) as exc:
        raise ImageDecodeError(f"the image is corrupt or truncated: {exc}") from exc
    except Exception as exc:  # decoders (notably HEIF) raise their own types on bad input
        raise ImageDecodeError(f"the image could not be decoded: {exc}") from exc
    array = np.asarray(rgb, dtype=np.uint8)
    return np.ascontiguousarray(cv2.cvtColor(array, cv2.COLOR_RGB2BGR))


def declared_long_side(data: bytes) -> int | None:
    """The longer side the image's header declares (nothing is decoded), or None when the
    header cannot be read. Tells whether a decode was reduced."""
    _register_heif()
    try:
        with Image.open(io.BytesIO(data)) as image:
            return max(image.size)
    except (OSError, ValueError, UnidentifiedImageError):
        return None


def _draft(image: Image.Image, min_long_side: int) -> None:
    width, height = image.size
    long_side = max(width, height)
    scale = 1
    while scale < 8 and long_side // (scale * 2) >= min_long_side:
        scale *= 2
    if scale > 1:
        image.draft("RGB", (width // scale, height // scale))


def _to_rgb(image: Image.Image) -> Image.Image:
    """Flatten any mode (palette, greyscale, alpha, 16-bit, CMYK) onto white RGB."""
    if image.mode == "RGB":
        return image
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        array = np.asarray(image).astype(np.uint32, copy=False)  # 4 bytes a pixel, not float64's 8
        peak = int(array.max()) or 1
        grey = (np.minimum(array, peak) * 255 // peak).astype(np.uint8)
        return Image.fromarray(grey).convert("RGB")
    return image.convert("RGB")
