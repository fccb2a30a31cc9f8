"""What calibrate and backtest share: one burglary file in, its unusable rows written beside the outputs."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

from cocoon.geo.crs import parse_crs
from cocoon.inputs.burglaries import BurglaryTable, read_burglaries
from cocoon.inputs.columns import BurglaryColumns
from cocoon.publish.files import prepare_output_file, write_rejects
from cocoon.settings import InputSettings


class EventFileRequest(Protocol):
    """What calibrate and backtest requests share: a burglary file and how to read it."""

    burglaries: Path
    burglary_columns: BurglaryColumns
    input_crs: str | None
    date_format: str | None
    skip_bad_rows: bool
    rejects_path: Path | None
    overwrite: bool


def prepare_outputs(request: EventFileRequest, paths: Iterable[Path | None],
                    inputs: Iterable[Path | None] = ()) -> list[Path]:
    """The output files asked for, each refused up front if it is an input, or exists and
    --overwrite is not given; with --skip-bad-rows the rejects file too."""
    given = (request.burglaries, *inputs)
    outputs = [Path(p) for p in paths if p]
    for path in outputs:
        prepare_output_file(path, overwrite=request.overwrite, inputs=given)
    if request.skip_bad_rows:
        prepare_output_file(rejects_file(request, outputs), overwrite=request.overwrite, inputs=given)
    return outputs


def rejects_file(request: EventFileRequest, outputs: list[Path]) -> Path:
    """--rejects, or beside the first output (or in the current folder) as FILE-rejected-rows.csv."""
    folder = outputs[0].parent if outputs else Path.cwd()
    return request.rejects_path or folder / f"{request.burglaries.stem}-rejected-rows.csv"


def read_event_file(request: EventFileRequest, settings: InputSettings = InputSettings()) -> BurglaryTable:
    """``request.burglaries`` read like ``cocoon plan`` does, but x/y without a named CRS are allowed (metres)."""
    crs = parse_crs(request.input_crs, what="--crs") if request.input_crs else None
    return read_burglaries(request.burglaries, columns=request.burglary_columns, crs=crs,
                           skip_bad_rows=request.skip_bad_rows, date_format=request.date_format, require_crs=False,
                           settings=settings)


def write_skipped_rows(request: EventFileRequest, table: BurglaryTable, outputs: list[Path], *,
                       lang: str) -> Path | None:
    """With --skip-bad-rows: the skipped rows, at --rejects or beside the first output."""
    if not len(table.rejects):
        return None
    if not request.skip_bad_rows:  # rows of other crimes left out: the file was not prepared up front
        prepare_output_file(rejects_file(request, outputs), overwrite=request.overwrite, inputs=(request.burglaries,))
    return write_rejects(table.rejects.assign(file=str(request.burglaries)), rejects_file(request, outputs), lang=lang)
