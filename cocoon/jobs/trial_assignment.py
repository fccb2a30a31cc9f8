"""A running trial's part in ingest and plan: each new burglary gets its arm, and plans hold back the
delayed ones until their delay has passed (see :mod:`cocoon.jobs.trial`)."""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from cocoon.evaluation.trial_allocation import BEYOND, DELAYED, design_from_json
from cocoon.evaluation.trial_strata import strata_of
from cocoon.store import trial as trial_store

if TYPE_CHECKING:
    import geopandas as gpd

Note = tuple[str, dict[str, Any]]


def assign_pending(db: sqlite3.Connection) -> list[Note]:
    """Give each burglary of a running trial that has no arm yet the next place of its stratum, in
    order of report; a note says how many were assigned (and how many found their stratum full)."""
    trial = trial_store.latest_trial(db)
    if trial is None or not trial.running:
        return []
    design = design_from_json(trial.design)
    new = trial_store.unassigned(db, trial.trial_id, starts=design.starts)
    if not len(new):
        return []
    strata = strata_of(new, trial_store.burglary_times(db), design)
    used = trial_store.used_places(db, trial.trial_id)
    arms = trial_store.place_arms(db, trial.trial_id)
    rows = []
    for b, stratum in zip(new.itertuples(index=False), strata, strict=True):
        position = used.get(stratum, 0) + 1
        arm = arms.get((stratum, position), BEYOND)
        if arm != BEYOND:
            used[stratum] = position
        rows.append((str(b.burglary_id), str(b.reported), stratum, position if arm != BEYOND else 0, arm))
    trial_store.add_assignments(db, trial.trial_id, rows)
    beyond = sum(r[4] == BEYOND for r in rows)
    notes: list[Note] = [("trial.assigned", {"n": len(rows) - beyond, "trial": trial.trial_id})]
    if beyond:
        notes.append(("trial.beyond", {"n": beyond, "per_stratum": design.per_stratum}))
    return notes


@dataclass
class HeldBack:
    """The delayed burglaries a plan must leave out, and what the plan says about them."""

    ids: set[str]
    released: int
    """Delayed burglaries whose delay has passed by the plan date: cocooned from now on."""
    delay_days: int
    trial_id: int
    release: dict[str, str]
    """Per held-back burglary, the first plan date it is cocooned."""
    unsized: set[str] = field(default_factory=set)
    """The trial's burglaries reported by the plan date whose zone has not been counted yet."""

    def summary(self) -> dict[str, Any]:
        """For plan.json."""
        return {
            "trial_id": self.trial_id,
            "delay_days": self.delay_days,
            "held_back": len(self.ids),
            "released": self.released,
            "held_back_burglaries": [{"burglary_id": b, "cocooned_from": d} for b, d in sorted(self.release.items())],
        }


def held_back(db: sqlite3.Connection, *, on: dt.date) -> HeldBack | None:
    """The latest trial's delayed burglaries reported by ``on`` and not yet due (their report day
    plus the delay is after it); None when the store has no trial."""
    trial = trial_store.latest_trial(db)
    if trial is None:
        return None
    design = design_from_json(trial.design)
    given = trial_store.assignments(db, trial.trial_id)
    reported = pd.to_datetime(given["reported"])
    known = (reported < pd.Timestamp(on) + pd.Timedelta(days=1)).to_numpy()
    due = reported.dt.normalize() + pd.Timedelta(days=design.delay_days)
    delayed = (given["arm"] == DELAYED).to_numpy() & known
    waiting = delayed & (due > pd.Timestamp(on)).to_numpy()
    ids = given["burglary_id"].astype(str).to_numpy()
    unsized = known & given["households"].isna().to_numpy() & (given["arm"] != BEYOND).to_numpy()
    return HeldBack(
        ids=set(ids[waiting]),
        released=int((delayed & ~waiting).sum()),
        delay_days=design.delay_days,
        trial_id=trial.trial_id,
        unsized=set(ids[unsized]),
        release={b: d.date().isoformat() for b, d in zip(ids[waiting], due[waiting], strict=True)},
    )


def hold_back(burglaries: gpd.GeoDataFrame, held: HeldBack) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """(the burglaries the plan uses, the trial's burglaries whose zone is still to be counted)."""
    ids = burglaries["burglary_id"].astype(str)
    return burglaries[~ids.isin(held.ids)].copy(), burglaries[ids.isin(held.unsized)].copy()


def zone_sizes(held: gpd.GeoDataFrame, households: gpd.GeoDataFrame, *, crs: Any, radius_m: float) -> dict[str, int]:
    """Households within the radius of each burglary (the exposure of its episode in the trial),
    counted the same way in both arms: every household of the plan's file within the radius."""
    if not len(held) or not len(households):
        return {}
    import numpy as np
    from sklearn.neighbors import KDTree

    b = held.to_crs(crs)
    h = households.to_crs(crs)
    tree = KDTree(np.column_stack([h.geometry.x.to_numpy(), h.geometry.y.to_numpy()]))
    counts = tree.query_radius(
        np.column_stack([b.geometry.x.to_numpy(), b.geometry.y.to_numpy()]), r=radius_m, count_only=True
    )
    return {str(i): int(n) for i, n in zip(held["burglary_id"], counts, strict=True)}


def record_held_back(db: sqlite3.Connection, held: HeldBack, sizes: dict[str, int]) -> None:
    trial_store.record_zone_sizes(db, held.trial_id, sizes)
