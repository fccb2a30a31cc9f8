"""Fitting the risk model (:mod:`cocoon.risk.model`) to an area's own burglaries.

Maximum likelihood by EM ("stochastic declustering", Mohler et al. 2011; with a step-shaped
kernel, Marsan & Lenglin\u00e9 2008): each burglary in the fitting period is shared out between the
background and every earlier burglary within reach, in proportion to what each adds to the rate
there; the weights are then re-estimated from those shares, until they settle.

Small samples are shrunk toward the published defaults: the fit weighs the default model as if
it were :data:`PRIOR_BURGLARIES` more burglaries, so 16 burglaries give nearly the defaults, 500
mostly the data, and 45,000 the data alone. Inside the zone radius and window the defaults'
shape is scaled to the data's own level there; beyond them the defaults give nothing, so a
band out there needs the data's support to count. :attr:`ModelFit.from_data` says how much of each weight is the data's.

The rate counts only burglaries inside the study area over the days of the period; the share of
each ring that falls outside the area is measured on the grid, so edges do not bias the fit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from cocoon.errors import InputError
from cocoon.geo.grid import Grid, make_grid, ring_shares
from cocoon.risk.model import DISTANCE_BANDS_M, TIME_BANDS_DAYS, RiskModel
from cocoon.risk.weights import distance_weight, time_weight
from cocoon.settings import RankingSettings, ZoneSettings

if TYPE_CHECKING:
    import shapely

PRIOR_BURGLARIES = 200.0
"""How many burglaries' worth of evidence the default model's shape counts as."""
MAX_ITERATIONS = 2000
TOLERANCE = 1e-9
CELL_M = 50.0
"""Grid cell for measuring how much of each ring lies in the study area."""


@dataclass
class Pairs:
    """Every (earlier, later) pair of burglaries within the model's reach and memory."""

    source: np.ndarray
    target: np.ndarray
    distance: np.ndarray
    age: np.ndarray


def model_pairs(x: np.ndarray, y: np.ndarray, day: np.ndarray, *, reach_m: float, memory_days: int) -> Pairs:
    """Pairs at most ``reach_m`` apart and 1..``memory_days`` days apart, found with a KD-tree."""
    from scipy.spatial import cKDTree

    found = cKDTree(np.column_stack([x, y])).query_pairs(r=reach_m, output_type="ndarray")
    a, b = found[:, 0], found[:, 1]
    swap = day[a] > day[b]
    source, target = np.where(swap, b, a), np.where(swap, a, b)
    age = day[target] - day[source]
    keep = (age >= 1) & (age <= memory_days)
    source, target = source[keep], target[keep]
    return Pairs(source=source, target=target, distance=np.hypot(x[source] - x[target], y[source] - y[target]),
                 age=age[keep])


@dataclass
class ModelFit:
    """A fitted model and how sure the fit is."""

    model: RiskModel
    n_burglaries: int
    """Burglaries in the study area over the fitting period (the ones the rate is fitted to)."""
    days: int
    area_km2: float
    expected: np.ndarray
    """Burglaries the fit attributes to each (distance band, time band)."""
    prior: np.ndarray
    """The weights the fit is shrunk toward."""
    low: np.ndarray
    """Lower end of each weight's 95 % interval."""
    high: np.ndarray
    """Upper end of each weight's 95 % interval."""
    from_data: np.ndarray
    """Share of each weight that comes from the data (the rest from the prior)."""
    background_share: float
    """Share of the fitted burglaries that the background explains."""
    iterations: int
    log_likelihood: float

    @property
    def triggered(self) -> float:
        """Burglaries the fit attributes to earlier burglaries (its effective sample size)."""
        return float(self.expected.sum())

    @property
    def recent_triggered(self) -> float:
        return float(self.expected[:, self.model.recent_bands()].sum())

    @property
    def data_share(self) -> float:
        """How much of the kernel as a whole comes from the data (the rest from the defaults)."""
        return float(np.average(self.from_data, weights=self.model.weights + 1e-300))

    def to_dict(self) -> dict[str, Any]:
        m = self.model
        return {
            "distance_m": m.distance_m.tolist(), "days": m.days.tolist(), "weights": m.weights.tolist(),
            "low": self.low.tolist(), "high": self.high.tolist(), "prior": self.prior.tolist(),
            "from_data": self.from_data.tolist(), "expected": self.expected.tolist(),
            "background_per_km2_day": m.background_per_km2_day, "background_share": self.background_share,
            "n_burglaries": self.n_burglaries, "days_fitted": self.days, "area_km2": self.area_km2,
            "triggered": self.triggered, "recent_triggered": self.recent_triggered, "data_share": self.data_share,
            "iterations": self.iterations, "log_likelihood": self.log_likelihood,
        }


