"""``cocoon plan``: read burglaries and households, make the plan, write its files.

With a store, the burglaries of ``--burglaries`` are ingested, the plan is made from every
burglary in the store, its files are written, and only then is the plan recorded: the ingest
and the record are one transaction, so a plan that fails half-way leaves the store as it was.
"""

from __future__ import annotations

import datetime as dt
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from cocoon.catalogue import resolve_language
from cocoon.errors import InputError
from cocoon.field.walks import Routes, find_start, officer_names, plan_routes
from cocoon.geo.crs import lonlat_bounds, parse_crs
from cocoon.geo.walking import read_network
from cocoon.inputs.burglaries import BurglaryTable, read_burglaries, require_ids
from cocoon.inputs.columns import BurglaryColumns, HouseholdColumns
from cocoon.inputs.households import HouseholdTable, read_household_ids, read_households
from cocoon.jobs import trial_assignment as trial
from cocoon.publish.files import OutputFolder, prepare_output_file, write_rejects, write_text
from cocoon.publish.maps import Basemap, MapData, basemap_from_osm, internal_map, public_map
from cocoon.publish.plan_files import write_plan
from cocoon.publish.spreadsheets import csv_dialect
from cocoon.risk.daily_plan import Plan, make_plan
from cocoon.risk.model_scores import load_search_beside
from cocoon.settings import Settings
from cocoon.store import queries
from cocoon.store.database import open_store, require_existing

if TYPE_CHECKING:
    import geopandas as gpd

Note = tuple[str, dict[str, Any]]


@dataclass
class PlanRun:
    """What one plan reads and writes, and what it is asked to do beyond the settings: the files,
    the officers on duty and where they start. The settings (radius, windows, routing, the store,
    the language...) come separately, as :class:`~cocoon.settings.Settings`."""

    burglaries: Path | None
    """The burglary file; None: only the store's burglaries."""
    households: Path
    plan_date: dt.date
    out_dir: Path
    settings_file: Path | None = None
    """The settings file the settings came from, only so that no output is written over it."""
    input_crs: str | None = None
    household_crs: str | None = None
    burglary_columns: BurglaryColumns = field(default_factory=BurglaryColumns)
    household_columns: HouseholdColumns = field(default_factory=HouseholdColumns)
    date_format: str | None = None
    skip_bad_rows: bool = False
    rejects_path: Path | None = None
    exclude_path: Path | None = None
    overwrite: bool = False
    officers: int | None = None
    """Route this many officers (and write the field pack); None: no routes."""
    start: str | None = None
    """Where walks start and end: "LON,LAT" (or "LAT,LON", as map apps copy it) or an address or household id."""
    officer_names: str | None = None
    """The officers' names, comma-separated, one per officer ("Anna,Bertil"); None: no names."""
    allow_future: bool = False
    """Plan a date more than a week ahead (otherwise refused as a typing mistake)."""
    network_path: Path | None = None
    command: str = "plan"
    """What the user ran, for the store's audit log."""
    maps: bool = False
    """Write map.html (internal) and map-public.html."""
    offline: bool = False
    """Maps with Leaflet inlined and a basemap from the OSM extract, for use without internet."""
    xlsform: bool = False
    """Also an XLSForm (visit-form.xlsx) and its door list (doors.csv) for ODK Collect / KoboToolbox."""

    def extract(self) -> Path | None:
        """The OpenStreetMap extract for walking and the basemap: --network, else the households' own."""
        if self.network_path is not None:
            return self.network_path
        return self.households if self.households.name.lower().endswith(".osm.pbf") else None


@dataclass
class PlanResult:
    plan: Plan
    lang: str
    written: list[Path]
    rejected: dict[str, int]
    rejects_path: Path | None
    notes: list[Note]
    routes: Routes | None = None


