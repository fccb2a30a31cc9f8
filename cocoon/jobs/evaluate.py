"""``cocoon evaluate``: did cocooning work here? From an analyst's episode table or from the store."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cocoon.catalogue import resolve_language, text
from cocoon.errors import InputError
from cocoon.evaluation.covariates import STORE_COVARIATES
from cocoon.evaluation.episode_table import read_episodes
from cocoon.evaluation.estimate import Evaluation, evaluate
from cocoon.evaluation.store_evaluation import store_evaluation
from cocoon.inputs.tables import read_table
from cocoon.jobs.store import opened, recorded
from cocoon.jobs.trial import current_trial, trial_evaluation
from cocoon.publish.evaluation_report import (
    chart_rows,
    evaluation_page,
    screen_blocks,
    section,
    store_blocks,
    store_page,
)
from cocoon.publish.files import prepare_output_file, write_json, write_text
from cocoon.publish.trial_report import trial_page, trial_screen
from cocoon.settings import Settings
from cocoon.store import queries


@dataclass
class EvaluateRun:
    """What one evaluation reads and writes; the settings (the store's path, the language) come separately."""

    episodes: Path | None = None
    store: str | Path | None = None
    adjust: tuple[str, ...] = ()
    cluster: str | None = None
    randomised: bool = False
    start: dt.date | None = None
    end: dt.date | None = None
    json_path: Path | None = None
    html_path: Path | None = None
    overwrite: bool = False
    command: str = "evaluate"


@dataclass
class EvaluateResult:
    source: str
    lang: str
    main: Evaluation
    clusters_by: str
    """What the intervals are clustered by, in words."""
    written: list[Path] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    """More figures for the JSON (from a store: delivery, windows, spillover, dose-response, Knox)."""
    screen: list[dict[str, Any]] = field(default_factory=list)
    """What the terminal shows: blocks of a title, lines (text, style) and a table."""
    page: str | None = None
    """The HTML page, when the job made it itself (from a store)."""


def run_evaluate(settings: Settings, run: EvaluateRun) -> EvaluateResult:
    """Read, evaluate, write."""
    lang = resolve_language(settings.language)
    if run.episodes and run.store:
        raise InputError("evaluate.both_sources")
    if not run.episodes and not run.store:
        raise InputError("evaluate.needs_source")
    inputs = tuple(Path(p) for p in (run.episodes, run.store) if p)
    outputs = [p for p in (run.json_path, run.html_path) if p]
    for path in outputs:
        prepare_output_file(path, overwrite=run.overwrite, inputs=inputs)
    result = evaluate_file(run, lang) if run.episodes else evaluate_store(run, lang, settings)
    if run.json_path:
        result.written.append(write_json(result_json(result), run.json_path))
    if run.html_path:
        result.written.append(write_text(run.html_path, result_page(result)))
    return result


def evaluate_file(run: EvaluateRun, lang: str) -> EvaluateResult:
    """``--episodes FILE``: the analyst's own table."""
    assert run.episodes is not None
    table = read_table(run.episodes)
    episodes = read_episodes(table, adjust=list(run.adjust), cluster=run.cluster)
    main = evaluate(
        episodes.frame,
        adjust=episodes.adjust,
        categorical=episodes.categorical,
        clusters=episodes.clusters,
        randomised=run.randomised,
    )
    by = run.cluster or text("evaluate.clusters_episode", lang)
    result = EvaluateResult(source=str(run.episodes), lang=lang, main=main, clusters_by=by)
    result.screen = [
        {"title": text("evaluate.title", lang, source=result.source)},
        *screen_blocks(main, lang),
        {"lines": [(text("evaluate.clusters", lang, clusters=main.clusters, by=by), "")]},
    ]
    return result


def result_json(result: EvaluateResult) -> dict[str, Any]:
    """The figures as JSON: an interval without an end (infinite) or a ratio of 0/0 is null."""
    return dict(
        finite({"source": result.source, **result.main.to_dict(), "clustered_by": result.clusters_by, **result.extra})
    )


def finite(value: Any) -> Any:
    """``value`` with every infinite or NaN number replaced by None (JSON has neither)."""
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def result_page(result: EvaluateResult) -> str:
    if result.page is not None:
        return result.page
    lang = result.lang
    intro = [text("evaluate.clusters", lang, clusters=result.main.clusters, by=result.clusters_by)]
    return evaluation_page(
        [section(result.main, lang)], chart_rows(result.main, lang), lang=lang, source=result.source, intro=intro
    )


def evaluate_store(run: EvaluateRun, lang: str, settings: Settings) -> EvaluateResult:
    """``--store FILE``: episodes built from the store, delivery first, then each comparison."""
    import pandas as pd

    start = pd.Timestamp(run.start) if run.start else None
    end = pd.Timestamp(run.end) if run.end else None
    if start is not None and end is not None and start > end:
        raise InputError("events.period_reversed", start=start.date().isoformat(), end=end.date().isoformat())
    with opened(run.store, settings, create=False) as db_store, recorded(db_store, run.command):
        trial = current_trial(db_store)
        if trial is not None:  # a randomised trial: by assignment (see cocoon.jobs.trial)
            by_arm = trial_evaluation(db_store, trial, start=start, end=end, source=str(run.store))
            with db_store.transaction() as db:
                db_store.audit(db, run.command)
            result = EvaluateResult(
                source=str(run.store),
                lang=lang,
                main=by_arm.main,
                clusters_by=text("evaluate.clusters_week", lang),
                extra=by_arm.to_dict(),
            )
            result.screen = trial_screen(by_arm, lang, source=str(run.store), trial_id=trial.trial_id)
            if run.html_path:
                result.page = trial_page(by_arm, lang, source=str(run.store), trial_id=trial.trial_id)
            return result
        tables = queries.evaluation_tables(db_store)
        located = queries.stored_burglaries(db_store)
        report = store_evaluation(
            tables, located, start=start, end=end, source=str(run.store), covariates=list(STORE_COVARIATES)
        )
        with db_store.transaction() as db:
            queries.archive_episodes(db, report.archive_rows, report.months_to_archive)
            db_store.audit(db, run.command)
    result = EvaluateResult(
        source=str(run.store),
        lang=lang,
        main=report.main,
        clusters_by=text("evaluate.clusters_week", lang),
        extra=report.to_dict(),
    )
    result.screen = store_blocks(report, lang, source=str(run.store))
    if run.html_path:
        result.page = store_page(report, lang, source=str(run.store))
    return result
