"""``cocoon calibrate``: the Knox test for near repeats, and the settings it suggests."""

from __future__ import annotations

from pathlib import Path

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
from cocoon.evidence.breaks import parse_breaks
from cocoon.inputs.columns import BurglaryColumns

SDS = "0,1,100,200,300,400,500,inf"
TDS = "0,7,14,21,28,42,56,inf"


@click.command(name="calibrate", cls=CocoonCommand)
@click.argument("burglaries_path", metavar="FILE", type=click.Path(dir_okay=False))
@click.option("--sds", default=SDS, show_default=True,
              help="Spatial band breaks in metres; [0, 1) is the same-location band, inf keeps every pair.")
@click.option("--tds", default=TDS, show_default=True, help="Temporal band breaks in days; inf keeps every pair.")
@click.option("--metric", type=click.Choice(["euclidean", "manhattan"]), default="euclidean", show_default=True,
              help="Distance between burglaries: straight line, or along x plus along y.")
@click.option("--closed", type=click.Choice(["left", "right"]), default="left", show_default=True,
              help="Band edges: left = [a, b) as the R package NearRepeat; right = (a, b], first band [a, b].")
@click.option("--nrep", type=int, default=999, show_default=True, help="Monte Carlo permutations of the dates.")
@click.option("--seed", type=int, default=None,
              help="Random seed; the same seed gives the same numbers.  [default: drawn and reported]")
@click.option("--nrc", is_flag=True, default=False,
              help="The Near Repeat Calculator's rules: [a, b) bands on single-precision coordinates, "
                   "'same location' = distance 0, --nrep counts its iterations (one simulation fewer).")
@click.option("--from", "start", metavar="YYYY-MM-DD", help="Use burglaries from this day on.  [default: all]")
@click.option("--to", "end", metavar="YYYY-MM-DD", help="Use burglaries up to this day.  [default: all]")
@click.option("--json", "json_path", type=click.Path(dir_okay=False),
              help="Write every table and the settings used as JSON.")
@click.option("--plot", "plot_path", type=click.Path(dir_okay=False), help="Write a heat-map of the Knox ratios (PNG).")
@click.option("--html", "html_path", type=click.Path(dir_okay=False), help="Write a report page (HTML, opens offline).")
@click.option("--write-settings", "settings_out", type=click.Path(dir_okay=False),
              help="Write a settings file (TOML) with the radius, windows and weights the significant cells "
                   "suggest; use it with cocoon plan --settings.")
@click.option("--metric-crs", help="Metric CRS for distances, e.g. EPSG:3006.  [default: the data's own, or chosen]")
@click.option("--rejects", "rejects_path", type=click.Path(dir_okay=False),
              help="Where --skip-bad-rows lists skipped rows.  [default: beside the first output]")
@burglary_column_options
@settings_option
@lang_option
@overwrite_option
@handle_errors
def calibrate_command(burglaries_path: str, sds: str, tds: str, metric: str, closed: str, nrep: int,
                      seed: int | None, nrc: bool, start: str | None, end: str | None, json_path: str | None,
                      plot_path: str | None, html_path: str | None, settings_out: str | None,
                      metric_crs: str | None, rejects_path: str | None, burglary_columns: BurglaryColumns,
                      date_format: str | None, input_crs: str | None, skip_bad_rows: bool,
                      settings_path: str | None, lang: str | None, overwrite: bool) -> None:
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
    from cocoon.jobs.calibrate import CalibrateRequest, run_calibrate

    request = CalibrateRequest(
        burglaries=Path(burglaries_path), sds=parse_breaks(sds, what="--sds"), tds=parse_breaks(tds, what="--tds"),
        metric=metric, closed=closed, nrep=nrep, seed=seed, nrc=nrc,
        start=optional_date(start, "--from"),
        end=optional_date(end, "--to"),
        json_path=optional_path(json_path), plot_path=optional_path(plot_path),
        html_path=optional_path(html_path), settings_out=optional_path(settings_out),
        settings_path=settings_path, input_crs=input_crs, metric_crs=metric_crs,
        burglary_columns=burglary_columns,
        date_format=date_format, skip_bad_rows=skip_bad_rows, rejects_path=optional_path(rejects_path),
        overwrite=overwrite, lang=lang)
    with progress_bar(text("calibrate.progress", user_language(lang, settings_path))) as update:
        request.progress = update
        result = run_calibrate(request)
    print_calibration(result)