@dataclass
class History:
    """What the store adds to a plan: its burglaries and what was done at the doors."""

    burglaries: gpd.GeoDataFrame
    reached: dict[str, str] = field(default_factory=dict)
    """Households settled in the window (see :data:`cocoon.store.queries.DONE`), with the outcome."""
    revisit: dict[str, str] = field(default_factory=dict)
    outcomes: dict[str, tuple[str, str]] = field(default_factory=dict)
    notes: list[Note] = field(default_factory=list)
    trial: dict[str, Any] | None = None
    """The store's trial: the delayed burglaries held back from this plan (for plan.json)."""


def check_run(run: PlanRun) -> None:
    """The run's own values, checked before any file is read: a plan date more than a week ahead
    (without ``allow_future``), and officers' names that do not name each officer once."""
    days_ahead = 7  # a plan date further ahead than this is a typing mistake
    today = dt.date.today()
    if run.plan_date > today + dt.timedelta(days=days_ahead) and not run.allow_future:
        raise InputError(
            "day.plan_date_ahead", date=run.plan_date.isoformat(), today=today.isoformat(), days=days_ahead
        )
    if run.officer_names is not None:
        if run.officers is None:
            raise InputError("routes.names_need_officers")
        officer_names(run.officer_names, run.officers)


def run_plan(settings: Settings, run: PlanRun) -> PlanResult:
    """Read, plan, write: ``cocoon plan``. The output folder is written whole or not at all (see
    :class:`~cocoon.publish.files.OutputFolder`), and a store records the plan only with it."""
    check_run(run)
    store_file = Path(settings.store.path) if settings.store.path else None
    inputs = (run.burglaries, run.households, run.exclude_path, run.network_path, run.settings_file, store_file)
    folder = OutputFolder(run.out_dir, overwrite=run.overwrite, inputs=inputs)
    if run.rejects_path is not None:
        prepare_output_file(run.rejects_path, overwrite=run.overwrite, inputs=inputs)
    result = _run(settings, run, folder)
    result.written = [folder.final(p) if folder.folder in p.parents else p for p in result.written]
    if result.rejects_path is not None and folder.folder in result.rejects_path.parents:
        result.rejects_path = folder.final(result.rejects_path)
    if folder.moved_aside is not None:
        result.notes.append(("output.moved_aside", {"path": str(folder.target), "aside": str(folder.moved_aside)}))
    return result


def plan_into(settings: Settings, run: PlanRun, out_dir: Path) -> PlanResult:
    """The plan's files written into ``out_dir``, a folder that the caller prepared (the demo's)."""
    check_run(run)
    return _run(settings, run, None, out_dir)


