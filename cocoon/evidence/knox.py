"""The Knox test for space-time clustering of burglaries (near repeats).

For every pair of events the spatial distance and the number of days between them fall into
one spatial band and one temporal band (given by ``sds`` and ``tds`` breaks). The observed table
counts pairs per cell. The null keeps the places and shuffles the dates across events
(Monte Carlo); per cell:

- ``knox_ratio = observed / mean(simulated)``, ``knox_ratio_median = observed / median(simulated)``
  (0/0 is NaN);
- ``p_value = (#{simulated >= observed} + 1) / (simulations + 1)``.

Conventions (each an option, as the reference tools differ):

- ``closed="left"``: bands are [a, b) — the R package NearRepeat's default;
  ``closed="right"``: bands are (a, b], and the first band also includes its lower bound, so
  the first bands of breaks 0, 0.1, 200 and 0, 7, 14 are [0, 0.1] and [0, 7].
- ``metric``: "euclidean" or "manhattan" (NearRepeat's default).
- ``inf`` as the last break keeps every pair beyond the last finite break; otherwise pairs
  beyond the outermost breaks are left out. Pairs closer than a first break above 0 are left
  out either way (as in NearRepeat), in space and in time.
- ``nrc=True``: the Near Repeat Calculator's rules. Bands are [a, b) on coordinates rounded
  to single precision; the first spatial band is split as the NRC reports it: "same location"
  (distance exactly 0) on its own row, and the rest of the band on the next (so breaks
  0,200,400 give the rows same location, 1-200 and 201-400); ``nrep`` is the NRC's
  "iterations", which run ``nrep - 1`` simulations.

Only pairs within the largest finite spatial break are enumerated (with a KD-tree). The counts
of an ``inf`` spatial band follow from the number of pairs per temporal band over all pairs,
which shuffling the dates does not change, minus the enumerated pairs in each temporal band:
those in the finite spatial bands and those closer than the first spatial break. Each
simulation draws its permutation from its own seed (spawned from ``seed``), so the numbers do
not depend on how many threads share the work.
"""

from __future__ import annotations

import itertools
import math
import os
import secrets
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike

from cocoon.catalogue import text
from cocoon.errors import InputError
from cocoon.evidence.breaks import band_labels, breaks_json, check_breaks

if TYPE_CHECKING:
    import pandas as pd

SAME_LOCATION_MAX_M = 1.0
"""Under the NRC's rules a first spatial band no wider than this is "same location" (distance 0)."""
MIN_EXPECTED_PAIRS = 10.0
"""A cell needs this many expected pairs to be judged; with fewer, chance alone makes large ratios."""
FEW_BURGLARIES = 200
"""Below this many burglaries the test has little power, and calibrate says so."""


