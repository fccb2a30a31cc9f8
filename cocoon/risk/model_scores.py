"""Households scored with the fitted model (:mod:`cocoon.risk.model`), each score split in two.

For household h and every burglary b within the model's reach and memory::

    points(h, b) = the rate b adds at h's address today x SCORE_DAYS x 1,000

(the burglaries expected at the address over the next 30 days if today's risk held, x 1,000).
"Today" is the plan date, at least one day after the burglary: the same rate the backtest ranks
grid cells by on a day, from the burglaries before it, so the backtest's ``ranking_model`` is
the model the plan ranks with. Points from a time band up to the zone window are "from recent
burglaries nearby"; from a later band "from this place's own history". The area-wide background
is the same for every address, so it is left out of the score.

The tiers follow the model too: tier A is the burgled address and every household with at least
the points a burglary of yesterday gives at ``tier_a_max_m``; tier B at least what it gives at
``tier_b_max_m``; tier C the rest of the zone.
"""

from __future__ import annotations

import contextlib
import importlib
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from cocoon.risk.model import RiskModel
from cocoon.risk.reasons import REASONS_SHOWN, reason_items, top_pairs
from cocoon.settings import RankingSettings


def load_search_beside() -> None:
    """Start loading the KD-tree search the model scores with (scipy.spatial, a few tenths of a
    second) on another thread, so that it loads while a plan reads its inputs (reading runs
    mostly outside Python's lock). An import that fails here fails again, with its error, where
    the search is used."""

    def load() -> None:
        with contextlib.suppress(ImportError):
            importlib.import_module("scipy.spatial")

    threading.Thread(target=load, name="cocoon-load-search").start()