def prior_weights(ranking: RankingSettings, zones: ZoneSettings, distance_m: np.ndarray, days: np.ndarray,
                  level: float = 1.0) -> np.ndarray:
    """The default model's shape over the bands, as weights summing to ``level``.

    The default ranking's weight at the middle of each band, times the band's area and days (the
    same-place band also gets the same-building multiplier); 0 for bands beyond the zone radius
    or window, where the defaults give nothing."""
    lower_d = np.concatenate([[0.0], distance_m[:-1]])
    mid_d = (lower_d + distance_m) / 2
    lower_t = np.concatenate([[1], days[:-1] + 1])
    mid_t = (lower_t + days) / 2
    dw = np.where(distance_m <= zones.radius_m, distance_weight(mid_d, ranking), 0.0)
    dw[0] *= ranking.same_building
    tw = np.where(days <= zones.active_days, time_weight(mid_t, ranking), 0.0)
    rings = np.diff(np.concatenate([[0.0], np.pi * distance_m ** 2]))
    lengths = np.diff(np.concatenate([[0], days]))
    shape = (dw * rings)[:, None] * (tw * lengths)[None, :]
    total = shape.sum()
    return level * shape / total if total > 0 else shape


def _inside_fractions(grid: Grid, distance_m: np.ndarray, home: np.ndarray) -> np.ndarray:
    """For each point (by its cell), the share of each ring that lies in the study area."""
    from scipy.signal import fftconvolve

    offsets, shares = ring_shares(grid, distance_m)
    m = int(np.ceil(distance_m[-1] / grid.cell)) + 1
    row, col = np.divmod(offsets + m * grid.nx + m, grid.nx)  # (row, col) in a window around the cell
    inside = grid.inside.reshape(grid.ny, grid.nx).astype(float)
    result = np.zeros((len(home), len(distance_m)))
    on_grid = (home >= 0) & (home < grid.size)
    for k in range(len(distance_m)):
        window = np.zeros((2 * m + 1, 2 * m + 1))
        window[row, col] = shares[k]
        # share inside around each cell = sum over offsets of share(offset) x inside(cell + offset)
        frac = fftconvolve(inside, window[::-1, ::-1], mode="same").ravel()
        result[on_grid, k] = np.clip(frac[home[on_grid]], 0.0, 1.0)
    return result


def fit_model(x: np.ndarray, y: np.ndarray, day: np.ndarray, *, first_day: int, last_day: int,
              area: shapely.Geometry, ranking: RankingSettings | None = None, zones: ZoneSettings | None = None,
              pairs: Pairs | None = None, distance_m: tuple[float, ...] = DISTANCE_BANDS_M,
              days: tuple[int, ...] = TIME_BANDS_DAYS, prior_burglaries: float = PRIOR_BURGLARIES) -> ModelFit:
    """Fit the model to the burglaries dated ``first_day``..``last_day`` inside ``area``, with every
    earlier burglary (also before the period, also outside the area) as a possible trigger.

    ``pairs`` may be given when the same burglaries are fitted many times (rolling origin)."""
    import shapely

    ranking = ranking or RankingSettings()
    zones = zones or ZoneSettings()
    dist = np.asarray(distance_m, dtype=float)
    bands_t = np.asarray(days, dtype=np.int64)
    x, y, day = np.asarray(x, dtype=float), np.asarray(y, dtype=float), np.asarray(day, dtype=np.int64)
    n_days = last_day - first_day + 1
    if n_days < 1:
        raise InputError("backtest.period_reversed")
    shapely.prepare(area)
    in_area = np.asarray(shapely.intersects_xy(area, x, y))
    is_target = (day >= first_day) & (day <= last_day) & in_area
    targets = np.flatnonzero(is_target)
    if len(targets) == 0:
        raise InputError("backtest.nothing_to_score")
    if pairs is None:
        pairs = model_pairs(x, y, day, reach_m=float(dist[-1]), memory_days=int(bands_t[-1]))
    area_m2 = float(area.area)
    features = _features(pairs, is_target, targets, dist, bands_t, area_m2)
    exposure = _exposure(x, y, day, area, first_day, last_day, dist, bands_t)
    shape = prior_weights(ranking, zones, dist, bands_t).ravel()
    theta, expected, iterations, log_likelihood = _em(features, exposure, shape, len(targets) / n_days,
                                                      prior_burglaries)

    n_k, n_j = len(dist), len(bands_t)
    weights = theta[1:].reshape(n_k, n_j)
    low, high = _intervals(features, theta, weights.shape)
    model = RiskModel(distance_m=dist, days=bands_t, weights=weights,
                      background_per_km2_day=float(theta[0] / area_m2 * 1e6), recent_days=zones.active_days)
    band_exposure = exposure[1:].reshape(n_k, n_j)
    return ModelFit(model=model, n_burglaries=len(targets), days=n_days, area_km2=area_m2 / 1e6,
                    expected=expected[1:].reshape(n_k, n_j),
                    prior=(shape * theta[1:][shape > 0].sum()).reshape(n_k, n_j), low=low, high=high,
                    from_data=band_exposure / (band_exposure + prior_burglaries),
                    background_share=float(expected[0] / len(targets)), iterations=iterations,
                    log_likelihood=log_likelihood)


