"""A photographed VAT invoice lying curled: its rows bowed across the sheet.

Paper that was folded or kept in a wallet does not lie flat, and the phone sees its rows as
arcs: on the sum row the amount, the tax and the total then sit most of a row apart. The class
the row straightening (``ocr.extraction.curvature``) is measured on (``bench/curl_bench.py``)
and guarded by (``tests/synth``).
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass

from reimburse.synth.model import generate
from reimburse.synth.photo import photograph
from reimburse.synth.render import render


@dataclass(frozen=True, slots=True)
class CurledPhoto:
    jpeg: bytes
    expected: dict[str, str]  # every printed field's value


def curled_photo(seed: int, bow: float) -> CurledPhoto:
    """The photo for ``seed``: a special or general paper VAT invoice, its rows bowed by
    ``bow`` × the page height in the middle (0.05 is a gentle curl, 0.08 a strong one)."""
    rng = random.Random(seed)
    doc = generate(rng, rng.choice(["vat_special", "vat_general"]))
    page = render(doc, rng).convert("RGB")
    photo, _ = photograph(page, rng, bow=bow)
    out = io.BytesIO()
    photo.save(out, "JPEG", quality=90)
    expected = {name: field.value for name, field in doc.expected.fields.items() if field.value}
    return CurledPhoto(out.getvalue(), expected)
