"""The fitted risk model on the backtest grid: expected burglaries per cell on each day.

Every earlier burglary spreads its weight for the current time band over the cells its distance
bands cover (in proportion to each ring's area in each cell). Only burglaries that cross into a
new time band change the surface from one day to the next, so the surface is kept up to date
day by day instead of rebuilt; the constant background is left out (it does not change the order).
"""

from __future__ import annotations

import numpy as np

from cocoon.geo.grid import Grid, ring_shares
from cocoon.risk.model import RiskModel

SNAP = 1e-9
"""Values below this share of the largest kernel value are rounding left by adding and removing."""


class ModelSurface:
    """The model's surface on ``grid``, from burglaries at (x, y) on ``day`` (sorted)."""

    def __init__(self, grid: Grid, x: np.ndarray, y: np.ndarray, day: np.ndarray, model: RiskModel) -> None:
        self.grid, self.day, self.model = grid, np.asarray(day, dtype=np.int64), model
        self.home = grid.cell_of(x, y)
        self.offsets, shares = ring_shares(grid, model.distance_m)
        lengths = model.band_days()
        kernels = [shares.T @ (model.weights[:, j] / lengths[j]) for j in range(len(model.days))]
        top = max((float(k.max()) for k in kernels), default=0.0)
        self.eps = SNAP * top
        kernels = [np.where(k < self.eps, 0.0, k) for k in kernels]
        self.kernels = kernels
        zero = np.zeros(len(self.offsets))
        # Lags at which a burglary enters each time band (and finally leaves the last one).
        self.entry = np.concatenate([[1], model.days + 1])
        self.change = [kernels[0], *(kernels[m] - kernels[m - 1] for m in range(1, len(kernels))), zero - kernels[-1]]
        self.surface = np.zeros(grid.size)
        self.today: int | None = None

    def _spread(self, lo: int, hi: int, kernel: np.ndarray) -> None:
        if hi <= lo or not kernel.any():
            return
        cells = (self.home[lo:hi, None] + self.offsets[None, :]).ravel()
        weights = np.tile(kernel, hi - lo)
        on_grid = (cells >= 0) & (cells < self.grid.size)
        self.surface += np.bincount(cells[on_grid], weights=weights[on_grid], minlength=self.grid.size)

    def _rebuild(self, today: int) -> None:
        self.surface[:] = 0.0
        for j, kernel in enumerate(self.kernels):
            # ages lower..upper: days today - upper .. today - lower
            lower, upper = int(self.entry[j]), int(self.model.days[j])
            lo = int(np.searchsorted(self.day, today - upper, side="left"))
            hi = int(np.searchsorted(self.day, today - lower, side="right"))
            self._spread(lo, hi, kernel)

    def at(self, today: int) -> np.ndarray:
        """The surface on day ``today`` (burglaries dated before it). Read-only; valid until the next call."""
        if self.today is None or today < self.today or today - self.today > int(self.model.days[-1]):
            self._rebuild(today)
        else:
            for step in range(self.today + 1, today + 1):
                for lag, change in zip(self.entry, self.change, strict=True):
                    lo = int(np.searchsorted(self.day, step - lag, side="left"))
                    hi = int(np.searchsorted(self.day, step - lag, side="right"))
                    self._spread(lo, hi, change)
            self.surface[np.abs(self.surface) < self.eps / 2] = 0.0
        self.today = today
        return self.surface