def _features(pairs: Pairs, is_target: np.ndarray, targets: np.ndarray, dist: np.ndarray, bands_t: np.ndarray,
              area_m2: float) -> np.ndarray:
    """Per fitted burglary: the rate each parameter adds at its place and day, per unit of the
    parameter (column 0 the background, then one column per (distance band, time band))."""
    use = is_target[pairs.target] & (pairs.distance <= dist[-1]) & (pairs.age <= bands_t[-1])
    k = np.searchsorted(dist, pairs.distance[use], side="left")
    j = np.searchsorted(bands_t, pairs.age[use], side="left")
    rings = np.diff(np.concatenate([[0.0], np.pi * dist ** 2]))
    lengths = np.diff(np.concatenate([[0], bands_t])).astype(float)
    row = np.searchsorted(targets, pairs.target[use])
    n_params = 1 + len(dist) * len(bands_t)
    column = 1 + k * len(bands_t) + j
    features = np.bincount(row * n_params + column, weights=1.0 / (rings[k] * lengths[j]),
                           minlength=len(targets) * n_params).reshape(len(targets), n_params)
    features[:, 0] = 1.0 / area_m2
    return features


def _exposure(x: np.ndarray, y: np.ndarray, day: np.ndarray, area: shapely.Geometry, first_day: int,
              last_day: int, dist: np.ndarray, bands_t: np.ndarray) -> np.ndarray:
    """Burglaries each parameter would add in the area over the period, per unit of the parameter:
    the days of the period, then, per band, the share of it around every possible trigger that
    falls in the area and the period."""
    sources = np.flatnonzero((day >= first_day - int(bands_t[-1])) & (day < last_day))
    grid = make_grid(area, CELL_M, float(dist[-1]) + CELL_M)
    home = grid.cell_of(x[sources], y[sources])
    outside_grid = (x[sources] < grid.x0) | (y[sources] < grid.y0) | \
        (x[sources] >= grid.x0 + grid.nx * grid.cell) | (y[sources] >= grid.y0 + grid.ny * grid.cell)
    home[outside_grid] = -1
    inside = _inside_fractions(grid, dist, home)  # sources x rings
    lengths = np.diff(np.concatenate([[0], bands_t])).astype(float)
    lower_t = np.concatenate([[1], bands_t[:-1] + 1])
    start = np.maximum(first_day, day[sources, None] + lower_t[None, :])
    end = np.minimum(last_day, day[sources, None] + bands_t[None, :])
    overlap = np.clip(end - start + 1, 0, None) / lengths[None, :]  # sources x time bands
    return np.concatenate([[float(last_day - first_day + 1)], (inside.T @ overlap).ravel()])


def _em(features: np.ndarray, exposure: np.ndarray, shape: np.ndarray, per_day: float,
        prior_burglaries: float) -> tuple[np.ndarray, np.ndarray, int, float]:
    """EM with the prior's pseudo-burglaries: (parameters, burglaries attributed to each,
    iterations, log-likelihood)."""
    window = shape > 0
    theta = np.concatenate([[per_day / 2], np.full(len(shape), 0.1 / len(shape))])
    previous = -np.inf
    log_likelihood = -np.inf
    expected = np.zeros(len(theta))
    iterations = 0
    while iterations < MAX_ITERATIONS:
        iterations += 1
        rate = features @ theta
        log_likelihood = float(np.log(rate).sum() - exposure @ theta)
        expected = theta * (features / rate[:, None]).sum(axis=0)
        prior = shape * theta[1:][window].sum()
        theta = np.concatenate([[expected[0] / exposure[0]],
                                (expected[1:] + prior_burglaries * prior) / (exposure[1:] + prior_burglaries)])
        if abs(log_likelihood - previous) < TOLERANCE * max(1.0, abs(log_likelihood)):
            break
        previous = log_likelihood
    return theta, expected, iterations, log_likelihood


def _intervals(features: np.ndarray, theta: np.ndarray, shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """95 % intervals of the weights from the observed information (clipped at 0)."""
    rate = features @ theta
    scaled = features / rate[:, None]
    information = scaled.T @ scaled
    covariance = np.linalg.pinv(information)
    se = np.sqrt(np.clip(np.diag(covariance), 0.0, None))[1:]
    w = theta[1:]
    return np.clip(w - 1.96 * se, 0.0, None).reshape(shape), (w + 1.96 * se).reshape(shape)