@dataclass(frozen=True)
class KnoxResult:
    sds: tuple[float, ...]
    tds: tuple[float, ...]
    metric: str
    closed: str
    nrep: int
    """Permutations asked for (the NRC's "iterations" under ``nrc``)."""
    simulations: int
    """Permutations run: ``nrep``, or ``nrep - 1`` under ``nrc``."""
    seed: int
    nrc: bool
    n_events: int
    n_pairs: int
    observed: np.ndarray
    sim_mean: np.ndarray
    sim_median: np.ndarray
    knox_ratio: np.ndarray
    knox_ratio_median: np.ndarray
    p_value: np.ndarray

    @property
    def same_location(self) -> bool:
        """Whether the first spatial band is a "same location" band ([0, 1 m) or, under nrc, exactly 0)."""
        return self.sds[0] == 0 and self.sds[1] <= SAME_LOCATION_MAX_M

    def significant(
        self, alpha: float = 0.05, min_ratio: float = 1.2, min_expected: float = MIN_EXPECTED_PAIRS
    ) -> np.ndarray:
        """The Near Repeat Calculator's rule, p <= alpha and Knox ratio >= min_ratio, in cells
        with at least ``min_expected`` expected pairs: with fewer, a couple of pairs make a
        large ratio by chance (0 keeps the NRC's rule alone)."""
        with np.errstate(invalid="ignore"):
            return (self.p_value <= alpha) & (self.knox_ratio >= min_ratio) & (self.sim_mean >= min_expected)

    def distance_labels(self, lang: str) -> list[str]:
        """The distance bands for people: "0–100", ...; under ``nrc`` as the Near Repeat
        Calculator writes them: "same location", "1–100", "101–200", "more than 500"."""
        labels = band_labels(self.sds)
        if not self.nrc:
            return labels
        for r, (lo, hi) in enumerate(itertools.pairwise(self.sds)):
            if r == 0 and self.same_location:
                labels[r] = text("knox_table.same_location", lang)
            elif math.isinf(hi):
                labels[r] = text("knox_table.more_than", lang, m=lo)
            else:
                labels[r] = f"{lo + 1 if lo > SAME_LOCATION_MAX_M else lo:g}–{hi:g}"
        return labels

    def thin(self, min_expected: float = MIN_EXPECTED_PAIRS) -> np.ndarray:
        """Cells with fewer than ``min_expected`` expected pairs: too few to judge."""
        return np.asarray(self.sim_mean, dtype=float) < min_expected

    def frame(self, what: str = "knox_ratio") -> pd.DataFrame:
        """One table as a pandas DataFrame: spatial bands as rows, temporal bands as columns."""
        import pandas as pd

        return pd.DataFrame(getattr(self, what), index=band_labels(self.sds, "m"), columns=band_labels(self.tds, "d"))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: tables as lists of rows (one per spatial band); NaN becomes None, inf "inf"."""

        def table(a: np.ndarray) -> list[list[Any]]:
            return [[_json_number(v) for v in row] for row in a.tolist()]

        return {
            "observed": table(self.observed),
            "sim_mean": table(self.sim_mean),
            "sim_median": table(self.sim_median),
            "knox_ratio": table(self.knox_ratio),
            "knox_ratio_median": table(self.knox_ratio_median),
            "p_value": table(self.p_value),
            "sds": breaks_json(self.sds),
            "tds": breaks_json(self.tds),
            "metric": self.metric,
            "closed": self.closed,
            "nrep": self.nrep,
            "simulations": self.simulations,
            "seed": self.seed,
            "nrc": self.nrc,
            "n_events": self.n_events,
            "n_pairs": self.n_pairs,
        }


def _json_number(v: Any) -> Any:
    if isinstance(v, float) and math.isnan(v):
        return None
    if isinstance(v, float) and math.isinf(v):
        return "inf"
    return v


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


def _distances(x: np.ndarray, y: np.ndarray, i: np.ndarray, j: np.ndarray, metric: str) -> np.ndarray:
    dx, dy = x[i] - x[j], y[i] - y[j]
    return np.asarray(np.hypot(dx, dy) if metric == "euclidean" else np.abs(dx) + np.abs(dy))


def _spatial_bands(
    x: np.ndarray, y: np.ndarray, sds: tuple[float, ...], metric: str, closed: str, nrc: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs (i < j, in no particular order) within the largest finite spatial break and their spatial row.

    With an ``inf`` last break the ``inf`` row is not enumerated (it comes from totals); its
    index holds instead the pairs closer than the first break, which the totals include too.
    """
    from scipy.spatial import cKDTree

    spatial_inf = math.isinf(sds[-1])
    reach = sds[-2] if spatial_inf else sds[-1]
    if nrc:
        x, y = x.astype(np.float32), y.astype(np.float32)
    tree = cKDTree(np.column_stack([x, y]).astype(np.float64))
    pairs = tree.query_pairs(
        r=reach * (1 + 1e-9) + (0.5 if nrc else 0.0), p=2 if metric == "euclidean" else 1, output_type="ndarray"
    )
    pairs.sort(axis=1)
    i, j = pairs[:, 0], pairs[:, 1]
    d = _distances(x, y, i, j, metric)
    breaks = np.array(sds, dtype=d.dtype)
    band = band_of(d, breaks, closed)
    if nrc and sds[0] == 0 and sds[1] <= SAME_LOCATION_MAX_M:
        band = np.where((band == 0) & (d > 0), 1 if len(sds) > 2 else -1, band)
    if spatial_inf:
        inf_row = len(sds) - 2
        below = d < breaks[0]
        band = np.where(band == inf_row, -1, np.where(below, inf_row, band))
    keep = band >= 0
    return i[keep], j[keep], band[keep]


