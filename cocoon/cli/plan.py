"""``cocoon plan``: the daily cocooning plan from burglaries and a household register."""

from __future__ import annotations

from pathlib import Path

import click

from cocoon.cli.common import (
    DEFAULTS,
    CocoonCommand,
    burglary_column_options,
    command_line,
    csv_dialect_option,
    handle_errors,
    household_columns,
    lang_option,
    optional_path,
    overwrite_option,
    parse_date,
    settings_option,
)
from cocoon.inputs.columns import HOUSEHOLD_ROLES, BurglaryColumns
from cocoon.settings import SOLVERS


@click.command(name="plan", cls=CocoonCommand)
@click.option("--burglaries", "burglaries_path", type=click.Path(dir_okay=False),
              help="Reported burglaries: CSV, GeoJSON, GeoPackage or (Geo)Parquet.  [required unless --store]")
@click.option("--households", "households_path", required=True, type=click.Path(dir_okay=False),
              help="Household register (CSV, GeoJSON, GeoPackage, Parquet) or an OpenStreetMap extract (.osm.pbf).")
@click.option("--date", "plan_date", metavar="YYYY-MM-DD",
              help="Plan date; more than 7 days ahead needs --allow-future.  [default: today]")
@click.option("--allow-future", is_flag=True, default=False,
              help="Allow a plan date more than 7 days ahead (otherwise refused as a typing mistake).")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Output folder.")
@click.option("--radius", type=float, default=None,
              help=f"Zone radius in metres.  [default: {DEFAULTS.zones.radius_m:g} or the settings file]")
@click.option("--high-days", type=int, default=None,
              help=f"Days of high risk after a burglary (ages 0..N).  [default: {DEFAULTS.zones.high_days}]")
@click.option("--elevated-days", type=int, default=None,
              help=f"Days of elevated risk after the high-risk days.  [default: {DEFAULTS.zones.elevated_days}]")
@click.option("--metric-crs", help="Metric CRS for all distances, e.g. EPSG:3006.  [default: chosen from the data]")
@click.option("--exclude", "exclude_path", type=click.Path(dir_okay=False),
              help="Household ids to leave out (e.g. already visited): CSV with household_id, or one id per line.")
@click.option("--household-column", "household_column", multiple=True, metavar="ROLE=NAME",
              help="Name a household column: ROLE is one of " + ", ".join(HOUSEHOLD_ROLES) + ". Repeatable.")
@click.option("--household-crs", help="CRS of x/y columns in the household file.  [default: --crs]")
@click.option("--household-layer", help="Layer to read from a household GeoPackage with several layers.")
@click.option("--rejects", "rejects_path", type=click.Path(dir_okay=False),
              help="Where --skip-bad-rows lists skipped rows.  [default: OUT/rejected-rows.csv]")
@click.option("--officers", type=int, default=None,
              help="Officers on duty: route their walks and write the field pack (routes, visit lists, handout).")
@click.option("--hours", type=float, default=None,
              help=f"Hours each officer has, walking and doors.  [default: {DEFAULTS.routes.hours:g}]")
@click.option("--start", metavar="LON,LAT|ADDRESS",
              help="Where the walks start and end (the car or the station): LON,LAT, LAT,LON as map apps copy it "
                   "(the order that lies in the households' area is used), or an address or household id.")
@click.option("--start-time", metavar="HH:MM", default=None,
              help=f"Clock time the walks start, for the arrival times.  [default: {DEFAULTS.routes.start_time}]")
@click.option("--officer-names", metavar="NAME,NAME...", default=None,
              help="The officers' names, comma-separated, one per officer (e.g. \"Anna,Bertil\"), for the "
                   "officer_name column of routes.csv.  [default: none]")
@click.option("--minutes-per-stop", type=float, default=None,
              help=f"Minutes at each door.  [default: {DEFAULTS.routes.minutes_per_stop:g}]")
@click.option("--minutes-per-dwelling", type=float, default=None,
              help=f"Extra minutes per dwelling behind the door.  [default: {DEFAULTS.routes.minutes_per_dwelling:g}]")
