"""``cocoon backtest``: would the zones have caught the burglaries that followed?"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from cocoon.catalogue import text
from cocoon.cli.common import (
    CocoonCommand,
    burglary_column_options,
    handle_errors,
    lang_option,
    optional_path,
    overwrite_option,
    parse_date,
    progress_bar,
    settings_option,
    user_language,
)
from cocoon.cli.options import option, setting_options
from cocoon.errors import InputError
from cocoon.inputs.columns import BurglaryColumns
from cocoon.jobs.options import BACKTEST_OPTIONS, command_settings

T = TypeVar("T")


def _numbers(value: str | None, option: str, kind: Callable[[str], T]) -> tuple[T, ...]:
    """ "100,200,500" as numbers of ``kind``, with a clear error for anything else."""
    if not value:
        return ()
    try:
        return tuple(kind(part) for part in value.replace(" ", "").split(",") if part)
    except ValueError:
        raise InputError("backtest.bad_sweep", option=option, value=value) from None


def _period(value: str | None) -> int | None:
    """ "8w", "56d" or "56" as days; a clear error for anything else."""
    if value is None:
        return None
    text_value = value.strip().lower()
    unit = 7 if text_value.endswith("w") else 1
    number_part = text_value.rstrip("wd").strip()
    if not number_part.isdigit() or int(number_part) < 1 or int(number_part) * unit > 3650:
        raise InputError("backtest.bad_refit", value=value)
    return int(number_part) * unit


@click.command(name="backtest", cls=CocoonCommand)
@click.argument("burglaries_path", metavar="FILE", type=click.Path(dir_okay=False))
@option("--from", "start", required=True, metavar="YYYY-MM-DD", key="backtest.from")
@option("--to", "end", required=True, metavar="YYYY-MM-DD", key="backtest.to")
@setting_options(BACKTEST_OPTIONS)
@option("--area", "area_path", type=click.Path(dir_okay=False), key="backtest.area")
@option("--json", "json_path", type=click.Path(dir_okay=False), key="json_figures")
@option("--plot", "plot_path", type=click.Path(dir_okay=False), key="backtest.plot")
@option("--html", "html_path", type=click.Path(dir_okay=False), key="html_report")
@option("--per-burglary", "per_burglary_path", type=click.Path(dir_okay=False), key="backtest.per_burglary")
@option("--sweep-radius", metavar="M,M,...", key="backtest.sweep_radius")
@option("--sweep-days", metavar="D,D,...", key="backtest.sweep_days")
@option("--refit-every", metavar="N[w|d]", key="backtest.refit_every")
@option("--grid-offsets", type=click.IntRange(1, 16), default=1, show_default=True, key="backtest.grid_offsets")
@option("--rejects", "rejects_path", type=click.Path(dir_okay=False), key="rejects_beside_output")
@burglary_column_options
@settings_option
@lang_option
@overwrite_option
@handle_errors
def backtest_command(
    burglaries_path: str,
    start: str,
    end: str,
    given: dict[str, Any],
    area_path: str | None,
    json_path: str | None,
    plot_path: str | None,
    html_path: str | None,
    per_burglary_path: str | None,
    sweep_radius: str | None,
    sweep_days: str | None,
    refit_every: str | None,
    grid_offsets: int,
    rejects_path: str | None,
    burglary_columns: BurglaryColumns,
    date_format: str | None,
    input_crs: str | None,
    skip_bad_rows: bool,
    settings_path: str | None,
    lang: str | None,
    overwrite: bool,
) -> None:
    """Judge the zone policy against the burglaries that actually came next.

    For each day from --from to --to, the zones are drawn from the burglaries before that day
    and the day's burglaries are scored: a high-risk hit lies within the radius of a burglary
    of the last high-risk days, a zone hit within the radius of one of the last high + elevated
    days. Same-day pairs never count. The same share of the area is then given to three
    standard baselines (Bowers-Johnson prospective hot-spots, a kernel density of the last 56
    days, last year's hotspot counts) and to cocoon's own ranking model on a 50 m grid, so that
    hit rates and PAI (hit rate / area share) compare at equal area. Burglaries with a from/to
    window count on the day they were found. The ranking model (the fitted model in --settings,
    one refitted by --refit-every, or the defaults) is then judged against each baseline at 1 to
    30 % of the area: better, indistinguishable or worse by a 95 % interval from resampling
    whole weeks.

    \b
    Examples:
      cocoon backtest burglaries.csv --from 2016-01-01 --to 2016-12-31 --json backtest.json --plot backtest.png
      cocoon backtest burglaries.csv --from 2016-01-01 --to 2016-12-31 --sweep-radius 100,200,500 --sweep-days 7,14,56
      cocoon backtest burglaries.csv --from 2016-01-01 --to 2016-12-31 --settings local.toml --grid-offsets 4
      cocoon backtest burglaries.csv --from 2015-01-01 --to 2017-12-31 --refit-every 8w --json rolling.json
    """
    from cocoon.cli.report import print_backtest
    from cocoon.jobs.backtest import BacktestRun, run_backtest_job

    settings = command_settings(BACKTEST_OPTIONS, settings_path, given, language=lang)
    run = BacktestRun(
        burglaries=Path(burglaries_path),
        start=parse_date(start, "--from"),
        end=parse_date(end, "--to"),
        area_path=optional_path(area_path),
        json_path=optional_path(json_path),
        plot_path=optional_path(plot_path),
        html_path=optional_path(html_path),
        per_burglary_path=optional_path(per_burglary_path),
        sweep_radius=_numbers(sweep_radius, "--sweep-radius", float),
        sweep_days=_numbers(sweep_days, "--sweep-days", int),
        refit_every=_period(refit_every),
        grid_offsets=grid_offsets,
        settings_file=optional_path(settings_path),
        input_crs=input_crs,
        burglary_columns=burglary_columns,
        date_format=date_format,
        skip_bad_rows=skip_bad_rows,
        rejects_path=optional_path(rejects_path),
        overwrite=overwrite,
    )
    with progress_bar(text("backtest.progress", user_language(lang, settings_path))) as update:
        run.progress = update
        result = run_backtest_job(settings, run)
    print_backtest(result)