def _pairs_per_band(t: np.ndarray, tds: tuple[float, ...], closed: str) -> np.ndarray:
    """Number of pairs of all events in each temporal band (unchanged by permuting the times)."""
    ts = np.sort(t)
    n = len(ts)
    index = np.arange(n)

    def within(limit: float, inclusive: bool) -> int:
        """Pairs with gap < limit (or <= limit when inclusive)."""
        if math.isinf(limit):
            return n * (n - 1) // 2
        ends = np.searchsorted(ts, ts + limit, side="right" if inclusive else "left")
        return int(np.maximum(ends - index - 1, 0).sum())

    counts = []
    for k in range(len(tds) - 1):
        lo, hi = tds[k], tds[k + 1]
        if closed == "left":  # [lo, hi)
            counts.append(within(hi, inclusive=False) - within(lo, inclusive=False))
        else:  # (lo, hi], the first band [lo, hi]
            counts.append(within(hi, inclusive=True) - within(lo, inclusive=k > 0))
    return np.array(counts, dtype=np.int64)


BLOCK = 255
"""Pairs per block: a block's count for one simulation fits in a byte."""
CHUNK = 128 * BLOCK
"""Pairs gathered and compared at a time, so that the working arrays stay in the processor's cache."""
LANE_BYTES = 16
"""The times of several simulations travel together as one item of this many bytes."""


