"""A photographed legacy VAT invoice with a company stamp pressed over a party's name line.

Stamps over printed text are common on real fapiao (a 财务专用章 pressed across the form, the
seller's stamp reaching into its block). Under one, a name is read with the stamp's own words
run on, read as the stamp, or with look-alike characters: the class the name rules and the
red-ink re-read are measured on (``bench/stamp_bench.py``) and guarded by (``tests/synth``).
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass

from reimburse.synth.draw import RED, Pen
from reimburse.synth.model import company_name, generate
from reimburse.synth.photo import photograph
from reimburse.synth.render import VAT_NAME_ROW_Y, render


@dataclass(frozen=True, slots=True)
class StampedName:
    jpeg: bytes
    field: str  # "buyer_name" or "seller_name": the one under the stamp
    expected: str


def stamped_name_photo(seed: int) -> StampedName:
    """The photo for ``seed``: a special or general paper VAT invoice, the stamp centred on the
    buyer's or the seller's name line (within its first two thirds), turned up to 30°."""
    rng = random.Random(seed)
    doc = generate(rng, rng.choice(["vat_special", "vat_general"]))
    page = render(doc, rng).convert("RGB")
    side = rng.choice(["buyer", "seller"])
    centre = (rng.uniform(420, 800), VAT_NAME_ROW_Y[side] + rng.randint(-12, 12))
    ring = company_name(rng, "")
    Pen.on(page).stamp(centre, (300, 200), ring, (("财务专用章", 28),), RED, angle=rng.uniform(-30, 30))
    photo, _ = photograph(page, rng)
    out = io.BytesIO()
    photo.save(out, "JPEG", quality=90)
    field = f"{side}_name"
    return StampedName(out.getvalue(), field, doc.expected.fields[field].value)
