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

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from cocoon.risk.model import SCORE_DAYS, RiskModel
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
    points = np.where(inside, model.density()[k, j] * model.address_m2 * SCORE_DAYS * 1000.0, 0.0)
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
    parts: list[pa.Array] = []
    ids = burglaries["burglary_id"].astype(str).to_numpy()
    tree = cKDTree(
        np.column_stack([burglaries["x"].to_numpy(dtype=float)[usable], burglaries["y"].to_numpy(dtype=float)[usable]])
    )
    known_keys = np.unique(np.asarray(same_place if same_place is not None else [], dtype=np.int64))
    for lo in range(0, n, CHUNK):
        hi = min(lo + CHUNK, n)
        # every (household, burglary) pair within the reach, as arrays (no per-household lists)
        found = cKDTree(np.column_stack([hx[lo:hi], hy[lo:hi]])).sparse_distance_matrix(
            tree, model.reach_m, output_type="ndarray"
        )
        if len(found) == 0:
            parts.append(no_reasons(hi - lo))
            continue
        h = found["i"].astype(np.int64) + lo
        row = usable[found["j"]]
        known = None
        if len(known_keys):  # sorted lookup: isin would sort every chunk's pairs again
            keys = h * len(burglaries) + row
            at = np.minimum(np.searchsorted(known_keys, keys), len(known_keys) - 1)
            known = known_keys[at] == keys
        recent, history = horizon_points(model, found["v"], age_all[row], known)
        recent_sum += np.bincount(h, weights=recent, minlength=n)
        history_sum += np.bincount(h, weights=history, minlength=n)
        picks = top_pairs(h - lo, found["v"], recent, hi - lo)
        parts.append(reason_lists(picks, row, age_all[row], found["v"], ids=ids))
    return ModelScores(recent=recent_sum, history=history_sum, reasons=pa.concat_arrays(parts))
