"""``cocoon plan``: read burglaries and households, make the plan, write its files."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cocoon.inputs.burglaries import BurglaryColumns, read_burglaries
from cocoon.catalogue import resolve_language
from cocoon.geo.crs import parse_crs
from cocoon.inputs.households import HouseholdColumns, read_household_ids, read_households
from cocoon.publish.files import prepare_output_dir, write_plan, write_rejects
from cocoon.settings import Settings, load_settings, override


@dataclass
class PlanRequest:
    burglaries: Path | None
    households: Path
    plan_date: dt.date
    out_dir: Path
    settings_path: str | Path | None = None
    radius_m: float | None = None
    high_days: int | None = None
    elevated_days: int | None = None
    metric_crs: str | None = None
    input_crs: str | None = None
    household_crs: str | None = None
    burglary_columns: BurglaryColumns = field(default_factory=BurglaryColumns)
    household_columns: HouseholdColumns = field(default_factory=HouseholdColumns)
    date_format: str | None = None
    skip_bad_rows: bool = False
    rejects_path: Path | None = None
    exclude_path: Path | None = None
    overwrite: bool = False
    lang: str | None = None
    officers: int | None = None
    """Route this many officers (and write the field pack); None: no routes."""
    hours: float = 2.0
    start: str | None = None
    """Where walks start and end: "LON,LAT" or an address or household id."""
    minutes_per_stop: float | None = None
    minutes_per_dwelling: float | None = None
    network_path: Path | None = None
    solver: str | None = None
    solve_seconds: float | None = None
    area_name: str | None = None
    store_path: str | Path | None = None
    """The store: new burglaries go in, households reached face to face stay out (see README)."""
    command: str = "plan"
    """What the user ran, for the store's audit log."""
    maps: bool = False
    """Write map.html (internal) and map-public.html."""
    offline: bool = False
    """Maps with Leaflet inlined and a basemap from the OSM extract, for use without internet."""


@dataclass
class PlanResult:
    plan: Any
    lang: str
    written: list[Path]
    rejected: dict[str, int]
    rejects_path: Path | None
    notes: list[tuple[str, dict[str, Any]]]
    routes: Any = None


def plan_settings(request: PlanRequest) -> Settings:
    settings = load_settings(request.settings_path)
    return override(settings, **{"zones.radius_m": request.radius_m, "zones.high_days": request.high_days,
                                 "zones.elevated_days": request.elevated_days, "crs": request.metric_crs,
                                 "routes.minutes_per_stop": request.minutes_per_stop,
                                 "routes.minutes_per_dwelling": request.minutes_per_dwelling,
                                 "routes.solver": request.solver, "routes.solve_seconds": request.solve_seconds,
                                 "leaflet.area_name": request.area_name})


