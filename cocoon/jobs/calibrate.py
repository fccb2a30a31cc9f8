"""``cocoon calibrate``: the Knox test on a burglary file and its verdict, and the risk model
fitted to the same burglaries, written as settings for ``cocoon plan``."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from cocoon import __version__
from cocoon.catalogue import resolve_language, text
from cocoon.evidence.breaks import breaks_json, check_breaks
from cocoon.evidence.events import Events, burglary_events
from cocoon.evidence.fitting import PRIOR_BURGLARIES, ModelFit, fit_model
from cocoon.evidence.knox import FEW_BURGLARIES, MIN_EXPECTED_PAIRS, KnoxResult, default_workers, knox_test
from cocoon.evidence.memory import fit_bytes, knox_bytes, limit_bytes, refuse_if_too_big
from cocoon.evidence.verdict import Suggestion, suggest, verdict
from cocoon.geo.crs import parse_crs
from cocoon.inputs.burglaries import BurglaryColumns
from cocoon.jobs.common import prepare_outputs, read_event_file, write_skipped_rows
from cocoon.publish.charts import knox_heatmap
from cocoon.publish.files import (
    write_bytes,
    write_json,
    write_text,
)
from cocoon.publish.reports import knox_page
from cocoon.risk.model import DISTANCE_BANDS_M, TIME_BANDS_DAYS, band_names
from cocoon.settings import ModelSettings, Settings, settings_toml

DEFAULT_SDS = (0.0, 1.0, 100.0, 200.0, 300.0, 400.0, 500.0, math.inf)
DEFAULT_TDS = (0.0, 7.0, 14.0, 21.0, 28.0, 42.0, 56.0, math.inf)


@dataclass
class CalibrateRun:
    """What one Knox test reads and writes, and how it is run; the settings come separately."""

    burglaries: Path
    sds: tuple[float, ...] = DEFAULT_SDS
    tds: tuple[float, ...] = DEFAULT_TDS
    metric: str = "euclidean"
    closed: str = "left"
    nrep: int = 999
    seed: int | None = None
    nrc: bool = False
    start: dt.date | None = None
    end: dt.date | None = None
    json_path: Path | None = None
    plot_path: Path | None = None
    html_path: Path | None = None
    settings_out: Path | None = None
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
class CalibrateResult:
    knox: KnoxResult
    events: Events
    """The burglaries tested."""
    verdict: list[tuple[str, dict[str, Any]]]
    suggestion: Suggestion | None
    """The radius and windows the Knox table suggests; None when it shows no near-repeat pattern."""
    lang: str
    written: list[Path]
    rejected: int
    rejects_path: Path | None
    notes: list[tuple[str, dict[str, Any]]]
    settings_out: Path | None = None
    """The settings file written (``--write-settings``), if any."""
    fit: ModelFit | None = None
    """The fitted risk model; None when the burglaries cannot carry one (all at one place)."""
    settings: Settings | None = None
    """The settings in force (their zones are the policy the model ranks within)."""


def run_calibrate(settings: Settings, run: CalibrateRun) -> CalibrateResult:
    """Read, test, write: ``cocoon calibrate``."""

    lang = resolve_language(settings.language)
    check_breaks(tuple(run.sds), what="--sds")
    check_breaks(tuple(run.tds), what="--tds")
    outputs = prepare_outputs(
        run, (run.json_path, run.plot_path, run.html_path, run.settings_out), inputs=(run.settings_file,)
    )
    metric = parse_crs(settings.crs, what="--metric-crs") if settings.crs else None

    table = read_event_file(run, settings.inputs)
    source = str(run.burglaries)
    events = burglary_events(table.burglaries, source=source, requested_crs=metric, start=run.start, end=run.end)
    reach = max(b for b in run.sds if math.isfinite(b)) + (0.5 if run.nrc else 0.0)
    pairs, knox_needed = knox_bytes(events.x, events.y, reach)
    refuse_if_too_big(
        knox_needed, pairs, n=len(events.x), reach=reach, memory_gb=settings.limits.memory_gb, command="calibrate"
    )
    parameters = 1 + len(DISTANCE_BANDS_M) * len(TIME_BANDS_DAYS)
    pairs, fit_needed = fit_bytes(events.x, events.y, DISTANCE_BANDS_M[-1], parameters)
    refuse_if_too_big(
        fit_needed,
        pairs,
        n=len(events.x),
        reach=DISTANCE_BANDS_M[-1],
        memory_gb=settings.limits.memory_gb,
        command="calibrate",
    )
    # The fit runs in a thread beside the Knox test when both fit in memory at once, and the test
    # then leaves it a core: numpy lets go of Python's lock in most of the work of both, and the
    # fit, one thread from start to end, takes about as long as the test on the other cores.
    # Otherwise the fit runs after the test.
    beside = knox_needed + fit_needed <= limit_bytes(settings.limits.memory_gb)
    with ThreadPoolExecutor(max_workers=1) as pool:
        fitting = pool.submit(fit_events, events, settings) if beside else None
        result = knox_test(
            events.x,
            events.y,
            events.day,
            sds=run.sds,
            tds=run.tds,
            metric=run.metric,
            closed=run.closed,
            nrep=run.nrep,
            seed=run.seed,
            nrc=run.nrc,
            workers=max(1, default_workers() - 1) if beside else None,
            progress=run.progress,
        )
        fit = fitting.result() if fitting else fit_events(events, settings)
    lines = verdict(result)
    suggestion = suggest(result)

    rejects_path = write_skipped_rows(run, table, outputs, lang=lang)
    written: list[Path] = [rejects_path] if rejects_path else []
    details = calibration_record(result, events, source=source, start=run.start, end=run.end)
    if run.json_path:
        verdict_text = [text(key, lang, **params) for key, params in lines]
        written.append(
            write_json(
                {**result.to_dict(), **details, "verdict": verdict_text, "model": fit.to_dict() if fit else None},
                run.json_path,
            )
        )
    if run.plot_path:
        written.append(write_bytes(run.plot_path, knox_heatmap(result, lang=lang, title=source)))
    if run.html_path:
        written.append(write_text(run.html_path, knox_page(result, events, lines, lang=lang, source=source, fit=fit)))
    if run.settings_out:
        # Always written when asked: the fitted model (where the data say little, it is the
        # defaults), and the zones and weights in force; the file says which is which.
        written.append(write_text(run.settings_out, settings_file(settings, fit, details, source=source, lang=lang)))
    return CalibrateResult(
        knox=result,
        events=events,
        verdict=lines,
        suggestion=suggestion,
        lang=lang,
        written=written,
        rejected=table.unusable,
        rejects_path=rejects_path,
        notes=[*table.notes, *events.notes, *sample_notes(result)],
        settings_out=run.settings_out,
        fit=fit,
        settings=settings,
    )


def fit_events(events: Events, settings: Settings) -> ModelFit | None:
    """The risk model fitted to every burglary of the period, over their convex hull; None when
    they lie on a line or a point (no area to spread a rate over)."""
    import shapely

    if len(events.x) < 2:
        return None
    area = shapely.MultiPoint(np.column_stack([events.x, events.y])).convex_hull
    if area.area <= 0:
        return None
    return fit_model(
        events.x,
        events.y,
        events.day,
        first_day=0,
        last_day=int(events.day.max()),
        area=area,
        ranking=settings.ranking,
        zones=settings.zones,
    )


def settings_file(settings: Settings, fit: ModelFit | None, details: dict[str, Any], *, source: str, lang: str) -> str:
    """The settings file calibrate writes: the settings in force with the fitted model, and
    comments saying what comes from the data and what from the defaults."""
    date = dt.date.today().isoformat()
    if fit is None:
        comment = text("calibrate.settings_kept_comment", lang, source=source, date=date)
        return settings_toml(
            replace(settings, model=ModelSettings()), comment=comment.splitlines(), sections={"calibration": details}
        )
    thin = [
        band
        for band, share in zip(band_names(fit.model.distance_m, lang), fit.from_data.mean(axis=1), strict=True)
        if share < 0.5
    ]
    comment = text(
        "calibrate.settings_comment",
        lang,
        source=source,
        date=date,
        n=fit.n_burglaries,
        share=round(100 * fit.data_share),
        prior=PRIOR_BURGLARIES,
        defaults=", ".join(thin) if thin else text("calibrate.none_mostly_defaults", lang),
    )
    model = fit.model.to_settings(fitted_burglaries=fit.n_burglaries)
    record = {
        **details,
        "model_data_share": round(fit.data_share, 4),
        "model_background_share": round(fit.background_share, 4),
        "model_triggered": round(fit.triggered, 1),
        "model_prior_burglaries": PRIOR_BURGLARIES,
    }
    return settings_toml(replace(settings, model=model), comment=comment.splitlines(), sections={"calibration": record})


def sample_notes(result: KnoxResult) -> list[tuple[str, dict[str, Any]]]:
    """Warnings when the data are too few to trust: few burglaries, or cells with few pairs."""
    notes: list[tuple[str, dict[str, Any]]] = []
    if result.n_events < FEW_BURGLARIES:
        notes.append(("calibrate.few_burglaries", {"n": result.n_events, "needed": FEW_BURGLARIES}))
    thin = int(result.thin().sum())
    if thin:
        notes.append(
            ("calibrate.thin_cells", {"n": thin, "total": int(result.thin().size), "expected": MIN_EXPECTED_PAIRS})
        )
    return notes


def calibration_record(
    result: KnoxResult, events: Events, *, source: str, start: dt.date | None, end: dt.date | None
) -> dict[str, Any]:
    """Where the numbers came from: kept in the JSON output and the suggested settings file."""

    return {
        "cocoon_version": __version__,
        "source": source,
        "metric_crs": events.crs,
        "first_day": events.first.isoformat(),
        "last_day": events.last.isoformat(),
        "period_from": start.isoformat() if start else "",
        "period_to": end.isoformat() if end else "",
        "events_with_window": events.windows,
        "events_outside_period": events.left_out,
        "sds": breaks_json(result.sds),
        "tds": breaks_json(result.tds),
        "metric": result.metric,
        "closed": result.closed,
        "nrc": result.nrc,
        "nrep": result.nrep,
        "seed": result.seed,
        "n_events": result.n_events,
    }
