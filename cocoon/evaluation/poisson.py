"""A Poisson regression of follow-on counts with a log household-days offset, and errors that
allow for clustering.

``log E[y_i] = log(household_days_i) + X_i b``, fitted by iteratively reweighted least squares.
The errors are cluster-robust ("sandwich"): ``V = c B M B`` with ``B`` the inverse information,
``M = sum_g U_g U_g'`` over the clusters' scores ``U_g = sum_{i in g} x_i (y_i - mu_i)``, and the
small-sample factor ``c = G / (G - 1) * (N - 1) / (N - K)`` (as Stata and statsmodels use). So the
interval stays honest when the counts are overdispersed (a negative-binomial world) and when
episodes of the same week share follow-ons (overlapping zones); each episode its own cluster
gives the heteroskedasticity-robust errors. Rows may carry weights (propensity weights): the
fit solves the weighted score equations and the sandwich uses the weighted scores.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

MAX_ITERATIONS = 100
TOLERANCE = 1e-10


@dataclass(frozen=True)
class PoissonFit:
    coefficients: np.ndarray
    robust_cov: np.ndarray
    """Cluster-robust covariance of the coefficients."""
    model_cov: np.ndarray
    """The model's own (Poisson) covariance: the inverse information."""
    clusters: int
    converged: bool
    names: tuple[str, ...]

    def index(self, name: str) -> int:
        return self.names.index(name)

    def estimate(self, name: str) -> float:
        return float(self.coefficients[self.index(name)])

    def robust_se(self, name: str) -> float:
        k = self.index(name)
        return float(math.sqrt(max(self.robust_cov[k, k], 0.0)))

    def model_se(self, name: str) -> float:
        k = self.index(name)
        return float(math.sqrt(max(self.model_cov[k, k], 0.0)))

    def design_effect(self, name: str) -> float:
        """Robust over Poisson variance of one coefficient: how much clustering and
        overdispersion widen its interval (at least 1 is assumed when planning power)."""
        model = self.model_se(name) ** 2
        return self.robust_se(name) ** 2 / model if model > 0 else math.inf


def fit_poisson(
    y: np.ndarray,
    X: np.ndarray,
    exposure: np.ndarray,
    *,
    clusters: np.ndarray | None = None,
    weights: np.ndarray | None = None,
    names: tuple[str, ...] | None = None,
) -> PoissonFit:
    """Fit ``y ~ Poisson(exposure * exp(X b))``; ``X`` holds the intercept column if wanted.
    ``clusters``: one label per row (default: each row its own cluster); ``weights``: a weight
    per row (propensity weights), whose uncertainty the sandwich then carries."""
    y = np.asarray(y, dtype=float)
    weight = np.ones(len(y)) if weights is None else np.asarray(weights, dtype=float)
    X = np.asarray(X, dtype=float)
    offset = np.log(np.asarray(exposure, dtype=float))
    n, k = X.shape
    names = names or tuple(f"x{j}" for j in range(k))
    # Start from the overall rate on the intercept-like scale.
    b = np.zeros(k)
    eta = offset + np.log(max(y.sum(), 0.5) / np.exp(offset).sum())
    mu = np.exp(eta)
    converged = False
    deviance = math.inf
    for _ in range(MAX_ITERATIONS):
        z = eta - offset + (y - mu) / mu
        w = weight * mu
        XtW = X.T * w
        try:
            b_new = np.linalg.solve(XtW @ X, XtW @ z)
        except np.linalg.LinAlgError:
            b_new = np.linalg.lstsq(XtW @ X, XtW @ z, rcond=None)[0]
        eta = offset + X @ b_new
        eta = np.minimum(eta, 700.0)
        mu = np.exp(eta)
        with np.errstate(divide="ignore", invalid="ignore"):
            terms = weight * (np.where(y > 0, y * np.log(y / mu), 0.0) - (y - mu))
        new_deviance = 2 * float(terms.sum())
        b = b_new
        if abs(new_deviance - deviance) <= TOLERANCE * (abs(new_deviance) + 0.1):
            converged = True
            break
        deviance = new_deviance
        mu = np.maximum(mu, 1e-300)
    information = (X.T * (weight * mu)) @ X
    bread = np.linalg.pinv(information)
    labels = np.arange(n) if clusters is None else np.asarray(clusters)
    _, groups = np.unique(labels, return_inverse=True)
    g = int(groups.max()) + 1 if n else 0
    scores = np.zeros((g, k))
    np.add.at(scores, groups, X * (weight * (y - mu))[:, None])
    meat = scores.T @ scores
    factor = (g / (g - 1)) * ((n - 1) / (n - k)) if g > 1 and n > k else math.inf
    robust = factor * bread @ meat @ bread
    return PoissonFit(coefficients=b, robust_cov=robust, model_cov=bread, clusters=g, converged=converged, names=names)
