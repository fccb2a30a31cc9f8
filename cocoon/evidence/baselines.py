"""The methods a targeting policy is compared with, each as a score per grid cell on a day.

Every surface uses only the burglaries dated before the day:

- **Bowers-Johnson** prospective hot-spotting: each burglary adds ``1 / ((1 + d) (1 + w))``
  to the cells d cells away, w whole weeks after it, up to ``bj_max_cells`` and ``bj_max_weeks``;
- **kde**: a Gaussian kernel density of the last ``kde_days`` days;
- **hotspot**: counts per cell over the last ``hotspot_days`` days;
- **ranking_model**: the model the plan ranks with, on the grid: the fitted model when the
  settings hold one or the backtest refits one (:mod:`cocoon.evidence.model_surface`), else
  the published defaults;
- **default_model**: the published defaults on the grid (each cell scored as a household
  would be, street multipliers aside, the burgled cell with the same-building multiplier),
  scored beside a fitted model to tell whether fitting paid off.
"""

from __future__ import annotations

import numpy as np

from cocoon.evidence.model_surface import ModelSurface
from cocoon.geo.grid import Grid, kernel
from cocoon.risk.model import RiskModel
from cocoon.risk.weights import distance_weight, time_weight
from cocoon.settings import BacktestSettings, RankingSettings, ZoneSettings

BASELINES = ("bowers_johnson", "kde", "hotspot", "ranking_model")
DEFAULT_MODEL = "default_model"
"""Scored as well when the ranking model is a fitted one."""


class Surfaces:
    """The baselines' cell scores on a day, from the events dated before it."""

    def __init__(
        self,
        grid: Grid,
        x: np.ndarray,
        y: np.ndarray,
        day: np.ndarray,
        settings: BacktestSettings,
        zones: ZoneSettings,
        ranking: RankingSettings,
        disc: tuple[np.ndarray, np.ndarray, np.ndarray],
        models: list[tuple[int, RiskModel | None]] | None = None,
    ) -> None:
        self.grid, self.day, self.settings, self.zones, self.ranking = grid, day, settings, zones, ranking
        self.home = grid.cell_of(x, y)
        self.bj_off, bj_d = kernel(grid, settings.bj_max_cells)
        self.bj_w = 1.0 / (1.0 + bj_d)
        self.kde_off, kde_d = kernel(grid, 3 * settings.kde_bandwidth_m / grid.cell)
        self.kde_w = np.exp(-0.5 * (kde_d * grid.cell / settings.kde_bandwidth_m) ** 2)
        self.disc_start, self.disc_cells, self.disc_d = disc
        self.disc_w = distance_weight(self.disc_d, ranking).astype(np.float64)
        # (first day, model) of each block of days a fitted model ranks; the surfaces are made as needed.
        self.models = sorted(models or [], key=lambda item: item[0])
        self.fitted: dict[int, ModelSurface] = {}
        self.x, self.y = x, y

    def _window(self, today: int, days: int) -> tuple[int, int]:
        lo = int(np.searchsorted(self.day, today - days, side="left"))
        hi = int(np.searchsorted(self.day, today, side="left"))
        return lo, hi

    def _spread(self, lo: int, hi: int, offsets: np.ndarray, kernel_w: np.ndarray, event_w: np.ndarray) -> np.ndarray:
        cells = (self.home[lo:hi, None] + offsets[None, :]).ravel()
        return np.bincount(cells, weights=(event_w[:, None] * kernel_w[None, :]).ravel(), minlength=self.grid.size)

    def bowers_johnson(self, today: int) -> np.ndarray:
        lo, hi = self._window(today, 7 * self.settings.bj_max_weeks - 1)
        weeks = (today - self.day[lo:hi]) // 7
        return self._spread(lo, hi, self.bj_off, self.bj_w, 1.0 / (1.0 + weeks))

    def kde(self, today: int) -> np.ndarray:
        lo, hi = self._window(today, self.settings.kde_days)
        return self._spread(lo, hi, self.kde_off, self.kde_w, np.ones(hi - lo))

    def hotspot(self, today: int) -> np.ndarray:
        lo, hi = self._window(today, self.settings.hotspot_days)
        return np.bincount(self.home[lo:hi], minlength=self.grid.size).astype(np.float64)

    def ranking_model(self, today: int) -> np.ndarray:
        if not self.models:
            return self.default_model(today)
        starts = [start for start, _ in self.models]
        block = max(int(np.searchsorted(starts, today, side="right")) - 1, 0)
        model = self.models[block][1]
        if model is None:  # too few burglaries before this block to fit one
            return self.default_model(today)
        if block not in self.fitted:
            self.fitted = {block: ModelSurface(self.grid, self.x, self.y, self.day, model)}
        return self.fitted[block].at(today)

    def default_model(self, today: int) -> np.ndarray:
        lo, hi = self._window(today, self.zones.active_days)
        a, b = self.disc_start[lo], self.disc_start[hi]
        ages = today - self.day[lo:hi]
        per_event = time_weight(ages, self.ranking) * self.ranking.points
        weights = np.repeat(per_event, np.diff(self.disc_start[lo : hi + 1])) * self.disc_w[a:b]
        surface = np.bincount(self.disc_cells[a:b], weights=weights, minlength=self.grid.size)
        # the burgled building: its cell gets the same-building multiplier on that burglary's share
        own = time_weight(ages, self.ranking) * self.ranking.points * (self.ranking.same_building - 1)
        surface += np.bincount(self.home[lo:hi], weights=own, minlength=self.grid.size)
        return surface
