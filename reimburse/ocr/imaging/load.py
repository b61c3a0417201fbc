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


def load_image(data: bytes, *, max_pixels: int, min_long_side: int | None = None) -> Array:
    """Decode ``data`` into an upright BGR image.

    ``min_long_side``: when set and the file is a JPEG much larger than that, decode at a
    reduced scale (libjpeg's DCT scaling: 1/2, 1/4, 1/8) that still keeps the long side at
    least this long. It is several times faster than decoding 12 MP and then shrinking.

    Raises ``DecompressionBomb`` when the header announces more than ``max_pixels`` pixels
    and ``ImageDecodeError`` for anything that is not a decodable image.
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
        array = np.asarray(image, dtype=np.float64)
        peak = float(array.max()) or 1.0
        grey = np.clip(array * (255.0 / peak), 0, 255).astype(np.uint8)
        return Image.fromarray(grey).convert("RGB")
    return image.convert("RGB")
