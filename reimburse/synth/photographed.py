"""A photographed VAT invoice, one hard condition at a time, with every printed value known.

Paper that was folded or kept in a wallet does not lie flat, and the phone sees its rows as
arcs (``bow``): on the sum row the amount, the tax and the total then sit most of a row apart.
A small slip photographed from arm's length fills a small part of the frame (``fill``), and
its print has few pixels unless the photo is read at full resolution. The classes the row
straightening (``ocr.extraction.curvature``) and the full-resolution page warp
(``ocr.imaging.document``) are measured on (``bench/curl_bench.py``,
``bench/distance_bench.py``) and guarded by (``tests/synth``).
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass

from reimburse.synth.model import generate
from reimburse.synth.photo import photograph
from reimburse.synth.render import render


@dataclass(frozen=True, slots=True)
class PhotographedInvoice:
    jpeg: bytes
    expected: dict[str, str]  # every printed field's value


def photographed_invoice(
    seed: int, *, bow: float = 0.0, fill: tuple[float, float] = (0.7, 0.9), long_side: int = 2000
) -> PhotographedInvoice:
    """The photo for ``seed``: a special or general paper VAT invoice, its rows bowed by
    ``bow`` × the page height in the middle (0.05 is a gentle curl, 0.08 a strong one), the
    sheet across ``fill`` of the frame (a share drawn between the two), the photo's long side
    ``long_side`` pixels (4000 is a 12-megapixel phone photo)."""
    rng = random.Random(seed)
    doc = generate(rng, rng.choice(["vat_special", "vat_general"]))
    page = render(doc, rng).convert("RGB")
    photo, _ = photograph(page, rng, bow=bow, fill=fill, long_side=long_side)
    out = io.BytesIO()
    photo.save(out, "JPEG", quality=90)
    expected = {name: field.value for name, field in doc.expected.fields.items() if field.value}
    return PhotographedInvoice(out.getvalue(), expected)
