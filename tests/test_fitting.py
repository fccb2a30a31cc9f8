"""The fitted risk model: it recovers a known self-exciting process, finds nothing in shuffled
times, and falls back to the defaults on small samples."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from cocoon.evidence.fitting import fit_model, prior_weights
from cocoon.settings import RankingSettings, ZoneSettings

SIDE = 8000.0
DISTANCE = (10.0, 100.0, 300.0, 1000.0)
DAYS = (7, 28, 365)
TRUE = np.array([[0.04, 0.02, 0.03], [0.06, 0.03, 0.0], [0.05, 0.02, 0.0], [0.0, 0.0, 0.0]])
"""Follow-on burglaries per burglary in each (distance band, time band): 0.25 in all."""
SQUARE = shapely.box(0, 0, SIDE, SIDE)


def simulate(
    rng: np.random.Generator, *, days: int = 1460, per_day: float = 6.0, weights: np.ndarray = TRUE
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A self-exciting process with a step kernel, by generations: background burglaries, then
    each burglary's follow-ons, uniform in their ring and time band."""
    n = rng.poisson(per_day * days)
    x, y, t = rng.uniform(0, SIDE, n), rng.uniform(0, SIDE, n), rng.integers(0, days, n)
    parents = (x, y, t)
    inner = np.concatenate([[0.0], DISTANCE[:-1]])
    first = np.concatenate([[1], np.array(DAYS[:-1]) + 1])
    xs, ys, ts = [x], [y], [t]
    while len(parents[0]):
        px, py, pt = parents
        kids = []
        for k in range(len(DISTANCE)):
            for j in range(len(DAYS)):
                count = rng.poisson(weights[k, j], len(px))
                if not count.any():
                    continue
                idx = np.repeat(np.arange(len(px)), count)
                r = np.sqrt(rng.uniform(inner[k] ** 2, DISTANCE[k] ** 2, len(idx)))
                angle = rng.uniform(0, 2 * np.pi, len(idx))
                lag = rng.integers(first[j], DAYS[j] + 1, len(idx))
                kids.append((px[idx] + r * np.cos(angle), py[idx] + r * np.sin(angle), pt[idx] + lag))
        if not kids:
            break
        cx, cy, ct = (np.concatenate(part) for part in zip(*kids, strict=True))
        keep = (ct < days) & (cx >= 0) & (cx < SIDE) & (cy >= 0) & (cy < SIDE)
        parents = (cx[keep], cy[keep], ct[keep])
        xs.append(parents[0]), ys.append(parents[1]), ts.append(parents[2])
    return np.concatenate(xs), np.concatenate(ys), np.concatenate(ts).astype(np.int64)


def fit(x: np.ndarray, y: np.ndarray, t: np.ndarray, **options: float):
    return fit_model(
        x, y, t, first_day=365, last_day=int(t.max()), area=SQUARE, distance_m=DISTANCE, days=DAYS, **options
    )


def test_the_fit_recovers_a_known_process() -> None:
    rng = np.random.default_rng(7)
    x, y, t = simulate(rng)
    result = fit(x, y, t)
    inside = (result.low <= TRUE + 1e-12) & (result.high >= TRUE)
    # 95 % intervals: of 12 weights, at most two may miss by chance
    assert inside.sum() >= 10, (result.model.weights, result.low, result.high)
    assert result.model.weights.sum() == pytest.approx(TRUE.sum(), rel=0.15)
    # 6 a day with a quarter triggered: the background is 6 a day over 64 km2
    assert result.model.background_per_km2_day == pytest.approx(6.0 / 64, rel=0.1)
    assert result.background_share == pytest.approx(0.75, abs=0.05)
    assert result.near_repeats and result.recent_interval[0] < 0.22 < result.recent_interval[1]


def test_shuffled_times_leave_nothing_to_trigger() -> None:
    rng = np.random.default_rng(8)
    x, y, t = simulate(rng)
    shuffled = rng.permutation(t)
    result = fit(x, y, shuffled)
    weights = result.model.weights
    # Shuffling keeps where burglaries cluster (the history bands may carry that), but nothing
    # follows a burglary within weeks any more than months later.
    recent = result.model.recent_bands()
    assert weights[:, recent].sum() < 0.03, weights  # against 0.22 in the real order
    assert result.recent_triggered < 0.03 * result.n_burglaries
    assert not result.near_repeats  # and calibrate says "No near-repeat effect found"


def test_few_burglaries_fall_back_to_the_default_shape() -> None:
    rng = np.random.default_rng(9)
    x, y, t = simulate(rng, per_day=0.05)  # about 70 burglaries
    result = fit(x, y, t)
    shape = prior_weights(RankingSettings(), ZoneSettings(), np.asarray(DISTANCE), np.asarray(DAYS))
    fitted_shape = result.model.weights / result.model.weights.sum()
    assert np.abs(fitted_shape - shape).sum() < 0.5
    assert result.from_data.max() < 0.6  # more default than data
    many = fit(*simulate(rng))
    assert many.from_data.min() > 0.95
