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


class EventFileRun(Protocol):
    """What a calibrate and a backtest run share: a burglary file, how to read it, and whether
    outputs may be replaced."""

    burglaries: Path
    burglary_columns: BurglaryColumns
    input_crs: str | None
    date_format: str | None
    skip_bad_rows: bool
    rejects_path: Path | None
    overwrite: bool


def prepare_outputs(run: EventFileRun, paths: Iterable[Path | None], inputs: Iterable[Path | None] = ()) -> list[Path]:
    """The output files asked for, each refused up front if it is an input, or exists and
    --overwrite is not given; with --skip-bad-rows the rejects file too."""
    given = (run.burglaries, *inputs)
    outputs = [Path(p) for p in paths if p]
    for path in outputs:
        prepare_output_file(path, overwrite=run.overwrite, inputs=given)
    if run.skip_bad_rows:
        prepare_output_file(rejects_file(run, outputs), overwrite=run.overwrite, inputs=given)
    return outputs


def rejects_file(run: EventFileRun, outputs: list[Path]) -> Path:
    """--rejects, or beside the first output (or in the current folder) as FILE-rejected-rows.csv."""
    folder = outputs[0].parent if outputs else Path.cwd()
    return run.rejects_path or folder / f"{run.burglaries.stem}-rejected-rows.csv"


def read_event_file(run: EventFileRun, settings: InputSettings = InputSettings()) -> BurglaryTable:
    """``run.burglaries`` read like ``cocoon plan`` does, but x/y without a named CRS are allowed (metres)."""
    crs = parse_crs(run.input_crs, what="--crs") if run.input_crs else None
    return read_burglaries(
        run.burglaries,
        columns=run.burglary_columns,
        crs=crs,
        skip_bad_rows=run.skip_bad_rows,
        date_format=run.date_format,
        require_crs=False,
        settings=settings,
    )


def write_skipped_rows(run: EventFileRun, table: BurglaryTable, outputs: list[Path], *, lang: str) -> Path | None:
    """With --skip-bad-rows: the skipped rows, at --rejects or beside the first output."""
    if not len(table.rejects):
        return None
    if not run.skip_bad_rows:  # rows of other crimes left out: the file was not prepared up front
        prepare_output_file(rejects_file(run, outputs), overwrite=run.overwrite, inputs=(run.burglaries,))
    return write_rejects(table.rejects.assign(file=str(run.burglaries)), rejects_file(run, outputs), lang=lang)