def run_plan(request: PlanRequest) -> PlanResult:
    """Read, plan, write: ``cocoon plan``."""
    from cocoon.risk.daily_plan import make_plan

    settings = plan_settings(request)
    lang = resolve_language(request.lang or settings.language)
    out_dir = prepare_output_dir(request.out_dir, overwrite=request.overwrite)
    input_crs = parse_crs(request.input_crs, what="--crs") if request.input_crs else None
    household_crs = parse_crs(request.household_crs, what="--household-crs") if request.household_crs else None
    metric = parse_crs(settings.crs, what="--metric-crs") if settings.crs else None
    exclude = read_household_ids(request.exclude_path) if request.exclude_path else set()

    store_file = request.store_path or settings.store.path or None
    if request.burglaries is None and not store_file:
        from cocoon.errors import InputError

        raise InputError("plan.no_burglaries")
    burglaries = None
    if request.burglaries is not None:
        burglaries = read_burglaries(request.burglaries, columns=request.burglary_columns, crs=input_crs,
                                     plan_date=request.plan_date, skip_bad_rows=request.skip_bad_rows,
                                     date_format=request.date_format)
    households = read_households(request.households, columns=request.household_columns, crs=household_crs,
                                 skip_bad_rows=request.skip_bad_rows, osm=settings.osm, lang=lang)
    store_notes: list[tuple[str, dict[str, Any]]] = []
    store = None
    revisit: dict[str, str] = {}
    outcomes: dict[str, tuple[str, str]] = {}
    if store_file:
        from cocoon.jobs.store import ingest, stored_burglaries, visit_history
        from cocoon.store.database import open_store

        store = open_store(store_file)
    try:
        if store is not None:
            if burglaries is not None:
                done = ingest(store, burglaries.burglaries, source=str(request.burglaries), command=request.command)
                store_notes.append(("store.ingested", {"added": done.added, "unchanged": done.unchanged,
                                                       "conflicting": len(done.conflicting)}))
            burglary_table = stored_burglaries(store)
            reached, revisit = visit_history(store, on=request.plan_date, days=settings.zones.active_days)
            from cocoon.jobs.store import latest_outcomes

            outcomes = latest_outcomes(store, on=request.plan_date)
            exclude = exclude | reached
            store_notes.append(("store.history", {"reached": len(reached), "revisit": len(revisit)}))
        else:
            burglary_table = burglaries.burglaries
        plan = make_plan(burglary_table, households.households, on=request.plan_date, settings=settings,
                         crs=metric, exclude=exclude)
        plan.visits["revisit"] = plan.visits["household_id"].astype(str).map(revisit).astype(object).where(
            plan.visits["household_id"].astype(str).isin(revisit), "") if revisit else ""
        if store is not None:
            from cocoon.jobs.store import record_plan

            record_plan(store, plan, out_dir=out_dir, command=request.command)
    finally:
        if store is not None:
            store.close()
    if burglaries is None:
        import pandas as pd

        from cocoon.inputs.burglaries import BurglaryTable

        burglaries = BurglaryTable(burglaries=burglary_table, rejects=pd.DataFrame(columns=["row"]), source=store_file,
                                   columns={})

    rejected = {"burglaries": len(burglaries.rejects), "households": len(households.rejects)}
    rejects_path = None
    if any(rejected.values()):
        import pandas as pd

        rejects_path = request.rejects_path or out_dir / "rejected-rows.csv"
        both = pd.concat([burglaries.rejects.assign(file=str(request.burglaries)),
                          households.rejects.assign(file=str(request.households))], ignore_index=True)
        write_rejects(both[["file", *[c for c in both.columns if c != "file"]]], rejects_path, lang=lang)

    inputs = {"burglaries": str(request.burglaries or store_file), "store": str(store_file or ""),
              "households": str(request.households),
              "burglary_columns": burglaries.columns, "household_columns": households.columns,
              "rows_rejected": rejected, "excluded_ids": len(exclude)}
    routes = None
    if request.officers is not None:
        routes = _routes(request, plan, households.households)
    written = write_plan(plan, out_dir, inputs=inputs, routes=routes)
    signs = None
    if routes is not None:
        from cocoon.field.pack import write_field_pack

        area = settings.leaflet.area_name or Path(request.households).name.split(".")[0]
        pack, signs = write_field_pack(plan, routes, out_dir, lang=lang, area=area, network=routes.network)
        written += pack
    if request.maps or request.offline:
        written += _maps(request, plan, routes, signs, outcomes, out_dir, lang)
    return PlanResult(plan=plan, lang=lang, written=written, rejected=rejected, rejects_path=rejects_path,
                      notes=[*burglaries.notes, *households.notes, *plan.notes, *store_notes,
                             *(routes.notes if routes else [])],
                      routes=routes)


def _maps(request: PlanRequest, plan, routes, signs, outcomes, out_dir: Path, lang: str) -> list[Path]:
    """map.html and map-public.html; offline, with a basemap from the OSM extract when there is one."""
    from cocoon.publish.maps import MapData, basemap_from_osm, internal_map, public_map
    from cocoon.publish.files import write_text
    from cocoon.risk.daily_plan import lonlat_bounds

    basemap = None
    extract = request.network_path or (Path(request.households) if str(request.households).endswith(".osm.pbf")
                                       else None)
    if request.offline and extract is not None and len(plan.zones):
        west, south, east, north = lonlat_bounds(plan.zones)
        pad = 0.01
        basemap = basemap_from_osm(extract, (west - pad, south - pad, east + pad, north + pad))
    data = MapData(plan=plan, routes=routes, signs=signs, outcomes=outcomes, basemap=basemap)
    return [write_text(out_dir / "map.html", internal_map(data, lang=lang, offline=request.offline)),
            write_text(out_dir / "map-public.html", public_map(data, lang=lang, offline=request.offline))]


def _routes(request: PlanRequest, plan, households):
    """The officers' walks: on the footpaths of --network (or of the households' own OSM extract)."""
    from cocoon.errors import InputError
    from cocoon.geo.walking import read_network
    from cocoon.field.walks import find_start, plan_routes

    if not request.start:
        raise InputError("routes.needs_start")
    network_path = request.network_path
    if network_path is None and str(request.households).endswith(".osm.pbf"):
        network_path = Path(request.households)
    network = read_network(network_path, plan.crs) if network_path else None
    start = find_start(request.start, plan.visits, households, plan.crs)
    return plan_routes(plan.visits, start=start, officers=request.officers, hours=request.hours,
                       settings=plan.settings.routes, network=network, crs=plan.crs)
