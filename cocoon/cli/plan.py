"""``cocoon plan``: the daily cocooning plan from burglaries and a household register."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from cocoon.cli.common import (
    CocoonCommand,
    burglary_column_options,
    command_line,
    handle_errors,
    household_columns,
    job_loaded,
    lang_option,
    optional_path,
    overwrite_option,
    parse_date,
    settings_option,
)
from cocoon.cli.options import option, setting_options
from cocoon.inputs.columns import BurglaryColumns
from cocoon.jobs.options import PLAN_OPTIONS, command_settings


@click.command(name="plan", cls=CocoonCommand)
@option("--burglaries", "burglaries_path", type=click.Path(dir_okay=False), key="plan.burglaries")
@option("--households", "households_path", required=True, type=click.Path(dir_okay=False), key="plan.households")
@option("--date", "plan_date", metavar="YYYY-MM-DD", key="plan.date")
@option("--allow-future", is_flag=True, default=False, key="plan.allow_future")
@option("--out", "out_dir", required=True, type=click.Path(file_okay=False), key="plan.out")
@option("--exclude", "exclude_path", type=click.Path(dir_okay=False), key="plan.exclude")
@option("--household-column", "household_column", multiple=True, metavar="ROLE=NAME", key="plan.household_column")
@option("--household-crs", key="plan.household_crs")
@option("--household-layer", key="plan.household_layer")
@option("--rejects", "rejects_path", type=click.Path(dir_okay=False), key="plan.rejects")
@option("--officers", type=int, default=None, key="plan.officers")
@option("--start", metavar="LON,LAT|ADDRESS", key="plan.start")
@option("--officer-names", metavar="NAME,NAME...", default=None, key="plan.officer_names")
@option("--network", "network_path", type=click.Path(dir_okay=False), key="plan.network")
@option("--maps", is_flag=True, default=False, key="plan.maps")
@option("--offline", is_flag=True, default=False, key="plan.offline")
@option("--xlsform", is_flag=True, default=False, key="plan.xlsform")
@setting_options(PLAN_OPTIONS)
@burglary_column_options
@settings_option
@lang_option
@overwrite_option
@handle_errors
def plan_command(
    burglaries_path: str | None,
    households_path: str,
    plan_date: str | None,
    out_dir: str,
    exclude_path: str | None,
    household_column: tuple[str, ...],
    household_layer: str | None,
    household_crs: str | None,
    rejects_path: str | None,
    officers: int | None,
    start: str | None,
    officer_names: str | None,
    allow_future: bool,
    network_path: str | None,
    maps: bool,
    offline: bool,
    xlsform: bool,
    given: dict[str, Any],
    burglary_columns: BurglaryColumns,
    date_format: str | None,
    input_crs: str | None,
    skip_bad_rows: bool,
    settings_path: str | None,
    lang: str | None,
    overwrite: bool,
) -> None:
    """Make the daily cocooning plan: zones active on the date and the ranked households to visit.

    Writes OUT/zones.geojson (one zone per active burglary and the merged outline of each phase),
    OUT/visits.csv (every household inside a zone, best first) and OUT/plan.json (what was used),
    and prints counts per tier and phase and the CRS used.

    With --officers N --start ..., it also routes each officer's walk within --hours and writes
    the field pack: routes.csv, routes.gpx (for phones), visit-list.html/.pdf (police, with the
    burglaries), visit-list-volunteer.html/.pdf (no victim addresses, no burglary details) and
    handout.html/.pdf (with a door hanger).

    \b
    Example:
      cocoon plan --burglaries burglaries.csv --households households.gpkg \\
                  --date 2026-05-04 --out plan-2026-05-04
      cocoon plan ... --officers 2 --hours 2 --start 24.9384,60.1699 --network area.osm.pbf
      cocoon plan ... --officers 2 --start "60.1699, 24.9384" --start-time 09:30 --officer-names "Anna,Bertil"
    """
    from cocoon.cli.report import print_plan_summary
    from cocoon.jobs.plan import PlanRun, run_plan

    job_loaded()
    settings = command_settings(PLAN_OPTIONS, settings_path, given, language=lang)
    run = PlanRun(
        burglaries=optional_path(burglaries_path),
        households=Path(households_path),
        plan_date=parse_date(plan_date, "--date"),
        out_dir=Path(out_dir),
        settings_file=optional_path(settings_path),
        input_crs=input_crs,
        household_crs=household_crs or input_crs,
        burglary_columns=burglary_columns,
        household_columns=household_columns(household_column, household_layer),
        date_format=date_format,
        skip_bad_rows=skip_bad_rows,
        rejects_path=optional_path(rejects_path),
        exclude_path=optional_path(exclude_path),
        overwrite=overwrite,
        officers=officers,
        start=start,
        officer_names=officer_names,
        allow_future=allow_future,
        network_path=optional_path(network_path),
        command=command_line(),
        maps=maps,
        offline=offline,
        xlsform=xlsform,
    )
    print_plan_summary(run_plan(settings, run))
