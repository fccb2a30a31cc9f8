"""Households scored with the fitted model (:mod:`cocoon.risk.model`), each score split in two.

For household h and every burglary b within the model's reach and memory::

    points(h, b) = sum over the next SCORE_DAYS days of the rate b adds at h's address, x 1,000

The points from time bands up to the zone window are "from recent burglaries nearby"; the
points from later bands are "from this place's own history". The area-wide background is the
same for every address, so it is left out of the score.

The tiers follow the model too: tier A is the burgled address and every household with at least
the points a burglary of yesterday gives at ``tier_a_max_m``; tier B at least what it gives at
``tier_b_max_m``; tier C the rest of the zone.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cocoon.risk.model import SCORE_DAYS, RiskModel
from cocoon.settings import RankingSettings

REASONS_SHOWN = 2
"""A household's explanation names at most this many burglaries (the ones adding most)."""


def horizon_points(model: RiskModel, distance: np.ndarray, age: np.ndarray,
                   same_place: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(recent, history) points one burglary ``age`` days old adds to an address ``distance``
    metres away, summed over the next :data:`SCORE_DAYS` days (from lag max(age, 1))."""
    distance = np.asarray(distance, dtype=float)
    if same_place is not None:
        distance = np.where(same_place, 0.0, distance)
    age = np.maximum(np.asarray(age, dtype=np.int64), 1)
    k = np.searchsorted(model.distance_m, distance, side="left")
    near = k < len(model.distance_m)
    k = np.minimum(k, len(model.distance_m) - 1)
    lower = np.concatenate([[1], model.days[:-1] + 1])
    start = np.maximum(age[:, None], lower[None, :])
    end = np.minimum(age[:, None] + SCORE_DAYS - 1, model.days[None, :])
    days = np.clip(end - start + 1, 0, None)  # pairs x time bands
    per_m2_day = model.density()[k]  # pairs x time bands
    points = per_m2_day * days * model.address_m2 * 1000.0 * near[:, None]
    recent = model.recent_bands()
    return points[:, recent].sum(axis=1), points[:, ~recent].sum(axis=1)


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
    reasons: np.ndarray
    """"id|days ago|metres;..." for the burglaries adding most to the recent part, best first."""


def model_scores(model: RiskModel, hx: np.ndarray, hy: np.ndarray, burglaries: pd.DataFrame,
                 same_place: set[tuple[int, str]] | None = None) -> ModelScores:
    """Score the households at (hx, hy) with every burglary in ``burglaries`` (columns x, y,
    burglary_id, age_days) dated up to the model's memory before the day.

    ``same_place`` holds (household position, burglary id) pairs known to be the burgled address
    or its building, however far apart their points are."""
    from scipy.spatial import cKDTree

    n = len(hx)
    age_all = burglaries["age_days"].to_numpy(dtype=np.int64)
    usable = np.flatnonzero((age_all >= 0) & (age_all <= model.memory_days))
    empty = ModelScores(recent=np.zeros(n), history=np.zeros(n), reasons=np.full(n, "", dtype=object))
    if n == 0 or len(usable) == 0:
        return empty
    bx = burglaries["x"].to_numpy(dtype=float)[usable]
    by = burglaries["y"].to_numpy(dtype=float)[usable]
    found = cKDTree(np.column_stack([bx, by])).query_ball_point(np.column_stack([hx, hy]), r=model.reach_m)
    counts = np.fromiter((len(f) for f in found), dtype=np.int64, count=n)
    if counts.sum() == 0:
        return empty
    h = np.repeat(np.arange(n), counts)
    b = np.concatenate([np.asarray(f, dtype=np.int64) for f in found])
    d = np.hypot(hx[h] - bx[b], hy[h] - by[b])
    ids = burglaries["burglary_id"].astype(str).to_numpy()[usable][b]
    age = age_all[usable][b]
    known = None
    if same_place:
        keys = pd.MultiIndex.from_arrays([h, ids])
        known = keys.isin(pd.MultiIndex.from_tuples(sorted(same_place)))
    recent, history = horizon_points(model, d, age, known)
    return ModelScores(recent=np.bincount(h, weights=recent, minlength=n),
                       history=np.bincount(h, weights=history, minlength=n),
                       reasons=top_reasons(h, ids, age, d, recent, n))


def top_reasons(h: np.ndarray, ids: np.ndarray, age: np.ndarray, distance: np.ndarray, points: np.ndarray,
                n: int, shown: int = REASONS_SHOWN) -> np.ndarray:
    """Per household, the burglaries adding most ``points`` as "id|days ago|metres;...", best first."""
    reasons = np.full(n, "", dtype=object)
    keep = points > 0
    if not keep.any():
        return reasons
    h, ids, age, distance, points = h[keep], ids[keep], age[keep], distance[keep], points[keep]
    order = np.lexsort((distance, -points, h))
    h, ids, age, distance = h[order], ids[order], age[order], distance[order]
    starts = np.flatnonzero(np.concatenate([[True], h[1:] != h[:-1]]))
    position = np.arange(len(h)) - np.repeat(starts, np.diff(np.concatenate([starts, [len(h)]])))
    chosen = position < shown
    text = np.array([f"{i}|{int(a)}|{round(float(m))}" for i, a, m in
                     zip(ids[chosen], age[chosen], distance[chosen], strict=True)], dtype=object)
    for household, group in pd.Series(text).groupby(h[chosen]):
        reasons[int(household)] = ";".join(group)
    return reasons

