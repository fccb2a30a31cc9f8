"""The Knox test for space-time clustering of burglaries (near repeats).

For every pair of events the spatial distance and the number of days between them fall into
one spatial band and one temporal band (given by ``sds`` and ``tds`` breaks). The observed table
counts pairs per cell. The null keeps the places and shuffles the dates across events
(Monte Carlo); per cell:

- ``knox_ratio = observed / mean(simulated)``, ``knox_ratio_median = observed / median(simulated)``
  (0/0 is NaN);
- ``p_value = (#{simulated >= observed} + 1) / (nrep + 1)``.

Conventions (each an option, as the reference tools differ):

- ``closed="left"``: bands are [a, b) — the R package NearRepeat's default;
  ``closed="right"``: bands are (a, b], and the first band also includes its lower bound, so
  the first bands of breaks 0, 0.1, 200 and 0, 7, 14 are [0, 0.1] and [0, 7].
- ``metric``: "euclidean" or "manhattan" (NearRepeat's default).
- ``inf`` as the last break keeps every pair; otherwise pairs beyond the outermost breaks
  are left out.

Only pairs within the largest finite spatial break are enumerated (with a KD-tree). The counts
of an ``inf`` spatial band follow from the number of pairs per temporal band over all pairs,
which shuffling the dates does not change.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from cocoon.errors import InputError


@dataclass(frozen=True)
class KnoxResult:
    sds: tuple[float, ...]
    tds: tuple[float, ...]
    metric: str
    closed: str
    nrep: int
    seed: int | None
    n_events: int
    n_pairs: int
    observed: np.ndarray
    sim_mean: np.ndarray
    sim_median: np.ndarray
    knox_ratio: np.ndarray
    knox_ratio_median: np.ndarray
    p_value: np.ndarray

    def significant(self, alpha: float = 0.05, min_ratio: float = 1.2) -> np.ndarray:
        """The Near Repeat Calculator's rule: p <= alpha and Knox ratio >= min_ratio."""
        with np.errstate(invalid="ignore"):
            return (self.p_value <= alpha) & (self.knox_ratio >= min_ratio)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: tables as lists of rows (one per spatial band); NaN becomes None, inf "inf"."""

        def table(a: np.ndarray) -> list[list[Any]]:
            return [[None if isinstance(v, float) and math.isnan(v) else v for v in row] for row in a.tolist()]

        def breaks(b: tuple[float, ...]) -> list[Any]:
            return ["inf" if math.isinf(v) else v for v in b]

        return {
            "observed": table(self.observed), "sim_mean": table(self.sim_mean), "sim_median": table(self.sim_median),
            "knox_ratio": table(self.knox_ratio), "knox_ratio_median": table(self.knox_ratio_median),
            "p_value": table(self.p_value), "sds": breaks(self.sds), "tds": breaks(self.tds), "metric": self.metric,
            "closed": self.closed, "nrep": self.nrep, "seed": self.seed, "n_events": self.n_events,
            "n_pairs": self.n_pairs,
        }


def parse_breaks(text: str, *, what: str) -> tuple[float, ...]:
    """"0,1,100,inf" -> (0.0, 1.0, 100.0, inf), with a clear error for anything unusable."""
    try:
        values = tuple(float(part) for part in str(text).replace(" ", "").split(",") if part != "")
    except ValueError:
        raise InputError("knox.bad_breaks", what=what, value=text) from None
    check_breaks(values, what=what)
    return values


def check_breaks(values: tuple[float, ...], *, what: str) -> None:
    if len(values) < 2:
        raise InputError("knox.too_few_breaks", what=what, value=",".join(map(str, values)))
    if any(b <= a for a, b in zip(values, values[1:])) or any(math.isnan(v) for v in values):
        raise InputError("knox.breaks_not_increasing", what=what, value=",".join(map(str, values)))
    if values[0] < 0 or any(math.isinf(v) for v in values[:-1]):
        raise InputError("knox.bad_breaks", what=what, value=",".join(map(str, values)))


def band_of(values: np.ndarray, breaks: np.ndarray, closed: str) -> np.ndarray:
    """Band index of each value, -1 outside every band."""
    n = len(breaks) - 1
    if closed == "left":  # [a, b)
        band = np.searchsorted(breaks, values, side="right") - 1
        valid = (values >= breaks[0]) & (values < breaks[-1])
    else:  # (a, b], the first band closed at a too
        band = np.searchsorted(breaks, values, side="left") - 1
        band = np.where(values == breaks[0], 0, band)
        valid = (values >= breaks[0]) & (values <= breaks[-1])
    return np.where(valid & (band >= 0) & (band < n), band, -1)


def _pairs(x: np.ndarray, y: np.ndarray, reach: float, metric: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    from scipy.spatial import cKDTree

    p = 2 if metric == "euclidean" else 1
    tree = cKDTree(np.column_stack([x, y]))
    pairs = tree.query_pairs(r=reach, p=p, output_type="ndarray")
    i, j = pairs[:, 0], pairs[:, 1]
    if metric == "euclidean":
        d = np.hypot(x[i] - x[j], y[i] - y[j])
    else:
        d = np.abs(x[i] - x[j]) + np.abs(y[i] - y[j])
    return i, j, d


def _pairs_per_gap(t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For integer days: every gap in days and the number of event pairs that far apart."""
    days = (t - t.min()).astype(np.int64)
    counts = np.bincount(days).astype(np.float64)
    same = np.array([float((counts * (counts - 1) / 2).sum())])
    full = np.correlate(counts, counts, mode="full")[len(counts):]  # gaps 1, 2, ...
    return np.arange(len(full) + 1), np.round(np.concatenate([same, full])).astype(np.int64)


