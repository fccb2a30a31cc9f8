"""The Knox ratio of the nearest cell (0 to the radius, 0 to 14 days) before and after cocooning
started, and a permutation test of the difference.

Each period's ratio and its own significance come from :func:`cocoon.evidence.knox.knox_test`
(bands [0, r) and [0, 14) days, the dates shuffled within the period). The difference of the
two ratios is tested by relabelling whole weeks: the weeks are shuffled between "before" and
"after" (keeping how many weeks each has), and each relabelling's difference is computed with
the exact expectation of a Knox cell under shuffled dates, ``E = S T / P`` (S pairs close in
space, T close in time, P all pairs, within the period). The p-value is the share of
relabellings with a difference at least as large, either way: ``(k + 1) / (nrep + 1)``.
A before/after comparison also moves with the trend and with chance; the page says so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from cocoon.evidence.knox import knox_test

MIN_BURGLARIES = 30
"""Fewer burglaries than this in a period: its Knox ratio is not worth comparing."""
DAYS = 14


@dataclass(frozen=True)
class KnoxChange:
    started: int
    """The day (days since 1970-01-01) cocooning started: the first recorded visit."""
    n_before: int
    n_after: int
    ratio_before: float
    ratio_after: float
    p_before: float
    """Each period's own Knox p-value for the cell (near repeats at all)."""
    p_after: float
    difference: float
    p_difference: float
    simulations: int
    seed: int


def _cell_ratio(
    labels: np.ndarray,
    period: int,
    space_i: np.ndarray,
    space_j: np.ndarray,
    space_close_time: np.ndarray,
    time_i: np.ndarray,
    time_j: np.ndarray,
) -> float:
    n = int((labels == period).sum())
    pairs = n * (n - 1) / 2
    in_space = (labels[space_i] == period) & (labels[space_j] == period)
    s = int(in_space.sum())
    observed = int((in_space & space_close_time).sum())
    t = int(((labels[time_i] == period) & (labels[time_j] == period)).sum())
    expected = s * t / pairs if pairs else 0.0
    return observed / expected if expected > 0 else math.nan


def knox_change(
    x: np.ndarray, y: np.ndarray, day: np.ndarray, *, started: int, radius_m: float, nrep: int = 999, seed: int = 1
) -> KnoxChange | None:
    """None when either period has fewer than :data:`MIN_BURGLARIES` burglaries."""
    from sklearn.neighbors import KDTree

    x, y, day = np.asarray(x, float), np.asarray(y, float), np.asarray(day, float)
    before = day < started
    if before.sum() < MIN_BURGLARIES or (~before).sum() < MIN_BURGLARIES:
        return None
    sds, tds = (0.0, radius_m, math.inf), (0.0, float(DAYS), math.inf)
    results = [knox_test(x[m], y[m], day[m], sds=sds, tds=tds, nrep=nrep, seed=seed) for m in (before, ~before)]
    # Pairs close in space (with whether they are also close in time), and pairs close in time.
    pairs = KDTree(np.column_stack([x, y])).query_radius(np.column_stack([x, y]), r=radius_m)
    si = np.concatenate([np.full(len(p), k) for k, p in enumerate(pairs)]) if len(pairs) else np.zeros(0, int)
    sj = np.concatenate(pairs) if len(pairs) else np.zeros(0, int)
    keep = si < sj
    si, sj = si[keep], sj[keep]
    d = np.hypot(x[si] - x[sj], y[si] - y[sj])
    keep = d < radius_m
    si, sj = si[keep], sj[keep]
    close = np.abs(day[si] - day[sj]) < DAYS
    order = np.argsort(day, kind="stable")
    sorted_days = day[order]
    ends = np.searchsorted(sorted_days, sorted_days + DAYS, side="left")
    counts = ends - np.arange(len(order)) - 1
    time_i = np.repeat(order, counts)
    time_j = order[np.concatenate([np.arange(a + 1, b) for a, b in enumerate(ends)])] if len(order) else order
    weeks = np.floor(day / 7).astype(int)
    unique_weeks, week_index = np.unique(weeks, return_inverse=True)
    week_before = np.isin(unique_weeks, np.unique(weeks[before]))

    def difference(week_is_before: np.ndarray) -> float:
        labels = np.where(week_is_before[week_index], 0, 1)
        return _cell_ratio(labels, 1, si, sj, close, time_i, time_j) - _cell_ratio(
            labels, 0, si, sj, close, time_i, time_j
        )

    observed = difference(week_before)
    rng = np.random.default_rng(seed)
    as_large = 0
    done = 0
    for _ in range(nrep):
        shuffled = rng.permutation(week_before)
        value = difference(shuffled)
        if math.isfinite(value):
            done += 1
            as_large += int(abs(value) >= abs(observed) - 1e-12)
    p = (as_large + 1) / (done + 1) if math.isfinite(observed) else math.nan
    kb, ka = results
    return KnoxChange(
        started=int(started),
        n_before=int(before.sum()),
        n_after=int((~before).sum()),
        ratio_before=float(kb.knox_ratio[0, 0]),
        ratio_after=float(ka.knox_ratio[0, 0]),
        p_before=float(kb.p_value[0, 0]),
        p_after=float(ka.p_value[0, 0]),
        difference=float(ka.knox_ratio[0, 0] - kb.knox_ratio[0, 0]),
        p_difference=p,
        simulations=nrep,
        seed=seed,
    )
