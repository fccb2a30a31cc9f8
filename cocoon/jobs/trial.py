"""``cocoon trial``: a randomised trial of immediate against delayed cocooning, run from the store.

``start`` fixes the allocation before the first burglary is assigned (a logged seed, permuted
blocks per stratum, see :mod:`cocoon.evaluation.trial_allocation`), keeps it in the store with its
SHA-256 and writes a receipt with the hash to send to someone before the trial begins. Each
burglary ingested afterwards (``cocoon ingest`` or ``cocoon plan --burglaries``) and reported on or
after the trial's first day gets the next place of its stratum, in order of report. ``cocoon plan``
holds back the delayed ones until their delay has passed. ``verify`` makes the allocation again
from the seed and checks the hash, the stored places and every assignment; ``status`` counts the
arms per stratum; ``stop`` ends the assignment.
"""

from __future__ import annotations

import datetime as dt
import secrets
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from cocoon.errors import InputError
from cocoon.evaluation.episodes import projected_burglaries, zone_households
from cocoon.evaluation.trial_allocation import (
    ARMS,
    BEYOND,
    STRATIFIERS,
    Design,
    allocation,
    allocation_hash,
    design_from_json,
    design_json,
    place_rows,
)
from cocoon.evaluation.trial_analysis import TrialEvaluation, evaluate_trial, in_period
from cocoon.evaluation.trial_episodes import live_episodes, rows_to_keep
from cocoon.evaluation.trial_strata import area_grid
from cocoon.inputs.trial_receipt import read_receipt_hash
from cocoon.jobs.store import Purged, PurgePreview, default_purge_date, opened, recorded, run_purge
from cocoon.jobs.trial_assignment import assign_pending, held_back
from cocoon.publish.files import prepare_output_file, write_text
from cocoon.publish.trial_report import receipt_text
from cocoon.settings import Settings
from cocoon.store import queries
from cocoon.store import trial as trial_store
from cocoon.store.database import Store

Note = tuple[str, dict[str, Any]]
SEED_BITS = 48
"""A seed drawn for the analyst (when --seed is not given) has this many random bits."""


@dataclass
class TrialStart:
    trial_id: int
    design: Design
    digest: str
    strata: int
    places: int
    receipt: Path
    notes: list[Note] = field(default_factory=list)


def _strata(given: str | None, settings: Settings) -> tuple[str, ...]:
    if given is None:
        chosen = tuple(settings.trial.strata)
    else:
        chosen = tuple(w.strip().lower() for w in given.split(",") if w.strip())
        if chosen in (("none",), ()):
            chosen = ()
    unknown = [w for w in chosen if w not in STRATIFIERS]
    if unknown:
        raise InputError("trial.bad_strata", value=", ".join(unknown), choices=", ".join(STRATIFIERS))
    return tuple(s for s in STRATIFIERS if s in chosen)


def run_trial_start(
    settings: Settings,
    *,
    store: str | Path | None,
    seed: int | None = None,
    strata: str | None = None,
    starts: dt.date | None = None,
    receipt_path: Path | None = None,
    overwrite: bool = False,
    lang: str = "en",
    today: dt.date | None = None,
    command: str = "trial start",
) -> TrialStart:
    """Fix the allocation, keep it in the store with its hash, and write the receipt. ``settings``:
    the settings file with ``cocoon trial start``'s options on top
    (:data:`~cocoon.jobs.options.TRIAL_START_OPTIONS`)."""
    chosen = _strata(strata, settings)
    if seed is not None and seed < 0:
        raise InputError("trial.bad_seed", value=seed)
    first_day = starts or today or dt.date.today()
    receipt = receipt_path or Path(f"trial-{first_day.isoformat()}-receipt.txt")
    with opened(store, settings, create=False) as db_store, recorded(db_store, command):
        prepare_output_file(receipt, overwrite=overwrite, inputs=(db_store.path,))
        with db_store.transaction() as db:
            running = trial_store.latest_trial(db)
            if running is not None and running.running:
                raise InputError("trial.already_running", path=str(db_store.path), started=running.started_at[:10])
            grid: dict[str, Any] = {}
            if "area" in chosen:
                every = trial_store.burglary_times(db)
                if not len(every):
                    raise InputError("trial.area_needs_burglaries", path=str(db_store.path))
                crs, origin, cells = area_grid(
                    every["lon"].to_numpy(float), every["lat"].to_numpy(float), settings.trial.area_km
                )
                grid = {"area_km": settings.trial.area_km, "area_crs": crs, "area_origin": origin, "area_cells": cells}
            design = Design(
                seed=seed if seed is not None else secrets.randbits(SEED_BITS),
                starts=first_day.isoformat(),
                delay_days=settings.trial.delay_days,
                strata=chosen,
                per_stratum=settings.trial.per_stratum,
                radius_m=settings.zones.radius_m,
                **grid,
            )
            places = allocation(design)
            digest = allocation_hash(design, places)
            trial_id = trial_store.create_trial(db, design_json(design), place_rows(places), digest)
            write_text(
                receipt, receipt_text(design, digest, lang=lang, strata=len(design.stratum_names()), places=len(places))
            )
            notes = assign_pending(db)
            db_store.audit(db, command)
    return TrialStart(
        trial_id=trial_id,
        design=design,
        digest=digest,
        strata=len(design.stratum_names()),
        places=len(places),
        receipt=receipt,
        notes=notes,
    )


