"""``cocoon backtest``: score the zone policy and the baselines day by day over a period."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from cocoon import __version__
from cocoon.catalogue import resolve_language, text
from cocoon.errors import InputError
from cocoon.evidence.comparisons import Comparison, average_offsets, compare
from cocoon.evidence.events import Events, burglary_events
from cocoon.evidence.fitting import fit_model, model_pairs
from cocoon.evidence.memory import backtest_bytes, refuse_if_too_big
from cocoon.evidence.scoring import FOLLOW_ON, Backtest, run_backtest
from cocoon.geo.crs import parse_crs
from cocoon.inputs.burglaries import BurglaryColumns
from cocoon.inputs.tables import read_table
from cocoon.jobs.common import prepare_outputs, read_event_file, write_skipped_rows
from cocoon.publish.charts import hit_rate_curve
from cocoon.publish.files import (
    write_bytes,
    write_csv,
    write_json,
    write_text,
)
from cocoon.publish.reports import backtest_page
from cocoon.risk.model import DISTANCE_BANDS_M, TIME_BANDS_DAYS, RiskModel, model_from_settings
from cocoon.settings import Settings, as_dict

if TYPE_CHECKING:
    import shapely


@dataclass
class BacktestRun:
    """What one backtest reads and writes, and how it is run; the zones and the rest of the
    settings come separately."""

    burglaries: Path
    start: dt.date
    end: dt.date
    area_path: Path | None = None
    json_path: Path | None = None
    plot_path: Path | None = None
    html_path: Path | None = None
    per_burglary_path: Path | None = None
    sweep_radius: tuple[float, ...] = ()
    sweep_days: tuple[int, ...] = ()
    refit_every: int | None = None
    """Rolling origin: refit the model every this many days on the burglaries before (no --settings model)."""
    grid_offsets: int = 1
    """Average over this many grids, each moved diagonally by 1/n of a cell more."""
    settings_file: Path | None = None
    """The settings file the settings came from, only so that no output is written over it."""
    input_crs: str | None = None
    burglary_columns: BurglaryColumns = field(default_factory=BurglaryColumns)
    date_format: str | None = None
    skip_bad_rows: bool = False
    rejects_path: Path | None = None
    overwrite: bool = False
    progress: Callable[[int, int], None] | None = None


@dataclass
class BacktestResult:
    backtest: Backtest
    events: Events
    """The burglaries scored."""
    start: dt.date
    end: dt.date
    area_source: str
    lang: str
    written: list[Path]
    rejected: int
    rejects_path: Path | None
    notes: list[tuple[str, dict[str, Any]]]
    calibrated: bool = False
    """Whether the settings came from ``cocoon calibrate`` (they hold a [calibration] section)."""
    comparisons: list[Comparison] = field(default_factory=list)
    """The ranking model against each other method, with intervals."""
    model_source: str = "defaults"
    """What the ranking model was: "defaults", "settings" (a fitted model given) or "refit" (rolling origin)."""


def run_backtest_job(settings: Settings, run: BacktestRun) -> BacktestResult:
    """Read, score, write: ``cocoon backtest``."""

    if run.start > run.end:
        raise InputError("events.period_reversed", start=run.start.isoformat(), end=run.end.isoformat())
    lang = resolve_language(settings.language)
    for value in run.sweep_radius:
        if not value > 0:
            raise InputError("backtest.bad_sweep", option="--sweep-radius", value=value)
    for value in run.sweep_days:
        if value < 1:
            raise InputError("backtest.bad_sweep", option="--sweep-days", value=value)
    outputs = prepare_outputs(
        run,
        (run.json_path, run.plot_path, run.html_path, run.per_burglary_path),
        inputs=(run.area_path, run.settings_file),
    )
    metric = parse_crs(settings.crs, what="--metric-crs") if settings.crs else None

    table = read_event_file(run, settings.inputs)
    source = str(run.burglaries)
    events = burglary_events(table.burglaries, source=source, requested_crs=metric, day_rule="last")
    area, area_source = study_area(run.area_path, events)
    radii = (settings.zones.radius_m, *run.sweep_radius)
    reach = max(*radii, *(r for r, _ in FOLLOW_ON))
    pairs, needed = backtest_bytes(
        events.x, events.y, reach, radii=radii, cell=settings.backtest.cell_m, area_m2=float(area.area)
    )
    refuse_if_too_big(
        needed, pairs, n=len(events.x), reach=reach, memory_gb=settings.limits.memory_gb, command="backtest"
    )
    origin = np.datetime64(events.first, "D")
    first_day = int((np.datetime64(run.start, "D") - origin).astype(np.int64))
    last_day = int((np.datetime64(run.end, "D") - origin).astype(np.int64))
    models, model_source, notes = ranking_models(run, settings, events, area, first_day, last_day)
    result = score_offsets(run, settings, events, area, first_day, last_day, models)
    comparisons = compare(result)

    rejects_path = write_skipped_rows(run, table, outputs, lang=lang)
    written: list[Path] = [rejects_path] if rejects_path else []
    record = {
        "cocoon_version": __version__,
        "source": source,
        "metric_crs": events.crs,
        "area": area_source,
        "period_from": run.start.isoformat(),
        "period_to": run.end.isoformat(),
        "events_read": len(events.x),
        "events_with_window": events.windows,
        "settings": {k: v for k, v in as_dict(settings).items() if k in ("zones", "ranking", "backtest")},
    }
    record["ranking_model"] = {
        "source": model_source,
        "grid_offsets": max(run.grid_offsets, 1),
        "refit_every_days": run.refit_every if model_source == "refit" else None,
    }
    record["comparisons"] = [c.to_dict() for c in comparisons]
    if run.json_path:
        written.append(write_json({**result.to_dict(), **record}, run.json_path))
    if run.plot_path:
        written.append(write_bytes(run.plot_path, hit_rate_curve(result, lang=lang, title=source)))
    if run.html_path:
        written.append(
            write_text(
                run.html_path,
                backtest_page(
                    result,
                    lang=lang,
                    source=source,
                    start=run.start,
                    end=run.end,
                    comparisons=comparisons,
                    model_source=model_source,
                ),
            )
        )
    if run.per_burglary_path:
        written.append(write_csv(per_burglary_table(result, events), run.per_burglary_path))
    return BacktestResult(
        backtest=result,
        events=events,
        start=run.start,
        end=run.end,
        area_source=area_source,
        lang=lang,
        written=written,
        rejected=table.unusable,
        rejects_path=rejects_path,
        notes=[*table.notes, *events.notes, *result.notes, *notes],
        calibrated="calibration" in settings.extra and model_source == "settings",
        comparisons=comparisons,
        model_source=model_source,
    )


def ranking_models(
    run: BacktestRun,
    settings: Settings,
    events: Events,
    area: shapely.Geometry,
    first_day: int,
    last_day: int,
) -> tuple[list[tuple[int, RiskModel | None]], str, list[tuple[str, dict[str, Any]]]]:
    """The models the ranking model is, as (first day, model), what they are ("settings",
    "refit" or "defaults"), and notes for the user."""
    fitted = model_from_settings(settings.model)
    notes: list[tuple[str, dict[str, Any]]] = []
    if fitted is not None:
        if run.refit_every:
            notes.append(("notes.backtest_refit_ignored", {}))
        return [(first_day, fitted)], "settings", notes
    if not run.refit_every:
        return [], "defaults", notes
    models = rolling_models(events, area, first_day, last_day, run.refit_every, settings)
    unfitted = sum(model is None for _, model in models)
    if unfitted:
        notes.append(("notes.backtest_refit_defaults", {"n": unfitted}))
    return models, "refit", notes


def score_offsets(
    run: BacktestRun,
    settings: Settings,
    events: Events,
    area: shapely.Geometry,
    first_day: int,
    last_day: int,
    models: list[tuple[int, RiskModel | None]],
) -> Backtest:
    """The backtest on ``run.grid_offsets`` grids, each moved diagonally by a further
    fraction of a cell (the burglaries and the area move, the grid stays), averaged."""
    import shapely.affinity

    n = max(run.grid_offsets, 1)
    runs = []
    for k in range(n):
        shift = settings.backtest.cell_m * k / n
        runs.append(
            run_backtest(
                events.x + shift,
                events.y + shift,
                events.day,
                first_day=first_day,
                last_day=last_day,
                area=shapely.affinity.translate(area, shift, shift),
                zones=settings.zones,
                ranking=settings.ranking,
                settings=settings.backtest,
                sweep_radius=run.sweep_radius,
                sweep_days=run.sweep_days,
                models=models,
                progress=run.progress,
            )
        )
    return average_offsets(runs)


def rolling_models(
    events: Events, area: shapely.Geometry, first_day: int, last_day: int, every: int, settings: Settings
) -> list[tuple[int, RiskModel | None]]:
    """Rolling origin: for each block of ``every`` days, the model fitted on every burglary
    before the block (None where there are too few to fit)."""
    pairs = model_pairs(events.x, events.y, events.day, reach_m=DISTANCE_BANDS_M[-1], memory_days=TIME_BANDS_DAYS[-1])
    start = int(events.day.min()) if len(events.day) else first_day
    models: list[tuple[int, RiskModel | None]] = []
    previous = None
    for block in range(first_day, last_day + 1, every):
        try:
            fit = fit_model(
                events.x,
                events.y,
                events.day,
                first_day=start,
                last_day=block - 1,
                area=area,
                ranking=settings.ranking,
                zones=settings.zones,
                pairs=pairs,
                start=previous,
            )
        except InputError:  # nothing before the block to fit on
            models.append((block, None))
            continue
        models.append((block, fit.model))
        previous = fit.estimate
    return models


HULL = "convex hull of all burglaries"
"""The study area's name (in backtest.json) when no ``--area`` is given."""


