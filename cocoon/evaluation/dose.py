"""Dose-response: the follow-on rate against how fast and how widely cocooning was delivered.

Episodes fall into bands of latency (first door attempt within 24 h, 24–48 h, later, never) and
of coverage (share of tier A/B doors attempted within 48 h: none, under half, half or more).
Per band: follow-ons, household-days, the rate per 1,000 household-days with its exact Poisson
interval, and the rate ratio against the band with no delivery from the Poisson model with the
covariates (cluster-robust). A rate that falls as delivery gets faster or wider supports an
effect; it is still observational (the fastest-served zones may differ in other ways).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from cocoon.evaluation.balance import covariate_columns
from cocoon.evaluation.poisson import fit_poisson

LATENCY_BANDS = ("within_24h", "within_48h", "later", "never")
COVERAGE_BANDS = ("half_or_more", "under_half", "none")


def poisson_interval(count: int, level: float = 0.95) -> tuple[float, float]:
    """The exact (Garwood) interval for a Poisson count."""
    from scipy.stats import chi2

    alpha = 1 - level
    low = 0.0 if count == 0 else float(chi2.ppf(alpha / 2, 2 * count) / 2)
    return low, float(chi2.ppf(1 - alpha / 2, 2 * count + 2) / 2)


def dose_table(
    episodes: pd.DataFrame,
    band: pd.Series,
    order: tuple[str, ...],
    reference: str,
    *,
    adjust: list[str],
    categorical: set[str],
    clusters: np.ndarray | None,
) -> list[dict[str, object]]:
    """One row per band present: episodes, follow-ons, household-days, rate (per 1,000) with its
    interval, and the adjusted rate ratio against ``reference`` (NaN where it cannot be fitted)."""
    y = episodes["follow_on"].to_numpy(dtype=float)
    exposure = episodes["household_days"].to_numpy(dtype=float)
    present = [b for b in order if (band == b).any()]
    ratios: dict[str, tuple[float, float, float]] = {}
    others = [b for b in present if b != reference]
    if reference in present and others and y.sum() > 0:
        columns = covariate_columns(episodes, adjust, categorical)
        dummies = np.column_stack([(band == b).to_numpy(dtype=float) for b in others])
        X = np.column_stack([np.ones(len(y)), dummies, columns.matrix])
        fit = fit_poisson(y, X, exposure, clusters=clusters, names=("intercept", *others, *columns.names))
        from scipy.stats import t

        q = float(t.ppf(0.975, fit.clusters - 1)) if fit.clusters > 1 else math.inf
        for b in others:
            est, se = fit.estimate(b), fit.robust_se(b)
            if fit.converged and abs(est) < 10 and math.isfinite(se) and 0 < se < 10 and math.isfinite(q):
                ratios[b] = (math.exp(est), math.exp(est - q * se), math.exp(est + q * se))
    rows = []
    for b in present:
        mask = (band == b).to_numpy()
        count, days = int(y[mask].sum()), float(exposure[mask].sum())
        low, high = poisson_interval(count)
        ratio = ratios.get(b, (1.0, 1.0, 1.0) if b == reference else (math.nan, math.nan, math.nan))
        rows.append(
            {
                "band": b,
                "episodes": int(mask.sum()),
                "follow_ons": count,
                "household_days": days,
                "rate": 1000 * count / days,
                "rate_low": 1000 * low / days,
                "rate_high": 1000 * high / days,
                "rate_ratio": ratio[0],
                "ci_low": ratio[1],
                "ci_high": ratio[2],
            }
        )
    return rows