@dataclass
class TrialStatus:
    trial_id: int
    started_at: str
    stopped_at: str | None
    design: Design
    digest: str
    arms: dict[str, int]
    beyond: int
    strata: list[dict[str, Any]]
    waiting: int
    """Delayed burglaries still held back on the status day."""
    largest_gap: int
    """The largest difference between the arms in one stratum."""


def _trial(db: sqlite3.Connection, path: Path) -> trial_store.Trial:
    trial = trial_store.latest_trial(db)
    if trial is None:
        raise InputError("trial.none", path=str(path))
    return trial


def run_trial_status(
    settings: Settings, *, store: str | Path | None, on: dt.date, command: str = "trial status"
) -> TrialStatus:
    with opened(store, settings, create=False) as db_store, recorded(db_store, command), db_store.transaction() as db:
        trial = _trial(db, db_store.path)
        design = design_from_json(trial.design)
        given = trial_store.assignments(db, trial.trial_id)
        held = held_back(db, on=on)
        db_store.audit(db, command)
    in_trial = given[given["arm"].isin(ARMS)]
    strata: list[dict[str, Any]] = []
    gaps = [0]
    for stratum in design.stratum_names():
        mine = in_trial[in_trial["stratum"] == stratum]
        if len(mine):
            counts = {arm: int((mine["arm"] == arm).sum()) for arm in ARMS}
            gaps.append(abs(counts[ARMS[0]] - counts[ARMS[1]]))
            strata.append({"stratum": stratum, **counts, "gap": gaps[-1]})
    return TrialStatus(
        trial_id=trial.trial_id,
        started_at=trial.started_at,
        stopped_at=trial.stopped_at,
        design=design,
        digest=trial.allocation_hash,
        arms={arm: int((given["arm"] == arm).sum()) for arm in ARMS},
        beyond=int((given["arm"] == BEYOND).sum()),
        strata=strata,
        waiting=len(held.ids) if held else 0,
        largest_gap=max(gaps),
    )


@dataclass
class TrialCheck:
    trial_id: int
    digest: str
    problems: list[Note]
    assignments: int

    @property
    def ok(self) -> bool:
        return not self.problems


def run_trial_verify(
    settings: Settings,
    *,
    store: str | Path | None,
    receipt: Path | None = None,
    command: str = "trial verify",
) -> TrialCheck:
    """Make the allocation again from the stored seed and check the hash (against the store and the
    receipt), every stored place, and every assignment's arm and position."""
    sent = read_receipt_hash(receipt) if receipt is not None else None
    with opened(store, settings, create=False) as db_store, recorded(db_store, command), db_store.transaction() as db:
        trial = _trial(db, db_store.path)
        stored = trial_store.stored_places(db, trial.trial_id)
        given = trial_store.assignments(db, trial.trial_id)
        db_store.audit(db, command)
    design = design_from_json(trial.design)
    remade = place_rows(allocation(design))
    digest = allocation_hash(design, allocation(design))
    problems: list[Note] = []
    if digest != trial.allocation_hash:
        problems.append(("trial.hash_differs", {"stored": trial.allocation_hash, "remade": digest}))
    if sent is not None and sent != trial.allocation_hash:
        problems.append(
            ("trial.receipt_differs", {"file": str(receipt), "sent": sent, "stored": trial.allocation_hash})
        )
    if stored != remade:
        changed = [s for s, r in zip(stored, remade, strict=False) if s != r]
        first = changed[0] if changed else (stored or remade)[min(len(stored), len(remade)) - 1]
        problems.append(
            (
                "trial.places_differ",
                {"n": len(changed) + abs(len(stored) - len(remade)), "stratum": first[0], "position": first[1]},
            )
        )
    arms = {(s, p): a for s, p, _, a in remade}
    for row in given.itertuples(index=False):
        if row.arm == BEYOND:
            continue
        if arms.get((str(row.stratum), int(row.position))) != row.arm:
            problems.append(
                (
                    "trial.assignment_differs",
                    {
                        "burglary": str(row.burglary_id),
                        "stratum": row.stratum,
                        "position": int(row.position),
                        "arm": row.arm,
                    },
                )
            )
    in_trial = given[given["arm"] != BEYOND]
    for stratum, positions in in_trial.groupby("stratum")["position"]:
        if sorted(positions.astype(int)) != list(range(1, len(positions) + 1)):
            problems.append(("trial.positions_skipped", {"stratum": stratum}))
    return TrialCheck(trial_id=trial.trial_id, digest=trial.allocation_hash, problems=problems, assignments=len(given))


