"""The weights of the household risk model, as plain functions of age and distance.

``risk = points x time_weight(age) x distance_weight(distance) x street multiplier``, summed
over every active burglary. The plan's ranking and the backtest's grid score both use these
functions, so the model is defined once.
"""

from __future__ import annotations

import numpy as np

from cocoon.settings import RankingSettings


def time_weight(age_days: np.ndarray | float, ranking: RankingSettings) -> np.ndarray:
    """Step weight by age in days: the first row whose bound is >= age; the last row beyond."""
    ages = np.asarray(age_days, dtype=float)
    bounds = np.array([b for b, _ in ranking.time_weights], dtype=float)
    values = np.array([w for _, w in ranking.time_weights], dtype=float)
    index = np.searchsorted(bounds, ages, side="left")
    return values[np.minimum(index, len(values) - 1)]


def distance_weight(distance_m: np.ndarray | float, ranking: RankingSettings) -> np.ndarray:
    """Weight by distance in metres, linear between the knots; flat before the first and after the last."""
    d = np.asarray(distance_m, dtype=float)
    knots = np.array([k for k, _ in ranking.distance_weights], dtype=float)
    values = np.array([w for _, w in ranking.distance_weights], dtype=float)
    return np.asarray(np.interp(d, knots, values))
