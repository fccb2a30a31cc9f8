"""The covariates of a comparison: as model columns, their balance between the arms, and
propensity weights.

A numeric covariate is one column (centred and scaled, which changes no rate ratio); a text
covariate is a category with one 0/1 column per level but its most common one (the reference).

**Standardised mean difference** of a column: ``(mean_treated - mean_control) / sqrt((s_t^2 +
s_c^2) / 2)``, unweighted and, with propensity weights, weighted; |SMD| above 0.1 is the usual
sign that the arms differ in that respect.

**Propensity weights** (for the treated: the effect on the zones that were served): a logistic
model of being served on the covariates gives ``e(x)``; the treated weigh 1, the control zones
``e / (1 - e)``, so that the control arm looks like the served one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

SMD_NOTABLE = 0.1
"""Above this |SMD| the arms differ in a covariate."""


@dataclass(frozen=True)
class Columns:
    """Model columns made from the covariates: one per numeric covariate, one per non-reference level."""

    matrix: np.ndarray
    raw: np.ndarray
    """The same columns unscaled (0/1 for levels): what the balance table shows."""
    names: tuple[str, ...]
    covariates: tuple[str, ...]
    """Which covariate each column comes from."""


def covariate_columns(frame: pd.DataFrame, covariates: list[str], categorical: set[str]) -> Columns:
    """The columns of ``covariates`` in ``frame``; those in ``categorical`` as levels."""
    raw, names, sources = [], [], []
    for name in covariates:
        values = frame[name]
        if name in categorical:
            text = values.astype(str)
            levels = text.value_counts(sort=True)
            ordered = sorted(levels.index, key=lambda v: (-int(levels[v]), v))
            for level in ordered[1:]:
                raw.append((text == level).to_numpy(dtype=float))
                names.append(f"{name}={level}")
                sources.append(name)
        else:
            raw.append(values.to_numpy(dtype=float))
            names.append(name)
            sources.append(name)
    if not raw:
        empty = np.zeros((len(frame), 0))
        return Columns(empty, empty, (), ())
    matrix_raw = np.column_stack(raw)
    scale = matrix_raw.std(axis=0)
    scaled = (matrix_raw - matrix_raw.mean(axis=0)) / np.where(scale > 0, scale, 1.0)
    keep = scale > 0  # a column that never varies says nothing and cannot be fitted
    return Columns(scaled[:, keep], matrix_raw[:, keep], tuple(np.array(names)[keep]), tuple(np.array(sources)[keep]))


def _weighted_mean_var(values: np.ndarray, weights: np.ndarray) -> tuple[float, float]:
    total = float(weights.sum())
    if total <= 0:
        return math.nan, math.nan
    mean = float((weights * values).sum() / total)
    var = float((weights * (values - mean) ** 2).sum() / total)
    return mean, var


def balance_table(columns: Columns, treated: np.ndarray, weights: np.ndarray | None = None) -> list[dict[str, object]]:
    """Per column: the mean in each arm and the standardised mean difference (and, with
    ``weights``, the weighted control mean and SMD). The pooled spread is the unweighted one,
    so the two SMDs compare on one scale."""
    rows: list[dict[str, object]] = []
    t = np.asarray(treated, dtype=bool)
    for j, name in enumerate(columns.names):
        x = columns.raw[:, j]
        m1, v1 = _weighted_mean_var(x[t], np.ones(t.sum()))
        m0, v0 = _weighted_mean_var(x[~t], np.ones((~t).sum()))
        pooled = math.sqrt((v1 + v0) / 2)
        row: dict[str, object] = {
            "covariate": name,
            "treated_mean": m1,
            "control_mean": m0,
            "smd": (m1 - m0) / pooled if pooled > 0 else 0.0,
        }
        if weights is not None:
            w1, _ = _weighted_mean_var(x[t], weights[t])
            w0, _ = _weighted_mean_var(x[~t], weights[~t])
            row["weighted_control_mean"] = w0
            row["weighted_smd"] = (w1 - w0) / pooled if pooled > 0 else 0.0
        rows.append(row)
    return rows


def propensity_weights(columns: Columns, treated: np.ndarray, *, clip: float = 0.01) -> np.ndarray:
    """Weights for the effect on the treated: 1 for treated rows, ``e / (1 - e)`` for control rows,
    with ``e`` from a logistic regression of being treated on the columns (clipped to
    [``clip``, 1 - ``clip``] so that a near-certain zone does not carry the whole arm)."""
    t = np.asarray(treated, dtype=float)
    X = np.column_stack([np.ones(len(t)), columns.matrix])
    b = np.zeros(X.shape[1])
    for _ in range(100):
        e = 1 / (1 + np.exp(-np.clip(X @ b, -30, 30)))
        w = np.maximum(e * (1 - e), 1e-9)
        step = np.linalg.lstsq((X.T * w) @ X + 1e-8 * np.eye(X.shape[1]), X.T @ (t - e), rcond=None)[0]
        b = b + step
        if float(np.max(np.abs(step))) < 1e-9:
            break
    e = np.clip(1 / (1 + np.exp(-np.clip(X @ b, -30, 30))), clip, 1 - clip)
    return np.where(t > 0, 1.0, e / (1 - e))
