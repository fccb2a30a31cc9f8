"""``cocoon calibrate``: the Knox test for near repeats, and the settings it suggests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from cocoon.catalogue import text
from cocoon.cli.common import (
    CocoonCommand,
    burglary_column_options,
    handle_errors,
    lang_option,
    optional_date,
    optional_path,
    overwrite_option,
    progress_bar,
    settings_option,
    user_language,
)
from cocoon.cli.options import option, setting_options
from cocoon.evidence.breaks import parse_breaks
from cocoon.inputs.columns import BurglaryColumns
from cocoon.jobs.options import CALIBRATE_OPTIONS, command_settings

SDS = "0,1,100,200,300,400,500,inf"
TDS = "0,7,14,21,28,42,56,inf"


@click.command(name="calibrate", cls=CocoonCommand)
@click.argument("burglaries_path", metavar="FILE", type=click.Path(dir_okay=False))
@option("--sds", default=SDS, show_default=True, key="calibrate.sds")
@option("--tds", default=TDS, show_default=True, key="calibrate.tds")
@option(
    "--metric",
    type=click.Choice(["euclidean", "manhattan"]),
    default="euclidean",
    show_default=True,
    key="calibrate.metric",
)
@option("--closed", type=click.Choice(["left", "right"]), default="left", show_default=True, key="calibrate.closed")
@option("--nrep", type=int, default=999, show_default=True, key="calibrate.nrep")
@option("--seed", type=int, default=None, key="calibrate.seed")
@option("--nrc", is_flag=True, default=False, key="calibrate.nrc")
@option("--from", "start", metavar="YYYY-MM-DD", key="calibrate.from")
@option("--to", "end", metavar="YYYY-MM-DD", key="calibrate.to")
@option("--json", "json_path", type=click.Path(dir_okay=False), key="calibrate.json")
@option("--plot", "plot_path", type=click.Path(dir_okay=False), key="calibrate.plot")
@option("--html", "html_path", type=click.Path(dir_okay=False), key="html_report")
@option("--write-settings", "settings_out", type=click.Path(dir_okay=False), key="calibrate.write_settings")
@setting_options(CALIBRATE_OPTIONS)
@option("--rejects", "rejects_path", type=click.Path(dir_okay=False), key="rejects_beside_output")
@burglary_column_options
@settings_option
@lang_option
@overwrite_option
@handle_errors
def calibrate_command(
    burglaries_path: str,
    sds: str,
    tds: str,
    metric: str,
    closed: str,
    nrep: int,
    seed: int | None,
    nrc: bool,
    start: str | None,
    end: str | None,
    json_path: str | None,
    plot_path: str | None,
    html_path: str | None,
    settings_out: str | None,
    given: dict[str, Any],
    rejects_path: str | None,
    burglary_columns: BurglaryColumns,
    date_format: str | None,
    input_crs: str | None,
    skip_bad_rows: bool,
    settings_path: str | None,
    lang: str | None,
    overwrite: bool,
) -> None:
    """Test whether burglaries here come as near repeats, and how far and how long (Knox test).

    Counts pairs of burglaries per distance band and days-apart band, and compares each count
    with 999 random shufflings of the dates. A cell is significant when p <= 0.05 and the Knox
    ratio (observed / expected) >= 1.2, the Near Repeat Calculator's rule. A burglary with a
    from/to window counts on the window's middle day. FILE is read like `cocoon plan
    --burglaries`; a headerless CSV of X,Y,date (the Near Repeat Calculator's format) works too.
    x/y without a named CRS are taken as metres; give --crs EPSG:nnnn for anything else.

    \b
    Examples:
      cocoon calibrate burglaries.csv --json knox.json --plot knox.png
      cocoon calibrate burglaries.csv --from 2016-01-01 --to 2016-12-31 --write-settings local.toml
      cocoon plan --settings local.toml --burglaries ... --households ... --out ...
    """
    from cocoon.cli.report import print_calibration
    from cocoon.jobs.calibrate import CalibrateRun, run_calibrate

    settings = command_settings(CALIBRATE_OPTIONS, settings_path, given, language=lang)
    run = CalibrateRun(
        burglaries=Path(burglaries_path),
        sds=parse_breaks(sds, what="--sds"),
        tds=parse_breaks(tds, what="--tds"),
        metric=metric,
        closed=closed,
        nrep=nrep,
        seed=seed,
        nrc=nrc,
        start=optional_date(start, "--from"),
        end=optional_date(end, "--to"),
        json_path=optional_path(json_path),
        plot_path=optional_path(plot_path),
        html_path=optional_path(html_path),
        settings_out=optional_path(settings_out),
        settings_file=optional_path(settings_path),
        input_crs=input_crs,
        burglary_columns=burglary_columns,
        date_format=date_format,
        skip_bad_rows=skip_bad_rows,
        rejects_path=optional_path(rejects_path),
        overwrite=overwrite,
    )
    with progress_bar(text("calibrate.progress", user_language(lang, settings_path))) as update:
        run.progress = update
        result = run_calibrate(settings, run)
    print_calibration(result)