@click.option("--network", "network_path", type=click.Path(dir_okay=False),
              help="OpenStreetMap extract (.osm.pbf) for walking distances on footpaths.  "
                   "[default: the households' own .osm.pbf, else straight lines × 1.3]")
@click.option("--solver", type=click.Choice(SOLVERS), default=None,
              help=f"Route solver.  [default: {DEFAULTS.routes.solver}]")
@click.option("--solve-seconds", type=float, default=None,
              help=f"Time limit for the route solver.  [default: {DEFAULTS.routes.solve_seconds:g}]")
@click.option("--store", "store_path", type=click.Path(dir_okay=False), envvar="COCOON_STORE",
              help="The store (SQLite file): new burglaries go in, and households reached face to face in the "
                   "window stay out; not-home households come back flagged for a revisit.  [default: settings "
                   "store.path; env COCOON_STORE]")
@click.option("--maps", is_flag=True, default=False,
              help="Also write map.html (internal) and map-public.html (for residents: zones and signs only, "
                   "moved away from victims' homes).")
@click.option("--offline", is_flag=True, default=False,
              help="Maps that work without internet: Leaflet inlined, and a basemap of streets and buildings "
                   "from the OpenStreetMap extract (--network or the households' .osm.pbf). Implies --maps.")
@click.option("--xlsform", is_flag=True, default=False,
              help="With --officers: also visit-form.xlsx (an XLSForm) and doors.csv, the same walks for "
                   "ODK Collect or KoboToolbox; their CSV export reads back with cocoon visits import.")
@click.option("--area-name", help="Name of the area on visit lists and the handout, e.g. Karhula.  "
                                  "[default: the handout says 'your neighbourhood']")
@burglary_column_options
@settings_option
@lang_option
@csv_dialect_option
@overwrite_option
@handle_errors
def plan_command(burglaries_path: str | None, households_path: str, plan_date: str | None, out_dir: str,
                 radius: float | None, high_days: int | None, elevated_days: int | None, metric_crs: str | None,
                 exclude_path: str | None, household_column: tuple[str, ...], household_crs: str | None,
                 household_layer: str | None,
                 rejects_path: str | None, officers: int | None, hours: float | None, start: str | None,
                 start_time: str | None, officer_names: str | None, allow_future: bool,
                 minutes_per_stop: float | None, minutes_per_dwelling: float | None, network_path: str | None,
                 solver: str | None, solve_seconds: float | None, store_path: str | None, maps: bool, offline: bool,
                 xlsform: bool, area_name: str | None, burglary_columns: BurglaryColumns, date_format: str | None,
                 input_crs: str | None, skip_bad_rows: bool, settings_path: str | None, lang: str | None,
                 csv_dialect: str | None, overwrite: bool) -> None:
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
    from cocoon.jobs.plan import PlanRequest, run_plan

    request = PlanRequest(
        burglaries=optional_path(burglaries_path), households=Path(households_path),
        plan_date=parse_date(plan_date, "--date"), out_dir=Path(out_dir), settings_path=settings_path,
        radius_m=radius, high_days=high_days, elevated_days=elevated_days, metric_crs=metric_crs,
        input_crs=input_crs, household_crs=household_crs or input_crs,
        burglary_columns=burglary_columns,
        household_columns=household_columns(household_column, household_layer), date_format=date_format,
        skip_bad_rows=skip_bad_rows, rejects_path=optional_path(rejects_path),
        exclude_path=optional_path(exclude_path), overwrite=overwrite, lang=lang,
        officers=officers, hours=hours, start=start, start_time=start_time, officer_names=officer_names,
        allow_future=allow_future, minutes_per_stop=minutes_per_stop,
        minutes_per_dwelling=minutes_per_dwelling, network_path=optional_path(network_path),
        solver=solver, solve_seconds=solve_seconds, area_name=area_name, store_path=store_path,
        command=command_line(), maps=maps, offline=offline, xlsform=xlsform,
        csv_dialect=csv_dialect,
    )
    result = run_plan(request)
    print_plan_summary(result)