def knox_test(x, y, t, *, sds, tds, metric: str = "euclidean", closed: str = "left", nrep: int = 999,
              seed: int | None = None, progress: Callable[[int, int], None] | None = None) -> KnoxResult:
    """The Knox table with Monte Carlo significance (see the module text)."""
    x, y, t = (np.asarray(v, dtype=float) for v in (x, y, t))
    sds, tds = tuple(map(float, sds)), tuple(map(float, tds))
    check_breaks(sds, what="--sds")
    check_breaks(tds, what="--tds")
    if metric not in ("euclidean", "manhattan"):
        raise InputError("knox.bad_metric", value=metric)
    if closed not in ("left", "right"):
        raise InputError("knox.bad_closed", value=closed)
    if int(nrep) < 1:
        raise InputError("knox.bad_nrep", value=nrep)
    if len(x) < 2:
        raise InputError("knox.too_few_events", n=len(x))
    if not (np.isfinite(x).all() and np.isfinite(y).all() and np.isfinite(t).all()):
        raise InputError("knox.not_finite")
    s_breaks, t_breaks = np.array(sds), np.array(tds)
    spatial_inf = math.isinf(sds[-1])
    reach = sds[-2] if spatial_inf else sds[-1]
    i, j, d = _pairs(x, y, reach, metric)
    s_band = band_of(d, s_breaks, closed)
    if spatial_inf:
        s_band = np.where(s_band == len(sds) - 2, -1, s_band)  # the inf row comes from totals
    keep = s_band >= 0
    i, j, s_band = i[keep], j[keep], s_band[keep]
    n_s, n_t = len(sds) - 1, len(tds) - 1
    integer_days = bool(np.all(t == np.round(t)))
    if integer_days:
        span = int(t.max() - t.min())
        lut = band_of(np.arange(span + 1, dtype=float), t_breaks, closed)
    else:
        lut = None

    def table(times: np.ndarray) -> np.ndarray:
        gap = np.abs(times[i] - times[j])
        t_band = lut[gap.astype(np.int64)] if lut is not None else band_of(gap, t_breaks, closed)
        ok = t_band >= 0
        counts = np.bincount(s_band[ok] * n_t + t_band[ok], minlength=n_s * n_t).reshape(n_s, n_t)
        return counts

    totals = None
    if spatial_inf:
        if lut is not None:
            gaps, pairs_at = _pairs_per_gap(t)
            bands = lut[gaps]
        else:
            diffs = np.abs(t[:, None] - t[None, :])[np.triu_indices(len(t), 1)]
            bands, pairs_at = band_of(diffs, t_breaks, closed), np.ones(len(diffs), dtype=np.int64)
        ok = bands >= 0
        totals = np.bincount(bands[ok], weights=pairs_at[ok], minlength=n_t).astype(np.int64)

    def full(times: np.ndarray) -> np.ndarray:
        counts = table(times)
        if totals is not None:
            counts[-1] = totals - counts[:-1].sum(axis=0)
        return counts

    observed = full(t)
    rng = np.random.default_rng(seed)
    sims = np.empty((int(nrep), n_s, n_t), dtype=np.int64)
    for k in range(int(nrep)):
        sims[k] = full(t[rng.permutation(len(t))])
        if progress is not None and (k % 50 == 0 or k == nrep - 1):
            progress(k + 1, int(nrep))
    mean = sims.mean(axis=0)
    median = np.median(sims, axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where((observed == 0) & (mean == 0), np.nan, observed / mean)
        ratio_median = np.where((observed == 0) & (median == 0), np.nan, observed / median)
    p = ((sims >= observed).sum(axis=0) + 1) / (int(nrep) + 1)
    return KnoxResult(sds=sds, tds=tds, metric=metric, closed=closed, nrep=int(nrep), seed=seed, n_events=len(x),
                      n_pairs=int(observed.sum()), observed=observed, sim_mean=mean, sim_median=median,
                      knox_ratio=ratio, knox_ratio_median=ratio_median, p_value=p)
