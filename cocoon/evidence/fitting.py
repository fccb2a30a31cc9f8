"""Fitting the risk model (:mod:`cocoon.risk.model`) to an area's own burglaries.

Maximum likelihood by EM ("stochastic declustering", Mohler et al. 2011; with a step-shaped
kernel, Marsan & Lenglin\u00e9 2008): each burglary in the fitting period is shared out between the
background and every earlier burglary within reach, in proportion to what each adds to the rate
there; the weights are then re-estimated from those shares, until they settle.

Small samples are shrunk toward the published defaults: each weight is the data's estimate and
the default's, averaged as if the defaults were :data:`PRIOR_BURGLARIES` more burglaries, so 16
burglaries give nearly the defaults, 500 mostly the data, and 45,000 the data alone. As a model,
the defaults are their shape inside the zone radius and window (:func:`prior_weights`) with
:data:`PRIOR_LEVEL` follow-on burglaries per burglary in all; beyond the radius and window they
give nothing, so a band out there needs the data's support to count. (Averaging the estimates,
rather than adding pseudo-burglaries inside EM, lets a band the data do not support go to 0.)
:attr:`ModelFit.from_data` says how much of each weight is the data's.

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
"""How many burglaries' worth of evidence the default model counts as."""
PRIOR_LEVEL = 0.25
"""Follow-on burglaries per burglary, within the zone radius and window, in the default model."""
MAX_ITERATIONS = 2000
TOLERANCE = 1e-9
CELL_M = 50.0
"""Grid cell for measuring how much of each ring lies in the study area."""
BACKGROUND_BLOCK_DAYS = 28
"""The background may change from one block of this many days to the next (seasons, a busy
month), so that a busy month is not mistaken for burglaries bringing on more."""


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
    gap = day[b] - day[a]
    keep = (gap != 0) & (np.abs(gap) <= memory_days)
    a, b, gap = a[keep], b[keep], gap[keep]
    b_later = gap > 0
    source, target = np.where(b_later, a, b), np.where(b_later, b, a)
    return Pairs(
        source=source, target=target, distance=np.hypot(x[source] - x[target], y[source] - y[target]), age=np.abs(gap)
    )


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
    estimate: np.ndarray | None = None
    """The data's own (unshrunk) band weights."""
    recent_estimate: float = 0.0
    """The data's estimate (unshrunk) of the recent bands' weights together: follow-on burglaries
    per burglary within the zone window and the model's reach."""
    recent_interval: tuple[float, float] = (0.0, 0.0)
    """Its 95 % interval."""

    @property
    def enough_data(self) -> bool:
        """Whether the data, more than the defaults, make the model."""
        return self.data_share >= 0.5

    @property
    def near_repeats(self) -> bool:
        """Whether the data say recent burglaries surely raise the risk nearby (the interval excludes 0)."""
        return self.enough_data and self.recent_interval[0] > 0

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
            "distance_m": m.distance_m.tolist(),
            "days": m.days.tolist(),
            "weights": m.weights.tolist(),
            "low": self.low.tolist(),
            "high": self.high.tolist(),
            "prior": self.prior.tolist(),
            "from_data": self.from_data.tolist(),
            "expected": self.expected.tolist(),
            "background_per_km2_day": m.background_per_km2_day,
            "background_share": self.background_share,
            "n_burglaries": self.n_burglaries,
            "days_fitted": self.days,
            "area_km2": self.area_km2,
            "triggered": self.triggered,
            "recent_triggered": self.recent_triggered,
            "data_share": self.data_share,
            "iterations": self.iterations,
            "log_likelihood": self.log_likelihood,
            "recent_estimate": self.recent_estimate,
            "recent_interval": list(self.recent_interval),
            "near_repeats": self.near_repeats,
            "enough_data": self.enough_data,
        }


def prior_weights(
    ranking: RankingSettings, zones: ZoneSettings, distance_m: np.ndarray, days: np.ndarray, level: float = 1.0
) -> np.ndarray:
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
    rings = np.diff(np.concatenate([[0.0], np.pi * distance_m**2]))
    lengths = np.diff(np.concatenate([[0], days]))
    shape = (dw * rings)[:, None] * (tw * lengths)[None, :]
    total = shape.sum()
    return np.asarray(level * shape / total if total > 0 else shape)


def _inside_fractions(grid: Grid, distance_m: np.ndarray, home: np.ndarray) -> np.ndarray:
    """For each point (by its cell), the share of each ring that lies in the study area."""
    offsets, shares = ring_shares(grid, distance_m)
    m = int(np.ceil(distance_m[-1] / grid.cell)) + 1
    row, col = np.divmod(offsets + m * grid.nx + m, grid.nx)  # (row, col) in a window around the cell
    inside = grid.inside.reshape(grid.ny, grid.nx).astype(float)
    result = np.zeros((len(home), len(distance_m)))
    on_grid = (home >= 0) & (home < grid.size)
    convolve = _SameConvolution(inside, (2 * m + 1, 2 * m + 1))
    for k in range(len(distance_m)):
        window = np.zeros((2 * m + 1, 2 * m + 1))
        window[row, col] = shares[k]
        # share inside around each cell = sum over offsets of share(offset) x inside(cell + offset)
        frac = convolve(window[::-1, ::-1]).ravel()
        result[on_grid, k] = np.clip(frac[home[on_grid]], 0.0, 1.0)
    return result


