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

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from cocoon.risk.model import RiskModel
from cocoon.risk.reasons import no_reasons, reason_lists, top_pairs
from cocoon.settings import RankingSettings


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


@dataclass
class ModelScores:
    """Per household (in the order given): the two parts of its score and the burglaries behind them."""

    recent: np.ndarray
    history: np.ndarray
    reasons: pa.ListArray
    """The burglaries adding most to the recent part, best first (:mod:`cocoon.risk.reasons`)."""


CHUNK = 50_000
"""Households scored at a time, so that memory stays bounded on a region's register."""
THREADS = 2
"""Chunks scored at once: the KD-tree search and most array work run outside Python's lock."""


@dataclass(frozen=True)
class _Burglaries:
    """The burglaries a chunk of households is scored with, and what each adds per distance band."""

    tree: Any
    usable: np.ndarray
    """Row in the burglaries of each burglary in the tree."""
    points: np.ndarray
    """Per burglary in the tree, the points it adds per distance band (:meth:`RiskModel.points`)."""
    recent: np.ndarray
    """Per burglary in the tree: its time band counts as recent."""
    age: np.ndarray
    ids: np.ndarray
    count: int
    """How many burglaries were given (``same_place`` keys count in them)."""


def model_scores(
    model: RiskModel, hx: np.ndarray, hy: np.ndarray, burglaries: pd.DataFrame, same_place: np.ndarray | None = None
) -> ModelScores:
    """Score the households at (hx, hy) with every burglary in ``burglaries`` (columns x, y,
    burglary_id, age_days) dated up to the model's memory before the day.

    ``same_place`` holds ``household position x len(burglaries) + burglary row`` for the pairs
    known to be the burgled address or its building, however far apart their points are."""
    from scipy.spatial import cKDTree

    n = len(hx)
    age_all = burglaries["age_days"].to_numpy(dtype=np.int64)
    usable = np.flatnonzero((age_all >= 0) & (age_all <= model.memory_days))
    recent_sum, history_sum = np.zeros(n), np.zeros(n)
    if n == 0 or len(usable) == 0:
        return ModelScores(recent=recent_sum, history=history_sum, reasons=no_reasons(n))
    # The time band is the burglary's, not the pair's: look up each burglary's points per distance band once.
    band = np.searchsorted(model.days, np.maximum(age_all[usable], 1), side="left")
    given = _Burglaries(
        tree=cKDTree(
            np.column_stack(
                [burglaries["x"].to_numpy(dtype=float)[usable], burglaries["y"].to_numpy(dtype=float)[usable]]
            )
        ),
        usable=usable,
        points=np.ascontiguousarray(model.points()[:, band].T),
        recent=model.recent_bands()[band],
        age=age_all,
        ids=burglaries["burglary_id"].astype(str).to_numpy(),
        count=len(burglaries),
    )
    known_keys = np.unique(np.asarray(same_place if same_place is not None else [], dtype=np.int64))
    known_households = np.zeros(n, dtype=bool)
    known_households[known_keys // len(burglaries)] = True
    hxy = np.column_stack([hx, hy])

    def chunk(lo: int) -> pa.Array:
        hi = min(lo + CHUNK, n)
        recent, history, reasons = _chunk_scores(model, hxy[lo:hi], given, known_keys, known_households[lo:hi], lo)
        recent_sum[lo:hi], history_sum[lo:hi] = recent, history
        return reasons

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        parts = list(pool.map(chunk, range(0, n, CHUNK)))
    return ModelScores(recent=recent_sum, history=history_sum, reasons=pa.concat_arrays(parts))


def _chunk_scores(
    model: RiskModel,
    hxy: np.ndarray,
    given: _Burglaries,
    known_keys: np.ndarray,
    known_households: np.ndarray,
    lo: int,
) -> tuple[np.ndarray, np.ndarray, pa.Array]:
    """(recent, history, reasons) of the households at ``hxy``, positions ``lo`` onwards."""
    from scipy.spatial import cKDTree

    n = len(hxy)
    # every (household, burglary) pair within the reach, as arrays (no per-household lists); each
    # household's points are summed in this order, which decides ties in the ranking
    found = cKDTree(hxy).sparse_distance_matrix(given.tree, model.reach_m, output_type="ndarray")
    if len(found) == 0:
        return np.zeros(n), np.zeros(n), no_reasons(n)
    # contiguous copies: the fields of the record array are strided, and slow to compute with
    h, b, distance = (np.ascontiguousarray(found[field]) for field in ("i", "j", "v"))
    del found
    points = np.take(given.points.ravel(), b * given.points.shape[1] + model.distance_bands(distance))
    maybe = np.flatnonzero(known_households[h])
    if len(maybe):  # the known same-place pairs count as distance 0, however far apart
        keys = (h[maybe] + lo) * given.count + given.usable[b[maybe]]
        at = np.minimum(np.searchsorted(known_keys, keys), len(known_keys) - 1)
        same = maybe[known_keys[at] == keys]
        points[same] = given.points[b[same], 0]
    recent = given.recent[b]
    history = np.bincount(h, weights=np.where(recent, 0.0, points), minlength=n)
    shown = np.flatnonzero(recent & (points > 0))  # only these can be reasons; zeros add nothing to a sum
    h, row, distance, points = h[shown], given.usable[b[shown]], distance[shown], points[shown]
    picks = top_pairs(h, distance, points, n)
    reasons = reason_lists(picks, row, given.age[row], distance, ids=given.ids)
    return np.bincount(h, weights=points, minlength=n), history, reasons