def horizon_points(
    model: RiskModel, distance: np.ndarray, age: np.ndarray, same_place: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(recent, history) points one burglary ``age`` days old adds to an address ``distance``
    metres away (see the module text; a burglary of the plan date counts as one day old)."""
    distance = np.asarray(distance, dtype=float)
    if same_place is not None:
        distance = np.where(same_place, 0.0, distance)
    age = np.maximum(np.asarray(age, dtype=np.int64), 1)
    k, j, inside = model.bands(distance, age)
    points = np.where(inside, model.points()[k, j], 0.0)
    recent = model.recent_bands()[j]
    return np.where(recent, points, 0.0), np.where(recent, 0.0, points)


def tier_thresholds(model: RiskModel, ranking: RankingSettings) -> tuple[float, float]:
    """The points of a burglary of yesterday at ``tier_a_max_m`` and at ``tier_b_max_m``."""
    recent, history = horizon_points(model, np.array([ranking.tier_a_max_m, ranking.tier_b_max_m]), np.array([1, 1]))
    total = recent + history
    return float(total[0]), float(total[1])


@dataclass(frozen=True)
class _Picks:
    """Per household, its burglaries adding most to the recent part, best first (-1 where none)."""

    row: np.ndarray
    """Row in the burglaries, (households, shown)."""
    distance: np.ndarray
    """Metres apart, (households, shown)."""


@dataclass
class ModelScores:
    """Per household (in the order given): the two parts of its score and the burglaries behind them."""

    recent: np.ndarray
    history: np.ndarray
    picks: _Picks
    """The burglaries adding most to the recent part, best first."""
    ages: np.ndarray
    """Days since each burglary (by row in the burglaries)."""
    ids: np.ndarray
    """The id of each burglary (by row in the burglaries)."""

    def reasons(self, order: np.ndarray | None = None) -> pa.ListArray:
        """The burglaries adding most to the recent part, best first (:mod:`cocoon.risk.reasons`),
        per household in ``order`` (positions; all in the order given when None)."""
        row = self.picks.row if order is None else self.picks.row[order]
        distance = self.picks.distance if order is None else self.picks.distance[order]
        kept = row >= 0
        burglary = row[kept]  # household by household, best first
        return reason_items(kept.sum(axis=1), burglary, self.ages[burglary], distance[kept], ids=self.ids)


CHUNK = 4_000
"""Households scored at a time, so that memory stays bounded on a region's register."""
CHUNK_CELL_M = 500.0
"""Households are taken into chunks cell by cell of this size: the pairs of a chunk of neighbours
are found faster than those of a chunk spread over the whole area."""
THREADS = 2
"""Chunks scored at once: the KD-tree search and most array work run outside Python's lock."""


@dataclass(frozen=True)
class _Burglaries:
    """The burglaries a chunk of households is scored with, and what each adds per distance band."""

    tree: Any
    usable: np.ndarray
    """Row in the burglaries of each burglary in the tree."""
    recent_points: np.ndarray
    """Per burglary in the tree, the points it adds to the recent part per distance band
    (:meth:`RiskModel.points`; zeros unless its time band counts as recent)."""
    history_points: np.ndarray
    """... and to the place's history (zeros where its time band counts as recent)."""
    count: int
    """How many burglaries were given (``same_place`` keys count in them)."""


def model_scores(
    model: RiskModel, hx: np.ndarray, hy: np.ndarray, burglaries: pd.DataFrame, same_place: np.ndarray | None = None
) -> ModelScores:
    """Score the households at (hx, hy) with every burglary in ``burglaries`` (columns x, y,
    burglary_id, age_days) dated up to the model's memory before the day.

    ``same_place`` holds ``household position x len(burglaries) + burglary row`` for the pairs
    known to be the burgled address or its building, however far apart their points are.

    Each household's points are summed in the order of the burglaries in their KD-tree, whichever
    chunk the household is scored in: the search between two trees gives each point of one tree
    its pairs in the other tree's order. The sums, and so the ties in the ranking, do not depend
    on the chunks."""
    from scipy.spatial import cKDTree

    n = len(hx)
    age_all = burglaries["age_days"].to_numpy(dtype=np.int64)
    usable = np.flatnonzero((age_all >= 0) & (age_all <= model.memory_days))
    recent_sum, history_sum = np.zeros(n), np.zeros(n)
    picks = _Picks(row=np.full((n, REASONS_SHOWN), -1, dtype=np.int64), distance=np.zeros((n, REASONS_SHOWN)))
    scores = ModelScores(
        recent=recent_sum,
        history=history_sum,
        picks=picks,
        ages=age_all,
        ids=burglaries["burglary_id"].astype(str).to_numpy(),
    )
    if n == 0 or len(usable) == 0:
        return scores
    # The time band is the burglary's, not the pair's: look up each burglary's points per distance band once.
    band = np.searchsorted(model.days, np.maximum(age_all[usable], 1), side="left")
    points, recent = model.points()[:, band].T, model.recent_bands()[band]
    given = _Burglaries(
        tree=cKDTree(
            np.column_stack(
                [burglaries["x"].to_numpy(dtype=float)[usable], burglaries["y"].to_numpy(dtype=float)[usable]]
            )
        ),
        usable=usable,
        recent_points=np.where(recent[:, None], points, 0.0),
        history_points=np.where(recent[:, None], 0.0, points),
        count=len(burglaries),
    )
    known_keys = np.unique(np.asarray(same_place if same_place is not None else [], dtype=np.int64))
    known_households = np.zeros(n, dtype=bool)
    known_households[known_keys // len(burglaries)] = True
    hxy = np.column_stack([hx, hy])
    nearby = _by_cell(hx, hy, CHUNK_CELL_M)

    def chunk(lo: int) -> None:
        at = nearby[lo : lo + CHUNK]
        recent_sum[at], history_sum[at] = _chunk_scores(
            model, hxy[at], given, known_keys, known_households[at], at, picks
        )

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        list(pool.map(chunk, range(0, n, CHUNK)))
    return scores


def _by_cell(x: np.ndarray, y: np.ndarray, cell_m: float) -> np.ndarray:
    """Positions of the points, cell by cell (cells of ``cell_m`` in rows; any order within a cell)."""
    col = ((x - x.min()) // cell_m).astype(np.int64)
    row = ((y - y.min()) // cell_m).astype(np.int64)
    return np.argsort(row * (int(col.max()) + 1) + col)


def _chunk_scores(
    model: RiskModel,
    hxy: np.ndarray,
    given: _Burglaries,
    known_keys: np.ndarray,
    known_households: np.ndarray,
    at: np.ndarray,
    picks: _Picks,
) -> tuple[np.ndarray, np.ndarray]:
    """(recent, history) of the households at ``hxy``, positions ``at``; their reasons go into ``picks``."""
    from scipy.spatial import cKDTree

    n = len(hxy)
    # every (household, burglary) pair within the reach, as arrays (no per-household lists); each
    # household's pairs come in the order of the burglaries in their tree, and are summed in it
    found = cKDTree(hxy).sparse_distance_matrix(given.tree, model.reach_m, output_type="ndarray")
    if len(found) == 0:
        return np.zeros(n), np.zeros(n)
    # contiguous copies: the fields of the record array are strided, and slow to compute with
    h, b, distance = (np.ascontiguousarray(found[field]) for field in ("i", "j", "v"))
    del found
    bands = given.recent_points.shape[1]
    cell = b * bands + model.distance_bands(distance)  # (burglary, distance band) in the tables of points
    maybe = np.flatnonzero(known_households[h])
    if len(maybe):  # the known same-place pairs count as distance 0, however far apart
        keys = at[h[maybe]] * given.count + given.usable[b[maybe]]
        where = np.minimum(np.searchsorted(known_keys, keys), len(known_keys) - 1)
        same = maybe[known_keys[where] == keys]
        cell[same] = b[same] * bands
    history = np.bincount(h, weights=np.take(given.history_points.ravel(), cell), minlength=n)
    points = np.take(given.recent_points.ravel(), cell)
    shown = np.flatnonzero(points > 0)  # only these add to the recent part and can be reasons
    h, b, distance, points = h[shown], b[shown], distance[shown], points[shown]
    best = top_pairs(h, distance, points, n)
    has = best >= 0
    rank, local = np.nonzero(has)
    picks.row[at[local], rank] = given.usable[b[best[has]]]
    picks.distance[at[local], rank] = distance[best[has]]
    return np.bincount(h, weights=points, minlength=n), history