@dataclass
class TrialStop:
    trial_id: int
    stopped_at: str
    assigned: int
    waiting: int


def run_trial_stop(
    settings: Settings, *, store: str | Path | None, on: dt.date, command: str = "trial stop"
) -> TrialStop:
    """No burglary is assigned after this; the delayed ones already assigned keep their delay."""
    with opened(store, settings, create=False) as db_store, recorded(db_store, command), db_store.transaction() as db:
        trial = _trial(db, db_store.path)
        if not trial.running:
            raise InputError("trial.already_stopped", path=str(db_store.path), stopped=str(trial.stopped_at)[:10])
        stamp = trial_store.stop_trial(db, trial.trial_id)
        given = trial_store.assignments(db, trial.trial_id)
        held = held_back(db, on=on)
        db_store.audit(db, command)
    return TrialStop(
        trial_id=trial.trial_id,
        stopped_at=stamp,
        assigned=int(given["arm"].isin(ARMS).sum()),
        waiting=len(held.ids) if held else 0,
    )


def current_trial(store: Store) -> trial_store.Trial | None:
    with store.reading() as db:
        return trial_store.latest_trial(db)


def _trial_inputs(store: Store, trial: trial_store.Trial, end: pd.Timestamp | None) -> dict[str, Any]:
    """What the trial's episodes are built from: the store's tables, burglaries, assignments and
    kept episodes, and the end of the data."""
    tables = queries.evaluation_tables(store)
    burglaries = projected_burglaries(queries.stored_burglaries(store))
    with store.reading() as db:
        given = trial_store.assignments(db, trial.trial_id)
        kept = trial_store.kept_episodes(db, trial.trial_id)
    visits_end = pd.to_datetime(tables.visits["visited_at"]).max() if len(tables.visits) else pd.NaT
    latest = pd.to_datetime(burglaries["reported"]).max() if len(burglaries) else pd.NaT
    data_end = (
        end + pd.Timedelta(days=1)
        if end is not None
        else max(t for t in (latest, visits_end, pd.Timestamp("1970-01-01")) if not pd.isna(t))
    )
    return {"tables": tables, "burglaries": burglaries, "given": given, "kept": kept, "data_end": data_end}


def trial_evaluation(
    store: Store, trial: trial_store.Trial, *, start: pd.Timestamp | None, end: pd.Timestamp | None, source: str
) -> TrialEvaluation:
    """``cocoon evaluate --store`` when the store has a trial: by assignment, with delivery per arm."""
    design = design_from_json(trial.design)
    inputs = _trial_inputs(store, trial, end)
    return evaluate_trial(
        inputs["given"],
        inputs["burglaries"],
        zone_households(inputs["tables"].listed, inputs["tables"].plans),
        tables=inputs["tables"],
        kept=inputs["kept"],
        data_end=inputs["data_end"],
        start=start,
        end=end,
        radius_m=design.radius_m,
        delay_days=design.delay_days,
        starts=design.starts,
        source=source,
    )


def keep_trial_episodes(store: Store, trial: trial_store.Trial, *, before: dt.date) -> int:
    """Keep a de-identified episode for each of the trial's burglaries reported before ``before``
    (those a purge with that cut-off reaches), built from the records while they are there."""
    design = design_from_json(trial.design)
    inputs = _trial_inputs(store, trial, None)
    in_trial = in_period(inputs["given"], None, None)
    live = live_episodes(
        in_trial,
        inputs["burglaries"],
        zone_households(inputs["tables"].listed, inputs["tables"].plans),
        tables=inputs["tables"],
        data_end=inputs["data_end"],
        start=None,
        end=None,
        radius_m=design.radius_m,
        starts=design.starts,
    )
    rows = rows_to_keep(live, pd.Timestamp(before))
    with store.transaction() as db:
        return trial_store.keep_episodes(db, trial.trial_id, rows)


def run_trial_purge(
    settings: Settings,
    *,
    store: str | Path | None,
    before: dt.date | None,
    today: dt.date | None = None,
    yes: bool = False,
    show: Callable[[PurgePreview], None] | None = None,
    confirm: Callable[[PurgePreview], bool] | None = None,
    command: str = "purge",
) -> Purged:
    """``cocoon purge`` with a trial in the store: first keep the de-identified episodes of the
    trial's burglaries the purge reaches, then purge (:func:`cocoon.jobs.store.run_purge`)."""
    cut = before or default_purge_date(settings, today or dt.date.today())
    with opened(store, settings, create=False) as db_store:
        trial = current_trial(db_store)
        if trial is not None and len(queries.stored_burglaries(db_store)):
            keep_trial_episodes(db_store, trial, before=cut)
    return run_purge(
        settings,
        store=store,
        before=before,
        today=today,
        yes=yes,
        show=show,
        confirm=confirm,
        command=command,
    )