class _SameConvolution:
    """``scipy.signal.fftconvolve(image, window, mode="same")`` for many windows of one size over
    one image, the image transformed once (the same transforms, so the same numbers; scipy.fft
    alone, as scipy.signal takes long to import)."""

    def __init__(self, image: np.ndarray, window_shape: tuple[int, int]) -> None:
        from scipy import fft

        self.fft = fft
        self.image_shape = image.shape
        self.full = [a + b - 1 for a, b in zip(image.shape, window_shape, strict=True)]
        self.fast = [fft.next_fast_len(n, True) for n in self.full]
        self.image = fft.rfftn(image, self.fast, axes=[0, 1])

    def __call__(self, window: np.ndarray) -> np.ndarray:
        spectrum = self.image * self.fft.rfftn(window, self.fast, axes=[0, 1])
        full = self.fft.irfftn(spectrum, self.fast, axes=[0, 1])[: self.full[0], : self.full[1]]
        start = [(f - n) // 2 for f, n in zip(self.full, self.image_shape, strict=True)]
        return np.asarray(
            full[start[0] : start[0] + self.image_shape[0], start[1] : start[1] + self.image_shape[1]].copy()
        )


def fit_model(
    x: np.ndarray,
    y: np.ndarray,
    day: np.ndarray,
    *,
    first_day: int,
    last_day: int,
    area: shapely.Geometry,
    ranking: RankingSettings | None = None,
    zones: ZoneSettings | None = None,
    pairs: Pairs | None = None,
    distance_m: tuple[float, ...] = DISTANCE_BANDS_M,
    days: tuple[int, ...] = TIME_BANDS_DAYS,
    prior_burglaries: float = PRIOR_BURGLARIES,
    start: np.ndarray | None = None,
) -> ModelFit:
    """Fit the model to the burglaries dated ``first_day``..``last_day`` inside ``area``, with every
    earlier burglary (also before the period, also outside the area) as a possible trigger.

    ``pairs`` may be given when the same burglaries are fitted many times (rolling origin), and
    ``start`` (an earlier fit's :attr:`ModelFit.estimate`) to start EM near where it will end."""
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
    block = (day[targets] - first_day) // BACKGROUND_BLOCK_DAYS
    edges = np.arange(first_day, last_day + 1, BACKGROUND_BLOCK_DAYS)
    block_days = np.diff(np.append(edges, last_day + 1)).astype(float)
    nb = len(block_days)
    background = np.zeros((len(targets), nb))
    background[np.arange(len(targets)), block] = 1.0 / area_m2
    features = np.hstack([background, _features(pairs, is_target, targets, dist, bands_t)])
    exposure = np.concatenate([block_days, _exposure(x, y, day, area, first_day, last_day, dist, bands_t)])
    prior = prior_weights(ranking, zones, dist, bands_t, PRIOR_LEVEL).ravel()
    theta, expected, iterations, log_likelihood = _em(features, exposure, len(targets) / n_days, nb, start)

    # Shrink: each weight moves toward the default's by the share the defaults' pseudo-burglaries
    # have of the evidence for that band.
    n_k, n_j = len(dist), len(bands_t)
    share = exposure[nb:] / (exposure[nb:] + prior_burglaries)
    weights = share * theta[nb:] + (1 - share) * prior
    data_low, data_high, covariance = _intervals(features, theta, nb)
    low = (share * data_low + (1 - share) * prior).reshape(n_k, n_j)
    high = (share * data_high + (1 - share) * prior).reshape(n_k, n_j)
    # The data's own say on near repeats: the recent bands' weights together, unshrunk.
    recent = np.broadcast_to(bands_t <= zones.active_days, (n_k, n_j)).ravel().astype(float)
    total = float(theta[nb:] @ recent)
    spread = 1.96 * float(np.sqrt(max(recent @ covariance[nb:, nb:] @ recent, 0.0)))
    per_day = float(theta[:nb] @ block_days) / n_days
    model = RiskModel(
        distance_m=dist,
        days=bands_t,
        weights=weights.reshape(n_k, n_j),
        background_per_km2_day=per_day / area_m2 * 1e6,
        recent_days=zones.active_days,
    )
    return ModelFit(
        model=model,
        n_burglaries=len(targets),
        days=n_days,
        area_km2=area_m2 / 1e6,
        expected=expected[nb:].reshape(n_k, n_j),
        prior=prior.reshape(n_k, n_j),
        low=low,
        high=high,
        from_data=share.reshape(n_k, n_j),
        background_share=float(expected[:nb].sum() / len(targets)),
        iterations=iterations,
        log_likelihood=log_likelihood,
        estimate=theta[nb:].reshape(n_k, n_j),
        recent_estimate=total,
        recent_interval=(max(total - spread, 0.0), total + spread),
    )


def _features(
    pairs: Pairs, is_target: np.ndarray, targets: np.ndarray, dist: np.ndarray, bands_t: np.ndarray
) -> np.ndarray:
    """Per fitted burglary: the rate each band's weight adds at its place and day, per unit of
    the weight (one column per (distance band, time band))."""
    use = is_target[pairs.target] & (pairs.distance <= dist[-1]) & (pairs.age <= bands_t[-1])
    k = np.searchsorted(dist, pairs.distance[use], side="left")
    band_of_age = np.searchsorted(bands_t, np.arange(int(bands_t[-1]) + 1), side="left")
    j = band_of_age[pairs.age[use]]
    rings = np.diff(np.concatenate([[0.0], np.pi * dist**2]))
    lengths = np.diff(np.concatenate([[0], bands_t])).astype(float)
    row = (np.cumsum(is_target) - 1)[pairs.target[use]]  # the target's place among the fitted burglaries
    n_params = len(dist) * len(bands_t)
    column = k * len(bands_t) + j
    per_unit = 1.0 / (rings[:, None] * lengths[None, :])
    return np.bincount(
        row * n_params + column, weights=per_unit.ravel()[column], minlength=len(targets) * n_params
    ).reshape(len(targets), n_params)


def _exposure(
    x: np.ndarray,
    y: np.ndarray,
    day: np.ndarray,
    area: shapely.Geometry,
    first_day: int,
    last_day: int,
    dist: np.ndarray,
    bands_t: np.ndarray,
) -> np.ndarray:
    """Burglaries each band's weight would add in the area over the period, per unit of the
    weight: the share of the band, around every possible trigger, that falls in the area and
    the period."""
    sources = np.flatnonzero((day >= first_day - int(bands_t[-1])) & (day < last_day))
    grid = make_grid(area, CELL_M, float(dist[-1]) + CELL_M)
    home = grid.cell_of(x[sources], y[sources])
    outside_grid = (
        (x[sources] < grid.x0)
        | (y[sources] < grid.y0)
        | (x[sources] >= grid.x0 + grid.nx * grid.cell)
        | (y[sources] >= grid.y0 + grid.ny * grid.cell)
    )
    home[outside_grid] = -1
    inside = _inside_fractions(grid, dist, home)  # sources x rings
    lengths = np.diff(np.concatenate([[0], bands_t])).astype(float)
    lower_t = np.concatenate([[1], bands_t[:-1] + 1])
    start = np.maximum(first_day, day[sources, None] + lower_t[None, :])
    end = np.minimum(last_day, day[sources, None] + bands_t[None, :])
    overlap = np.clip(end - start + 1, 0, None) / lengths[None, :]  # sources x time bands
    return np.asarray((inside.T @ overlap).ravel())


def _em(
    features: np.ndarray, exposure: np.ndarray, per_day: float, nb: int, start: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, int, float]:
    """Maximum likelihood by EM (the first ``nb`` parameters are the background's): (parameters,
    burglaries attributed to each, iterations, log-likelihood).

    Each burglary's shares are summed over its non-zero features only (most are 0), row by row
    as a sum over the whole table would be, so the numbers are the same."""
    from threadpoolctl import threadpool_limits

    n_bands = features.shape[1] - nb
    bands = np.full(n_bands, 0.1 / n_bands)
    if start is not None and start.size == n_bands:
        bands = np.maximum(start.ravel(), 1e-6 / n_bands)  # a band at 0 could never come back
    theta = np.concatenate([np.full(nb, per_day / 2), bands])
    row, column = np.nonzero(features)  # row by row
    value = features[row, column]
    per_row = np.bincount(row, minlength=len(features))
    shares = np.empty(len(value))
    previous = -np.inf
    log_likelihood = -np.inf
    expected = np.zeros(len(theta))
    iterations = 0
    # One thread for the products: spread over threads they give the same numbers, but the waiting
    # threads spin and take the processor from the work beside the fit.
    with threadpool_limits(limits=1, user_api="blas"):
        while iterations < MAX_ITERATIONS:
            iterations += 1
            rate = features @ theta
            log_likelihood = float(np.log(rate).sum() - exposure @ theta)
            np.divide(value, np.repeat(rate, per_row), out=shares)
            expected = theta * np.bincount(column, weights=shares, minlength=len(theta))
            with np.errstate(divide="ignore", invalid="ignore"):
                theta = np.where(exposure > 0, expected / exposure, 0.0)
            if abs(log_likelihood - previous) < TOLERANCE * max(1.0, abs(log_likelihood)):
                break
            previous = log_likelihood
    return theta, expected, iterations, log_likelihood


def _intervals(features: np.ndarray, theta: np.ndarray, nb: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The data's 95 % intervals of the band weights (clipped at 0), and the parameters'
    covariance, from the observed information."""
    rate = features @ theta
    scaled = features / rate[:, None]
    information = scaled.T @ scaled
    covariance = np.linalg.pinv(information)
    se = np.sqrt(np.clip(np.diag(covariance), 0.0, None))[nb:]
    w = theta[nb:]
    return np.clip(w - 1.96 * se, 0.0, None), w + 1.96 * se, covariance