def _run(settings: Settings, run: PlanRun, folder: OutputFolder | None, out_dir: Path | None = None) -> PlanResult:
    lang = resolve_language(settings.language)
    store_file = settings.store.path or None
    if run.burglaries is None and not store_file:
        raise InputError("plan.no_burglaries")
    if store_file:  # only ingest makes a store: a mistyped name must not start an empty history
        require_existing(store_file)
    input_crs = parse_crs(run.input_crs, what="--crs") if run.input_crs else None
    household_crs = parse_crs(run.household_crs, what="--household-crs") if run.household_crs else None
    exclude = read_household_ids(run.exclude_path) if run.exclude_path else set()

    if settings.model.weights:
        load_search_beside()  # the fitted model's search loads while the inputs are read
    burglaries = None
    if run.burglaries is not None:
        burglaries = read_burglaries(
            run.burglaries,
            columns=run.burglary_columns,
            crs=input_crs,
            plan_date=run.plan_date,
            skip_bad_rows=run.skip_bad_rows,
            date_format=run.date_format,
            settings=settings.inputs,
            active_days=settings.zones.active_days,
        )
    households = read_households(
        run.households,
        columns=run.household_columns,
        crs=household_crs,
        skip_bad_rows=run.skip_bad_rows,
        osm=settings.osm,
        lang=lang,
    )
    if not store_file:
        assert burglaries is not None  # refused above without a store
        history = History(burglaries=burglaries.burglaries)
        with folder or nullcontext(out_dir) as target:
            assert target is not None
            return _plan_and_write(run, settings, lang, target, burglaries, households, history, exclude)
    if burglaries is not None:
        require_ids(burglaries)
    with open_store(store_file, create=False) as store, store.transaction() as db:
        notes: list[Note] = []
        if burglaries is not None:
            done = queries.ingest(db, burglaries.burglaries, source=str(run.burglaries))
            notes.append(
                (
                    "store.ingested",
                    {"added": done.added, "unchanged": done.unchanged, "conflicting": len(done.conflicting)},
                )
            )
        notes += trial.assign_pending(db)
        reached, revisit = queries.visit_history(store, on=run.plan_date, days=settings.zones.active_days)
        notes.append(("store.history", {"reached": len(reached), "revisit": len(revisit)}))
        history = History(
            burglaries=queries.stored_burglaries(store),
            reached=reached,
            revisit=revisit,
            outcomes=queries.latest_outcomes(store, on=run.plan_date),
            notes=notes,
        )
        held = trial.held_back(db, on=run.plan_date)
        if held is not None:  # the trial's delayed burglaries wait until their delay has passed
            history.burglaries, unsized = trial.hold_back(history.burglaries, held)
            history.trial = held.summary()
            notes.append(("trial.held_back", {"n": len(held.ids), "released": held.released, "days": held.delay_days}))
        if burglaries is None:
            burglaries = BurglaryTable(
                burglaries=history.burglaries, rejects=pd.DataFrame(columns=["row"]), source=str(store_file), columns={}
            )
        with folder or nullcontext(out_dir) as target:
            assert target is not None
            result = _plan_and_write(run, settings, lang, target, burglaries, households, history, exclude)
            queries.record_plan(db, result.plan, out_dir=str(folder.target if folder else target))
            if held is not None:
                trial.record_held_back(
                    db,
                    held,
                    trial.zone_sizes(
                        unsized, households.households, crs=result.plan.crs, radius_m=settings.zones.radius_m
                    ),
                )
        store.audit(db, run.command)
    return result


def _plan_and_write(
    run: PlanRun,
    settings: Settings,
    lang: str,
    out_dir: Path,
    burglaries: BurglaryTable,
    households: HouseholdTable,
    history: History,
    exclude: set[str],
) -> PlanResult:
    """The plan from what was read, and every file of it."""
    metric = parse_crs(settings.crs, what="--metric-crs") if settings.crs else None
    left_out = exclude | set(history.reached)
    plan = make_plan(
        history.burglaries,
        households,
        on=run.plan_date,
        settings=settings,
        crs=metric,
        exclude=exclude,
        done=history.reached,
    )
    ids = plan.visits["household_id"].astype(str)
    plan.visits["revisit"] = ids.map(history.revisit).fillna("").astype(object) if history.revisit else ""

    rejected = {"burglaries": burglaries.unusable, "households": len(households.rejects)}
    rejects_path = None
    if any(rejected.values()) or burglaries.left_out:
        rejects_path = run.rejects_path or out_dir / "rejected-rows.csv"
        both = pd.concat(
            [burglaries.rejects.assign(file=str(run.burglaries)), households.rejects.assign(file=str(run.households))],
            ignore_index=True,
        )
        write_rejects(both[["file", *[c for c in both.columns if c != "file"]]], rejects_path, lang=lang)

    store_file = settings.store.path

    def shown(path: Path | str | None) -> str:
        """Paths inside the output folder (the demo's inputs) as the folder will have them."""
        if path is None or path == "":
            return ""
        return Path(path).relative_to(out_dir).as_posix() if out_dir in Path(path).parents else str(path)

    inputs = {
        "burglaries": shown(run.burglaries or burglaries.source),
        "store": shown(store_file),
        "households": shown(run.households),
        "burglary_columns": burglaries.columns,
        "household_columns": households.columns,
        "burglary_reading": burglaries.reading,
        "rows_rejected": rejected,
        "excluded_ids": len(left_out),
    }
    if history.trial is not None:
        inputs["trial"] = history.trial
    routes = _routes(run, plan, households.households) if run.officers is not None else None
    dialect = csv_dialect(settings.csv_dialect, lang)
    written = write_plan(
        plan,
        out_dir,
        inputs=inputs,
        route_lines=routes.line_frame(plan.crs) if routes else None,
        dialect=dialect,
        lang=lang,
    )
    signs = None
    basemap, notes = _basemap(run, plan)
    if routes is not None:
        from cocoon.field.pack import write_field_pack  # fpdf and the printouts, only for a field pack

        area = settings.handout.area_name or run.households.name.split(".")[0]
        pack = write_field_pack(
            plan,
            routes,
            out_dir,
            lang=lang,
            area=area,
            network=routes.network,
            dialect=dialect,
            exclude=exclude,
            basemap=basemap,
            xlsform=run.xlsform,
        )
        written += pack.written
        signs = pack.signs
        notes += pack.notes
    if run.maps or run.offline:
        maps, map_notes = _maps(run, plan, routes, signs, history.outcomes, out_dir, lang, basemap=basemap)
        written += maps
        notes += map_notes
    return PlanResult(
        plan=plan,
        lang=lang,
        written=written,
        rejected=rejected,
        rejects_path=rejects_path,
        notes=[
            *burglaries.notes,
            *households.notes,
            *plan.notes,
            *history.notes,
            *(routes.notes if routes else []),
            *notes,
        ],
        routes=routes,
    )


