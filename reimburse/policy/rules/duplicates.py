"""Duplicate invoices: one key per invoice, and perceptual hashes for near-identical photos.

``invoice_key`` is what the service stores under a UNIQUE constraint, so two concurrent
submissions of the same invoice cannot both succeed (the database decides, not a read-check).
A photo and the e-invoice file of the same invoice yield the same key: the key uses only the
identifiers both carry (code + number, or the 20-digit number of a fully digital invoice),
normalised the same way whatever the reader returned (full-width digits, spaces, dashes).

``dhash`` is the 64-bit difference hash of a grey image (numpy only, no OpenCV in the pure
core): near-identical photos (the same paper invoice photographed twice) differ in a few bits.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from reimburse.claims.domain import Claim, Finding, InvoiceFacts, Severity

DEFAULT_MAX_DISTANCE = 6  # bits of 64; same photo re-shot or re-compressed stays well under


def _digits(text: str | None) -> str:
    if not text:
        return ""
    if text.isascii() and text.isdigit():  # the common case: already clean
        return text
    return "".join(c for c in unicodedata.normalize("NFKC", text) if c.isascii() and c.isdigit())


def invoice_key(facts: InvoiceFacts) -> str | None:
    """``"D:<20 digits>"`` for fully digital invoices, ``"V:<code>:<number>"`` for invoices with
    a code, None when the identifiers are missing (no duplicate check possible: the caller
    should already have a finding for the missing number)."""
    number = _digits(facts.invoice_number)
    if len(number) == 20:
        # The 20-digit number is unique nation-wide; some readers also report a code for
        # these, which must not split one invoice into two keys.
        return f"D:{number}"
    code = _digits(facts.invoice_code)
    if not number or not code:
        return None
    return f"V:{code}:{number}"


def dhash(gray: npt.NDArray[np.generic], size: int = 8) -> int:
    """Difference hash: shrink to (size) x (size+1) by area averaging, compare neighbours.
    A colour image (H x W x 3, or 4 with alpha) is turned grey first (BT.601 luma; the channel
    order does not matter much for a hash of light and dark)."""
    img = np.asarray(gray, dtype=np.float64)
    if img.ndim == 3 and img.shape[2] in (3, 4):
        img = img[:, :, :3] @ np.array([0.299, 0.587, 0.114])
    if img.ndim != 2 or img.shape[0] < size or img.shape[1] < size + 1:
        raise ValueError(f"dhash needs a 2-D grey image of at least {size}x{size + 1} pixels")
    rows = np.linspace(0, img.shape[0], size + 1).astype(np.intp)[:-1]
    cols = np.linspace(0, img.shape[1], size + 2).astype(np.intp)[:-1]
    sums = np.add.reduceat(np.add.reduceat(img, rows, axis=0), cols, axis=1)
    counts = np.outer(np.diff(np.append(rows, img.shape[0])), np.diff(np.append(cols, img.shape[1])))
    small = sums / counts
    bits = (small[:, 1:] > small[:, :-1]).ravel()
    packed = bytes(np.packbits(bits).tobytes())
    return int.from_bytes(packed, "big") >> (-(size * size) % 8)


def hamming(a: int, b: int) -> int:
    return (a ^ b).bit_count()


@dataclass(frozen=True, slots=True)
class StoredHash:
    """A photo hash already on file, with what to tell the user about it."""

    ref: str  # e.g. "claim 42 item 1"
    value: int


def near_duplicates(
    value: int, stored: Iterable[StoredHash], max_distance: int = DEFAULT_MAX_DISTANCE
) -> Iterator[StoredHash]:
    """Stored photos within ``max_distance`` bits. Linear; the service narrows ``stored`` first
    (same submitter or same amount), since Hamming search does not index like equality."""
    for s in stored:
        if hamming(value, s.value) <= max_distance:
            yield s


def duplicate_finding(item: int, key: str, where: str) -> Finding:
    """The finding for a key that is already on file (the service learns it from the unique
    index refusing the insert, or from a lookup before it)."""
    return Finding(
        "duplicate_invoice",
        Severity.BLOCK,
        f"this invoice was already claimed ({where})",
        item,
        ("invoice_code", "invoice_number"),
        (("key", key), ("where", where)),
    )


def near_duplicate_finding(item: int, match: StoredHash, distance: int) -> Finding:
    return Finding(
        "near_duplicate_image",
        Severity.WARNING,
        f"the photo looks like one already on file ({match.ref}, {distance} bits apart)",
        item,
        (),
        (("ref", match.ref), ("distance", str(distance))),
    )


def check_duplicates_within(claim: Claim) -> list[Finding]:
    """The same invoice twice in one claim, or two near-identical photos in it."""
    out: list[Finding] = []
    seen: dict[str, int] = {}
    hashes: list[tuple[int, int]] = []
    for i, item in enumerate(claim.items):
        if item.invoice is None:
            continue
        key = invoice_key(item.invoice)
        exact = key is not None and key in seen
        if key is not None:
            if exact:
                out.append(duplicate_finding(i, key, f"item {seen[key] + 1} of this claim"))
            else:
                seen[key] = i
        h = item.invoice.image_hash
        if h is not None:
            for j, other in hashes:
                d = hamming(h, other)
                if d <= DEFAULT_MAX_DISTANCE and not exact:
                    out.append(near_duplicate_finding(i, StoredHash(f"item {j + 1} of this claim", other), d))
                    break
            hashes.append((i, h))
    return out
