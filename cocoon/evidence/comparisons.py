"""Is the ranking model better than each baseline? Differences at equal area, with 95 % intervals.

At each share of the study area in :data:`COMPARE_SHARES`, the difference in hit rate between
the ranking model and a baseline (model minus baseline), with a 95 % interval from a week-block
bootstrap: the weeks of the period are drawn again with replacement, :data:`REPLICATES` times
(burglaries cluster in time, so drawing single burglaries would give too narrow an interval).
The verdict is **better** when the whole interval is above 0, **worse** when it is below 0,
and **indistinguishable** otherwise; with burglaries on fewer than :data:`MIN_WEEKS` weeks there
is no verdict (too few weeks to resample).

Results on a grid move a little when the grid moves by less than a cell, so a backtest can be
run on several offset grids and averaged (:func:`average_offsets`) before comparing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from cocoon.evidence.scoring import CURVE_SHARES, Backtest

COMPARE_SHARES = (0.01, 0.02, 0.05, 0.1, 0.2, 0.3)
"""The shares of the area the ranking model is judged at."""
REPLICATES = 2000
SEED = 7
"""The bootstrap's seed: the same backtest gives the same intervals."""
MIN_WEEKS = 8
"""With burglaries on fewer weeks than this, the weeks cannot be resampled meaningfully: no verdict."""
MODEL = "ranking_model"
BETTER, SAME, WORSE, TOO_FEW = "better", "indistinguishable", "worse", "too_few_weeks"


@dataclass(frozen=True)
class Comparison:
    """The ranking model against one baseline at one share of the area."""

    baseline: str
    share: float
    model: float
    """The ranking model's hit rate."""
    other: float
    """The baseline's hit rate."""
    low: float
    high: float
    """95 % interval of the difference (model minus baseline)."""
    weeks: int = MIN_WEEKS
    """Weeks of the period with burglaries scored (what the bootstrap resamples)."""

    @property
    def difference(self) -> float:
        return self.model - self.other

    @property
    def verdict(self) -> str:
        if self.weeks < MIN_WEEKS:
            return TOO_FEW
        return BETTER if self.low > 0 else WORSE if self.high < 0 else SAME

    def to_dict(self) -> dict[str, Any]:
        return {
            "baseline": self.baseline,
            "share": self.share,
            "model": self.model,
            "baseline_hit_rate": self.other,
            "difference": self.difference,
            "low": self.low,
            "high": self.high,
            "verdict": self.verdict,
        }


def compare(
    backtest: Backtest, *, shares: tuple[float, ...] = COMPARE_SHARES, replicates: int = REPLICATES, seed: int = SEED
) -> list[Comparison]:
    """The ranking model against every other method of ``backtest``, at each of ``shares``."""
    hits = backtest.event_hits
    if MODEL not in hits or len(backtest.event_day) == 0:
        return []
    columns = [CURVE_SHARES.index(s) for s in shares]
    week = (backtest.event_day - backtest.first_day) // 7
    weeks, position = np.unique(week, return_inverse=True)
    counts = np.bincount(position, minlength=len(weeks)).astype(float)
    draws = (
        np.random.default_rng(seed)
        .multinomial(len(weeks), np.full(len(weeks), 1 / len(weeks)), size=replicates)
        .astype(float)
    )
    events = draws @ counts
    result = []
    for name in hits:
        if name == MODEL:
            continue
        for share, column in zip(shares, columns, strict=True):
            model, other = hits[MODEL][:, column], hits[name][:, column]
            per_week = np.bincount(position, weights=model - other, minlength=len(weeks))
            differences = (draws @ per_week) / events
            low, high = np.percentile(differences, [2.5, 97.5])
            result.append(
                Comparison(
                    baseline=name,
                    share=share,
                    model=float(model.mean()),
                    other=float(other.mean()),
                    low=float(low),
                    high=float(high),
                    weeks=len(weeks),
                )
            )
    return result


def tally(comparisons: list[Comparison], baseline: str) -> dict[str, int]:
    """How many shares the model is better, indistinguishable and worse at, against ``baseline``."""
    verdicts = [c.verdict for c in comparisons if c.baseline == baseline]
    return {v: verdicts.count(v) for v in (BETTER, SAME, WORSE, TOO_FEW)}


def average_offsets(backtests: list[Backtest]) -> Backtest:
    """One backtest from runs on grids offset by less than a cell: every burglary's share of a hit
    averaged over the grids, and the rates and curves recomputed from it."""
    first = backtests[0]
    if len(backtests) == 1:
        return first
    common = first.per_burglary["index"]
    for other in backtests[1:]:
        common = np.intersect1d(common, other.per_burglary["index"])
    positions = [
        np.searchsorted(b.per_burglary["index"], common, sorter=np.argsort(b.per_burglary["index"])) for b in backtests
    ]
    positions = [np.argsort(b.per_burglary["index"])[p] for b, p in zip(backtests, positions, strict=True)]
    event_hits = {
        name: np.mean([b.event_hits[name][p] for b, p in zip(backtests, positions, strict=True)], axis=0)
        for name in first.event_hits
    }
    curves = {
        name: [(s, float(column.mean())) for s, column in zip(CURVE_SHARES, hits.T, strict=True)]
        for name, hits in event_hits.items()
    }
    return replace(
        first,
        event_hits=event_hits,
        event_day=first.event_day[positions[0]],
        curves=curves,
        baselines=_mean_tree([b.baselines for b in backtests]),
        share_high=np.mean([b.share_high for b in backtests], axis=0),
        share_zone=np.mean([b.share_zone for b in backtests], axis=0),
        notes=[*first.notes, ("notes.backtest_offsets", {"n": len(backtests)})],
    )


def _mean_tree(trees: list[Any]) -> Any:
    """The mean of numbers at the same places in nested dicts."""
    if isinstance(trees[0], dict):
        return {key: _mean_tree([t[key] for t in trees]) for key in trees[0]}
    if isinstance(trees[0], (int, float)) and not isinstance(trees[0], bool):
        return float(np.mean(trees))
    return trees[0]
