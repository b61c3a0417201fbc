"""Write a folder of synthetic samples: images, their expected JSON, and ``labels.jsonl``.

The folder has the layout ``reimburse eval DIR`` reads (the labels format of the shared
development set: ``file``, ``kind``, ``is_invoice``, ``label_quality``, ``fields`` with
the eleven field names) and the golden-test layout (``<case>.png|jpg`` beside
``<case>.expected.json``, the CLI's JSON shape). Looks (the labels' ``kind``): ``render``
(the clean image), ``photo`` (``synth.photo.photograph``) and, after the fixed plan,
``scan`` (``synth.photo.scan``). Each case is drawn from its own seeded generator, so case
``i`` of seed ``s`` is the same whatever ``count`` is.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from reimburse.ocr.domain import FIELD_NAMES
from reimburse.ocr.serialize import extraction_to_json
from reimburse.synth.model import AGENT_KINDS, INVOICE_KINDS, NEGATIVE_KINDS, SynthInvoice, generate
from reimburse.synth.photo import photograph, scan
from reimburse.synth.render import render

LABEL_QUALITY = "synthetic"
# (kind, agent-issued, look): the first 12 cases cover every kind, every negative, both
# looks and 代开.
_PLAN: tuple[tuple[str, bool, str], ...] = (
    ("vat_electronic_general", False, "render"),
    ("digital_special", False, "photo"),
    ("vat_special", True, "render"),
    ("digital_general", False, "render"),
    ("vat_general", False, "photo"),
    ("train_ticket", False, "render"),
    ("quota", False, "photo"),
    ("vat_roll", False, "render"),
    ("shop_receipt", False, "photo"),
    ("vat_special", False, "photo"),
    ("bank_slip", False, "render"),
    ("commercial_invoice", False, "render"),
    ("vat_electronic_general", False, "photo"),
    ("digital_special", False, "render"),
    ("train_ticket", False, "photo"),
    ("vat_general", True, "render"),
)
_ALL_KINDS = tuple(k.value for k in INVOICE_KINDS) + NEGATIVE_KINDS


def plan(index: int, rng: random.Random) -> tuple[str, bool, str]:
    """What case ``index`` is: the fixed plan first, then random kinds and looks."""
    if index < len(_PLAN):
        return _PLAN[index]
    kind = rng.choice(_ALL_KINDS)
    agent = kind in {k.value for k in AGENT_KINDS} and rng.random() < 0.25
    return kind, agent, rng.choice(("render", "photo", "photo", "scan"))


def generate_samples(out_dir: Path, *, count: int, seed: int) -> list[Path]:
    """Write ``count`` samples into ``out_dir``; returns the image paths in order.

    ``labels.jsonl`` in ``out_dir`` is replaced; other files there are left alone.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    labels: list[dict[str, Any]] = []
    for index in range(count):
        rng = random.Random(f"{seed}:{index}")
        kind, agent, look = plan(index, rng)
        doc = generate(rng, kind, agent_issued=agent)
        image = render(doc, rng)
        stem = f"{index:03d}_{kind}{'_agent' if agent else ''}_{look}"
        if look in ("photo", "scan"):
            image = photograph(image, rng)[0] if look == "photo" else scan(image, rng)
            path = out_dir / f"{stem}.jpg"
            image.save(path, format="JPEG", quality=85)
        else:
            path = out_dir / f"{stem}.png"
            image.save(path, format="PNG", optimize=True)
        expected = extraction_to_json(path.name, doc.expected)
        (out_dir / f"{stem}.expected.json").write_text(
            json.dumps(expected, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        labels.append(label_row(path.name, look, doc))
        paths.append(path)
    with (out_dir / "labels.jsonl").open("w", encoding="utf-8") as fh:
        for row in labels:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    return paths


def label_row(file: str, look: str, doc: SynthInvoice) -> dict[str, Any]:
    """One ``labels.jsonl`` row; negatives carry no fields, as in the shared set."""
    fields = {name: doc.expected.value(name) for name in FIELD_NAMES} if doc.is_invoice else {}
    return {
        "file": file,
        "kind": look,
        "is_invoice": doc.is_invoice,
        "label_quality": LABEL_QUALITY,
        "fields": fields,
    }
