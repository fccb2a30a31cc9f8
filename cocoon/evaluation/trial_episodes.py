"""A trial's episodes, one per assigned burglary: built from the store's records while they are
there, and taken from the de-identified episodes kept before ``cocoon purge`` removed them.

Each row is found by its place in the allocation (stratum and position), which the assignment
keeps after purge, never by a burglary id. An assignment whose burglary purge has reached (its id
is ``purged-N``) takes its kept episode; every other one is built from the records, so that none
is counted twice. The cluster is the week of the report, counted from the ISO week of the trial's
first day (the same weeks, Monday to Sunday, as the ISO week the live episodes had).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from cocoon.evaluation.delivery_figures import episode_delivery
from cocoon.evaluation.episodes import ZoneHouseholds, build_episodes
from cocoon.store.trial import PURGED_PREFIX
from cocoon.store.trial_schema import KEPT_EPISODE_COLUMNS

if TYPE_CHECKING:
    from cocoon.store.queries import EvaluationTables

EPISODE = "episode"
NO_ZONE = "no_zone"
"""No plan listed or held back the burglary: no households, so no episode."""
NOT_YET_OBSERVED = "not_yet_observed"


def week_index(reported: pd.Series, starts: str) -> np.ndarray:
    """Weeks (Monday to Sunday) from the ISO week of the trial's first day to the report's."""
    first = pd.Timestamp(starts).normalize()
    monday = first - pd.Timedelta(days=first.day_of_week)
    days = (pd.to_datetime(reported).dt.normalize() - monday).dt.days.to_numpy(dtype=int)
    return np.asarray(days // 7, dtype=int)


def trial_zones(assigned: pd.DataFrame, zones: ZoneHouseholds, radius_m: float) -> ZoneHouseholds:
    """Households and radius per assigned burglary: those the plans counted in its zone (the same
    way in both arms), else those the first plan listing it gave."""
    ids = assigned["burglary_id"].astype(str)
    counted = pd.to_numeric(pd.Series(assigned["households"].to_numpy(), index=ids.to_numpy()), errors="coerce")
    households = counted.fillna(zones.households.reindex(ids).astype(float))
    radius = zones.radius_m.reindex(ids).astype(float).fillna(radius_m)
    usable = households.notna()
    return ZoneHouseholds(households=households[usable].astype(int), radius_m=radius[usable])


def live_episodes(
    in_trial: pd.DataFrame,
    burglaries: pd.DataFrame,
    zones: ZoneHouseholds,
    *,
    tables: EvaluationTables,
    data_end: pd.Timestamp,
    start: pd.Timestamp | None,
    end: pd.Timestamp | None,
    radius_m: float,
    starts: str,
) -> pd.DataFrame:
    """One row per assignment of ``in_trial`` (burglary_id, reported, stratum, position, arm,
    households), with the columns of :data:`KEPT_EPISODE_COLUMNS`, ``burglary_id``, ``reported`` and
    ``status``, built from the store's records (``tables``: its evaluation tables)."""
    ids = in_trial["burglary_id"].astype(str).to_numpy()
    reported = pd.to_datetime(in_trial["reported"]).reset_index(drop=True)
    own = trial_zones(in_trial, zones, radius_m)
    built = build_episodes(burglaries, own, data_end=data_end, start=start, end=end)
    by_id = built.set_index("burglary_id") if len(built) else pd.DataFrame(columns=["follow_on", "household_days"])
    done = episode_delivery(tables.burglaries, tables.listed, tables.visits, tables.signs, on=data_end.date()).reindex(
        ids
    )
    frame = pd.DataFrame(
        {
            "burglary_id": ids,
            "reported": reported,
            "stratum": in_trial["stratum"].astype(str).to_numpy(),
            "position": in_trial["position"].astype(int).to_numpy(),
            "arm": in_trial["arm"].astype(str).to_numpy(),
            "month": reported.dt.strftime("%Y-%m"),
            "week": week_index(reported, starts),
            "households": own.households.reindex(ids).to_numpy(dtype=float),
            "follow_on": by_id["follow_on"].reindex(ids).to_numpy(dtype=float),
            "household_days": by_id["household_days"].reindex(ids).to_numpy(dtype=float),
            "served_48h": done["served"].fillna(False).astype(bool).to_numpy(),
            # whole hours, rounded down: an attempt before the delay (a whole number of hours) stays one
            "hours_to_first_attempt": np.floor(done["hours_to_first_attempt"].astype(float).to_numpy()),
        }
    )
    return frame.assign(status=_status(frame))


def _status(frame: pd.DataFrame) -> np.ndarray:
    return np.where(
        frame["follow_on"].notna(), EPISODE, np.where(frame["households"].isna(), NO_ZONE, NOT_YET_OBSERVED)
    )


def is_purged(frame: pd.DataFrame) -> np.ndarray:
    return np.asarray(frame["burglary_id"].astype(str).str.startswith(PURGED_PREFIX), dtype=bool)


def with_kept(live: pd.DataFrame, kept: pd.DataFrame) -> pd.DataFrame:
    """``live`` with each purged assignment's row taken from ``kept`` (the kept episodes of the
    trial, :data:`KEPT_EPISODE_COLUMNS`); a purged assignment without a kept episode is not yet observed."""
    purged = is_purged(live)
    if not purged.any():
        return live
    place = pd.MultiIndex.from_arrays([live["stratum"], live["position"].astype(int)])
    stored = kept.set_index(["stratum", kept["position"].astype(int)]) if len(kept) else None
    out = live.copy()
    for column in ("households", "follow_on", "household_days", "served_48h", "hours_to_first_attempt"):
        values = (
            stored[column].reindex(place[purged]).to_numpy(dtype=float)
            if stored is not None
            else np.full(int(purged.sum()), np.nan)
        )
        out[column] = out[column].astype(float)
        out.loc[purged, column] = values
    if stored is not None:
        out.loc[purged, "week"] = stored["week"].reindex(place[purged]).fillna(-1).astype(int).to_numpy()
    out["served_48h"] = out["served_48h"].fillna(0).astype(bool)
    status = _status(out)
    found = place[purged].isin(stored.index) if stored is not None else np.zeros(int(purged.sum()), dtype=bool)
    status[np.flatnonzero(purged)[~found]] = NOT_YET_OBSERVED
    return out.assign(status=status)


def rows_to_keep(live: pd.DataFrame, before: pd.Timestamp) -> pd.DataFrame:
    """The de-identified rows of the assignments reported before ``before`` that purge will reach
    (not purged yet): :data:`KEPT_EPISODE_COLUMNS` only."""
    reached = (pd.to_datetime(live["reported"]) < before).to_numpy() & ~is_purged(live)
    return live.loc[reached, list(KEPT_EPISODE_COLUMNS)].reset_index(drop=True)