class _Counter:
    """Counts the pairs of the enumerated set per cell, for any assignment of times.

    With whole-day times, each band's count is a difference of two counts of pairs less than a
    whole number of days apart, and several simulations are counted at once: their times sit
    side by side in one 16-byte item per event (8 simulations of 2-byte times), so one gather
    fetches them all, and the comparisons run over all of them. The pairs are grouped by spatial
    row and padded to whole blocks of :data:`BLOCK` pairs with pairs of two extra events too far
    apart in time to count; each block's count per simulation is summed bytewise in one word.
    Other times go through :func:`band_of`, one simulation at a time.
    """

    def __init__(
        self,
        i: np.ndarray,
        j: np.ndarray,
        s_band: np.ndarray,
        t: np.ndarray,
        tds: tuple[float, ...],
        closed: str,
        n_s: int,
        n_t: int,
    ) -> None:
        self.n_s, self.n_t = n_s, n_t
        self.n_events = len(t)
        self.integer = bool(np.all(t == np.round(t)))
        self.tds, self.closed = np.array(tds), closed
        self.lanes = 1
        members = [np.flatnonzero(s_band == row) for row in range(n_s)]
        self.rows = [row for row in range(n_s) if len(members[row])]
        self.pairs = [len(members[row]) for row in self.rows]
        if not self.integer:
            self.row_pairs = [(i[members[row]], j[members[row]]) for row in self.rows]
            return
        self.origin = float(t.min())
        span = int(t.max() - self.origin)
        self.time_type: type[np.signedinteger[Any]] = np.int16 if span < 2**15 else np.int32
        self.lanes = LANE_BYTES // np.dtype(self.time_type).itemsize
        self.bounds = [self._below(k, span) for k in range(n_t)]
        self.limits = sorted({b for pair in self.bounds for b in pair if b is not None and b > 0})
        padded = [-(-len(members[row]) // BLOCK) * BLOCK for row in self.rows]
        self.row_blocks = np.cumsum([0, *padded])[:-1] // BLOCK
        near, far = self.n_events, self.n_events + 1  # the two extra events
        self.i = np.full(sum(padded), near, dtype=np.intp)
        self.j = np.full(sum(padded), far, dtype=np.intp)
        for row, start in zip(self.rows, self.row_blocks * BLOCK, strict=True):
            self.i[start : start + len(members[row])] = i[members[row]]
            self.j[start : start + len(members[row])] = j[members[row]]

    def _below(self, k: int, span: int) -> tuple[int | None, int | None]:
        """(lower, upper) of temporal band k as "gap < whole number" (None: every pair);
        a band's count is #(gap < upper) - #(gap < lower)."""

        def limit(value: float, inclusive: bool) -> int | None:
            if math.isinf(value):
                return None
            bound = math.floor(value) + 1 if inclusive else math.ceil(value)
            return None if bound > span else bound

        lo, hi = float(self.tds[k]), float(self.tds[k + 1])
        if self.closed == "left":  # [lo, hi)
            return limit(lo, False), limit(hi, False)
        return limit(lo, k > 0), limit(hi, True)  # (lo, hi], the first band [lo, hi]

    def times(self, t: np.ndarray) -> np.ndarray:
        return (t - self.origin).astype(self.time_type) if self.integer else t

    def count(self, times: Sequence[np.ndarray]) -> np.ndarray:
        """The table of each assignment of times (at most :attr:`lanes` of them)."""
        if not self.integer:
            return np.stack([self._count_one(t) for t in times])
        lanes = self.lanes
        packed = np.empty((self.n_events + 2, lanes), dtype=self.time_type)
        for lane in range(lanes):
            packed[: self.n_events, lane] = times[min(lane, len(times) - 1)]
        packed[self.n_events :] = [[0], [np.iinfo(self.time_type).max]]  # the extra events
        items = packed.view(f"V{LANE_BYTES}").ravel()
        word = np.dtype(f"u{lanes}")  # one byte per simulation: the comparisons of one pair
        blocks = len(self.i) // BLOCK
        per_block = np.empty((len(self.limits), blocks), dtype=word)
        first = np.empty(CHUNK, dtype=items.dtype)
        second = np.empty(CHUNK, dtype=items.dtype)
        below = np.empty(CHUNK * lanes, dtype=bool)
        for start in range(0, len(self.i), CHUNK):
            stop = min(start + CHUNK, len(self.i))
            n = stop - start
            gap = np.take(items, self.i[start:stop], out=first[:n], mode="clip").view(self.time_type)
            gap -= np.take(items, self.j[start:stop], out=second[:n], mode="clip").view(self.time_type)
            np.abs(gap, out=gap)
            flags = below[: n * lanes]
            for q, bound in enumerate(self.limits):
                np.less(gap, bound, out=flags)
                np.add.reduce(
                    flags.view(word).reshape(-1, BLOCK), axis=1, out=per_block[q, start // BLOCK : stop // BLOCK]
                )
        by_lane = per_block.view(np.uint8).reshape(len(self.limits), blocks, lanes)
        sums = np.add.reduceat(by_lane, self.row_blocks, axis=1, dtype=np.int64) if len(self.rows) else by_lane
        counts = np.zeros((len(times), self.n_s, self.n_t), dtype=np.int64)
        for r, (row, pairs) in enumerate(zip(self.rows, self.pairs, strict=True)):
            below_row = {None: pairs, 0: 0} | {b: sums[q, r, : len(times)] for q, b in enumerate(self.limits)}
            for k, (lo, hi) in enumerate(self.bounds):
                counts[:, row, k] = below_row[hi] - below_row[lo]
        return counts

    def _count_one(self, times: np.ndarray) -> np.ndarray:
        counts = np.zeros((self.n_s, self.n_t), dtype=np.int64)
        for row, (i, j) in zip(self.rows, self.row_pairs, strict=True):
            gap = np.abs(times[i] - times[j])
            band = band_of(gap, self.tds, self.closed)
            counts[row] = np.bincount(band[band >= 0], minlength=self.n_t)
        return counts


def default_workers() -> int:
    return max(1, min(4, os.cpu_count() or 1))


def knox_test(
    x: ArrayLike,
    y: ArrayLike,
    t: ArrayLike,
    *,
    sds: Sequence[float],
    tds: Sequence[float],
    metric: str = "euclidean",
    closed: str = "left",
    nrep: int = 999,
    seed: int | None = None,
    nrc: bool = False,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> KnoxResult:
    """The Knox table with Monte Carlo significance (see the module text).

    ``seed=None`` draws a seed, reported in the result so that the run can be repeated.
    ``progress(done, total)`` is called as simulations finish.
    """
    x, y, t = (np.asarray(v, dtype=float) for v in (x, y, t))
    sds, tds = tuple(map(float, sds)), tuple(map(float, tds))
    check_breaks(sds, what="--sds")
    check_breaks(tds, what="--tds")
    if metric not in ("euclidean", "manhattan"):
        raise InputError("knox.bad_metric", value=metric)
    if closed not in ("left", "right"):
        raise InputError("knox.bad_closed", value=closed)
    if nrc:
        closed = "left"
        if sds[0] == 0 and sds[1] > SAME_LOCATION_MAX_M:  # "same location" gets its own row
            sds = (0.0, SAME_LOCATION_MAX_M, *sds[1:])
    nrep = int(nrep)
    if nrep < (2 if nrc else 1):
        raise InputError("knox.bad_nrc_iterations" if nrc else "knox.bad_nrep", value=nrep)
    if len(x) < 2:
        raise InputError("knox.too_few_events", n=len(x))
    if not (np.isfinite(x).all() and np.isfinite(y).all() and np.isfinite(t).all()):
        raise InputError("knox.not_finite")
    simulations = nrep - 1 if nrc else nrep
    seed = secrets.randbits(32) if seed is None else int(seed)
    n_s, n_t = len(sds) - 1, len(tds) - 1
    i, j, s_band = _spatial_bands(x, y, sds, metric, closed, nrc)
    counter = _Counter(i, j, s_band, t, tds, closed, n_s, n_t)
    totals = _pairs_per_band(t, tds, closed) if math.isinf(sds[-1]) else None

    def full(times: Sequence[np.ndarray]) -> np.ndarray:
        counts = counter.count(times)
        if totals is not None:  # the last row holds the enumerated pairs closer than the first break
            counts[:, -1] = totals - counts.sum(axis=1)
        return counts

    base = counter.times(t)
    observed = full([base])[0]
    sims = np.empty((simulations, n_s, n_t), dtype=np.int64)
    children = np.random.SeedSequence(seed).spawn(simulations)

    def batch(first: int) -> np.ndarray:
        last = min(first + counter.lanes, simulations)
        return full([base[np.random.default_rng(children[k]).permutation(len(base))] for k in range(first, last)])

    starts = range(0, simulations, counter.lanes)
    with ThreadPoolExecutor(max_workers=workers or default_workers()) as pool:
        for first, counts in zip(starts, pool.map(batch, starts), strict=True):
            for k in range(first, first + len(counts)):
                sims[k] = counts[k - first]
                if progress is not None and (k % 25 == 0 or k == simulations - 1):
                    progress(k + 1, simulations)
    mean = sims.mean(axis=0)
    median = np.median(sims, axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where((observed == 0) & (mean == 0), np.nan, observed / mean)
        ratio_median = np.where((observed == 0) & (median == 0), np.nan, observed / median)
    p = ((sims >= observed).sum(axis=0) + 1) / (simulations + 1)
    return KnoxResult(
        sds=sds,
        tds=tds,
        metric=metric,
        closed=closed,
        nrep=nrep,
        simulations=simulations,
        seed=seed,
        nrc=nrc,
        n_events=len(x),
        n_pairs=int(observed.sum()),
        observed=observed,
        sim_mean=mean,
        sim_median=median,
        knox_ratio=ratio,
        knox_ratio_median=ratio_median,
        p_value=p,
    )
