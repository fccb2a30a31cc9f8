"""What calibrate and backtest share: one burglary file in, its unusable rows written beside the outputs."""

from __future__ import annotations

from pathlib import Path

from cocoon.geo.crs import parse_crs
from cocoon.inputs.burglaries import BurglaryTable, read_burglaries
from cocoon.publish.files import prepare_output_file, write_rejects


def prepare_outputs(request, paths) -> list[Path]:
    """The output files asked for, each refused up front if it exists and --overwrite is not given."""
    outputs = [Path(p) for p in paths if p]
    for path in outputs:
        prepare_output_file(path, overwrite=request.overwrite)
    return outputs


def read_event_file(request) -> BurglaryTable:
    """``request.burglaries`` read like ``cocoon plan`` does, but x/y without a named CRS are allowed (metres)."""
    crs = parse_crs(request.input_crs, what="--crs") if request.input_crs else None
    return read_burglaries(request.burglaries, columns=request.burglary_columns, crs=crs,
                           skip_bad_rows=request.skip_bad_rows, date_format=request.date_format, require_crs=False)


def write_skipped_rows(request, table: BurglaryTable, outputs: list[Path], *, lang: str) -> Path | None:
    """With --skip-bad-rows: the skipped rows, at --rejects or beside the first output."""
    if not len(table.rejects):
        return None
    folder = outputs[0].parent if outputs else Path.cwd()
    path = prepare_output_file(request.rejects_path or folder / f"{request.burglaries.stem}-rejected-rows.csv",
                               overwrite=True)
    return write_rejects(table.rejects.assign(file=str(request.burglaries)), path, lang=lang)