def area_label(result: BacktestResult, lang: str) -> str:
    """The study area as the user reads it: the ``--area`` file, or the hull in ``lang``."""
    return text("backtest.hull", lang) if result.area_source == HULL else result.area_source


def study_area(path: Path | None, events: Events) -> tuple[shapely.Geometry, str]:
    """The polygon that area shares are measured over: ``path``'s polygons, or the events' convex hull."""
    import shapely

    if path is None:
        hull = shapely.MultiPoint(np.column_stack([events.x, events.y])).convex_hull
        if hull.area <= 0:
            raise InputError("backtest.flat_area")
        return hull, HULL

    table = read_table(path)
    if table.geometry is None:
        raise InputError("backtest.area_not_polygons", file=table.name)
    geometries = np.asarray(table.geometry.values if hasattr(table.geometry, "values") else table.geometry)
    polygons = geometries[np.isin(shapely.get_type_id(geometries), [3, 6])]
    if len(polygons) == 0:
        raise InputError("backtest.area_not_polygons", file=table.name)
    import geopandas as gpd

    frame = gpd.GeoDataFrame(geometry=list(polygons), crs=table.crs)
    if table.crs is not None and events.metric_crs is not None:
        frame = frame.to_crs(events.metric_crs)
    elif table.crs is not None and events.metric_crs is None and frame.crs.is_geographic:
        raise InputError("backtest.area_crs_mismatch", file=table.name)
    area = shapely.union_all(frame.geometry.values)
    if area.area <= 0:
        raise InputError("backtest.area_not_polygons", file=table.name)
    return area, str(path)


def per_burglary_table(result: Backtest, events: Events) -> pd.DataFrame:
    """One row per scored burglary: its id, day, place and follow-on counts."""
    per = result.per_burglary
    index = per["index"]
    days = np.datetime64(events.first, "D") + events.day[index].astype("timedelta64[D]")
    table = pd.DataFrame(
        {
            "burglary_id": events.ids[index],
            "date": pd.to_datetime(days).strftime("%Y-%m-%d"),
            "x": np.round(events.x[index], 2),
            "y": np.round(events.y[index], 2),
        }
    )
    for key, values in per.items():
        if key != "index":
            table[f"follow_on_{key}"] = values
    return table
