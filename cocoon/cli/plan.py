"""``cocoon plan``: the daily cocooning plan from burglaries and a household register."""

from __future__ import annotations

import functools
from pathlib import Path

import click

from cocoon.cli.common import (
    command_line,
    handle_errors,
    lang_option,
    optional_path,
    overwrite_option,
    parse_date,
    settings_option,
)
from cocoon.settings import Settings

DEFAULTS = Settings()
HOUSEHOLD_ROLES = ("id", "label", "street", "number", "postcode", "dwellings", "building_type", "owner",
                   "building_id", "lon", "lat", "x", "y")


COLUMN_PARAMS = ("id_column", "date_column", "from_column", "to_column", "lon_column", "lat_column", "x_column",
                 "y_column", "address_column")


def burglary_column_options(f):
    """Options naming the columns of a burglary file (shared with other commands).

    The command receives them together as ``burglary_columns`` (a :class:`BurglaryColumns`), and
    ``date_format``, ``input_crs`` and ``skip_bad_rows`` as they are.
    """

    @functools.wraps(f)
    def command(*args, **kwargs):
        kwargs["burglary_columns"] = burglary_columns(*(kwargs.pop(name) for name in COLUMN_PARAMS))
        return f(*args, **kwargs)

    options = [
        click.option("--id-column", help="Column with the burglary id (default: found by name, e.g. id, case_id, ärende)."),
        click.option("--date-column", help="Column with the date or date-time (default: found by name, e.g. date, datum)."),
        click.option("--from-column", help="Column with the start of a from/to time window."),
        click.option("--to-column", help="Column with the end of a from/to time window."),
        click.option("--lon", "lon_column", help="Column with longitude (WGS 84)."),
        click.option("--lat", "lat_column", help="Column with latitude (WGS 84)."),
        click.option("--x", "x_column", help="Column with x/easting (give the CRS with --crs)."),
        click.option("--y", "y_column", help="Column with y/northing (give the CRS with --crs)."),
        click.option("--address-column", help="Column with the burglary address (default: found by name)."),
        click.option("--date-format", help="Date format in strftime codes, e.g. %d/%m/%Y (default: detected)."),
        click.option("--crs", "input_crs", help="CRS of x/y columns in the burglary file, e.g. EPSG:3006."),
        click.option("--skip-bad-rows", is_flag=True, default=False,
                     help="Leave out unusable rows instead of stopping; they are listed with the reason in a rejects file."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def burglary_columns(id_column, date_column, from_column, to_column, lon_column, lat_column, x_column, y_column,
                     address_column):
    from cocoon.inputs.burglaries import BurglaryColumns
    from cocoon.inputs.points import CoordinateColumns

    return BurglaryColumns(id=id_column, date=date_column, date_from=from_column, date_to=to_column,
                           address=address_column,
                           coordinates=CoordinateColumns(lon=lon_column, lat=lat_column, x=x_column, y=y_column))


def household_columns(pairs: tuple[str, ...]):
    from cocoon.errors import InputError
    from cocoon.inputs.households import HouseholdColumns
    from cocoon.inputs.points import CoordinateColumns

    given: dict[str, str] = {}
    for pair in pairs:
        role, sep, name = pair.partition("=")
        role = role.strip().replace("-", "_")
        if not sep or role not in HOUSEHOLD_ROLES or not name.strip():
            raise InputError("cli.bad_household_column", value=pair, roles=", ".join(HOUSEHOLD_ROLES))
        given[role] = name.strip()
    coords = CoordinateColumns(**{k: given.pop(k) for k in ("lon", "lat", "x", "y") if k in given})
    return HouseholdColumns(**given, coordinates=coords)


@click.command(name="plan")
@click.option("--burglaries", "burglaries_path", type=click.Path(dir_okay=False),
              help="Reported burglaries: CSV, GeoJSON, GeoPackage or (Geo)Parquet.  [required unless --store]")
@click.option("--households", "households_path", required=True, type=click.Path(dir_okay=False),
              help="Household register (CSV, GeoJSON, GeoPackage, Parquet) or an OpenStreetMap extract (.osm.pbf).")
@click.option("--date", "plan_date", metavar="YYYY-MM-DD", help="Plan date.  [default: today]")
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
@click.option("--rejects", "rejects_path", type=click.Path(dir_okay=False),
              help="Where --skip-bad-rows lists skipped rows.  [default: OUT/rejected-rows.csv]")
@click.option("--officers", type=int, default=None,
              help="Officers on duty: route their walks and write the field pack (routes, visit lists, leaflet).")
@click.option("--hours", type=float, default=2.0, show_default=True, help="Hours each officer has, walking and doors.")
@click.option("--start", metavar="LON,LAT|ADDRESS",
              help="Where the walks start and end (the car or the station): LON,LAT, or an address or household id.")
@click.option("--minutes-per-stop", type=float, default=None,
              help=f"Minutes at each door.  [default: {DEFAULTS.routes.minutes_per_stop:g}]")
@click.option("--minutes-per-dwelling", type=float, default=None,
              help=f"Extra minutes per dwelling behind the door.  [default: {DEFAULTS.routes.minutes_per_dwelling:g}]")
@click.option("--network", "network_path", type=click.Path(dir_okay=False),
              help="OpenStreetMap extract (.osm.pbf) for walking distances on footpaths.  "
                   "[default: the households' own .osm.pbf, else straight lines × 1.3]")
@click.option("--solver", type=click.Choice(["auto", "vroom", "ortools", "greedy"]), default=None,
              help=f"Route solver.  [default: {DEFAULTS.routes.solver}]")
@click.option("--solve-seconds", type=float, default=None,
              help=f"Time limit for the route solver.  [default: {DEFAULTS.routes.solve_seconds:g}]")
@click.option("--store", "store_path", type=click.Path(dir_okay=False),
              help="The store (SQLite file): new burglaries go in, and households reached face to face in the "
                   "window stay out; not-home households come back flagged for a revisit.  [default: settings "
                   "store.path]")
@click.option("--maps", is_flag=True, default=False,
              help="Also write map.html (internal) and map-public.html (for residents: zones and signs only, "
                   "moved away from victims' homes).")
@click.option("--offline", is_flag=True, default=False,
              help="Maps that work without internet: Leaflet inlined, and a basemap of streets and buildings "
                   "from the OpenStreetMap extract (--network or the households' .osm.pbf). Implies --maps.")
@click.option("--area-name", help="Name of the area on visit lists and the leaflet, e.g. Karhula.  "
                                  "[default: the leaflet says 'your neighbourhood']")
@burglary_column_options
@settings_option
@lang_option
@overwrite_option
@handle_errors
def plan_command(burglaries_path, households_path, plan_date, out_dir, radius, high_days, elevated_days, metric_crs,
                 exclude_path, household_column, household_crs, rejects_path, officers, hours, start,
                 minutes_per_stop, minutes_per_dwelling, network_path, solver, solve_seconds, store_path, maps, offline,
                 area_name, burglary_columns, date_format, input_crs, skip_bad_rows, settings_path, lang, overwrite):
    """Make the daily cocooning plan: zones active on the date and the ranked households to visit.

    Writes OUT/zones.geojson (one zone per active burglary and the merged outline of each phase),
    OUT/visits.csv (every household inside a zone, best first) and OUT/plan.json (what was used),
    and prints counts per tier and phase and the CRS used.

    With --officers N --start ..., it also routes each officer's walk within --hours and writes
    the field pack: routes.csv, routes.gpx (for phones), visit-list.html/.pdf (police, with the
    burglaries), visit-list-volunteer.html/.pdf (no victim addresses, no burglary details) and
    leaflet.html/.pdf (with a door hanger).

    \b
    Example:
      cocoon plan --burglaries burglaries.csv --households households.gpkg \\
                  --date 2026-05-04 --out plan-2026-05-04
      cocoon plan ... --officers 2 --hours 2 --start 24.9384,60.1699 --network area.osm.pbf
    """
    from cocoon.cli.report import print_plan_summary
    from cocoon.jobs import PlanRequest, run_plan

    request = PlanRequest(
        burglaries=optional_path(burglaries_path), households=Path(households_path),
        plan_date=parse_date(plan_date, "--date", lang), out_dir=Path(out_dir), settings_path=settings_path,
        radius_m=radius, high_days=high_days, elevated_days=elevated_days, metric_crs=metric_crs,
        input_crs=input_crs, household_crs=household_crs or input_crs,
        burglary_columns=burglary_columns,
        household_columns=household_columns(household_column), date_format=date_format,
        skip_bad_rows=skip_bad_rows, rejects_path=optional_path(rejects_path),
        exclude_path=optional_path(exclude_path), overwrite=overwrite, lang=lang,
        officers=officers, hours=hours, start=start, minutes_per_stop=minutes_per_stop,
        minutes_per_dwelling=minutes_per_dwelling, network_path=optional_path(network_path),
        solver=solver, solve_seconds=solve_seconds, area_name=area_name, store_path=store_path,
        command=command_line(), maps=maps, offline=offline,
    )
    result = run_plan(request)
    print_plan_summary(result)