def _basemap(run: PlanRun, plan: Plan) -> tuple[Basemap | None, list[Note]]:
    """With --offline, the basemap from the OSM extract when there is one (a note when there is none)."""
    notes: list[Note] = []
    extract = run.extract()
    if not run.offline:
        return None, notes
    if extract is None:
        return None, [("maps.no_basemap", {})]
    if not len(plan.zones):
        return None, notes
    west, south, east, north = lonlat_bounds(plan.zones)
    pad = 0.015  # the public map's view may reach past the zones (see publish/maps.py)
    basemap = basemap_from_osm(extract, (west - pad, south - pad, east + pad, north + pad))
    if basemap is None:
        notes.append(("maps.basemap_unreadable", {"file": extract.name}))
    return basemap, notes


def _maps(
    run: PlanRun,
    plan: Plan,
    routes: Routes | None,
    signs: pd.DataFrame | None,
    outcomes: dict[str, tuple[str, str]],
    out_dir: Path,
    lang: str,
    basemap: Basemap | None = None,
) -> tuple[list[Path], list[Note]]:
    """map.html and map-public.html; offline, with the basemap from the OSM extract when there is one.
    The stops carry the officers' names where they were given."""
    notes: list[Note] = [] if run.offline else [("maps.online_only", {})]
    data = MapData(
        plan=plan,
        route_stops=routes.stops if routes else None,
        route_start=(routes.start.x, routes.start.y) if routes else None,
        signs=signs,
        outcomes=outcomes,
        basemap=basemap,
    )
    public, public_notes = public_map(data, lang=lang, offline=run.offline)
    if len(plan.visits) > data.max_households:
        notes.append(("maps.households_limited_screen", {"shown": data.max_households, "total": len(plan.visits)}))
    return [
        write_text(out_dir / "map.html", internal_map(data, lang=lang, offline=run.offline)),
        write_text(out_dir / "map-public.html", public),
    ], [*notes, *public_notes]


def _routes(run: PlanRun, plan: Plan, households: gpd.GeoDataFrame) -> Routes:
    """The officers' walks: on the footpaths of --network (or of the households' own OSM extract)."""
    if not run.start:
        raise InputError("routes.needs_start")
    assert run.officers is not None
    extract = run.extract()
    network = read_network(extract, plan.crs) if extract is not None else None
    names = officer_names(run.officer_names, run.officers)
    start = find_start(run.start, plan.visits, households, plan.crs)
    return plan_routes(
        plan.visits, start=start, officers=run.officers, settings=plan.settings.routes, network=network, names=names
    )
