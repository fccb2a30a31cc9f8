"""Backtest: would the zones have caught the burglaries that followed, and how do others do?

For each day D of the period, every method marks an area using only burglaries dated before D;
the burglaries dated D are then scored (same-day pairs never count: their order is unknown).

- **Zones** (the plan's policy): a burglary on D is a *high-risk hit* when it lies within the
  radius of a burglary dated D-high_days..D-1, a *zone hit* within D-(high+elevated)..D-1.
  Their area is the union of those discs, counted on the grid.
- **Baselines**, each given exactly the zones' area on each day (the same number of grid cells):
  prospective hot-spotting with Bowers-Johnson weights, a retrospective kernel density, and
  hotspot counts; and the plan's own **ranking model** evaluated on the grid (each cell scored
  as a household would be, street multipliers aside). Cells rank by score; where cells tie at
  the cut-off, a burglary in one of them counts as the share of the tied cells that fits.

Hit rate = hits / burglaries scored; area share = marked cells / cells of the study area,
averaged over the days of the period; PAI = hit rate / area share.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from cocoon.errors import InputError
from cocoon.evidence.baselines import BASELINES, DEFAULT_MODEL, Surfaces
from cocoon.geo.grid import Grid, discs, make_grid
from cocoon.risk.model import RiskModel
from cocoon.settings import BacktestSettings, RankingSettings, ZoneSettings

if TYPE_CHECKING:
    import pandas as pd
    import shapely

CURVE_SHARES = (0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5)
FOLLOW_ON = ((200.0, 14), (500.0, 56))


@dataclass
class Backtest:
    """Everything a backtest measures; ``to_dict`` gives the JSON form."""

    policy: ZoneSettings
    first_day: int
    last_day: int
    days: int
    n_events_scored: int
    hits_high: int
    hits_zone: int
    share_high: np.ndarray
    """Area share of the high-risk zones on each day of the period."""
    share_zone: np.ndarray
    baselines: dict[str, dict[str, Any]]
    curves: dict[str, list[tuple[float, float]]]
    sweep: list[dict[str, Any]]
    follow_on: dict[str, Any]
    per_burglary: dict[str, np.ndarray]
    """Index of each scored burglary (in the input order) and its follow-on counts."""
    area_km2: float
    cell_m: float
    notes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    event_hits: dict[str, np.ndarray] = field(default_factory=dict)
    """Per method: each scored burglary's share of a hit at each of :data:`CURVE_SHARES` (one column each)."""
    event_day: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    """The day of each scored burglary (same order)."""
    fitted: bool = False
    """Whether the ranking model is a fitted one (then the defaults are scored as "default_model")."""

    def rate(self, hits: float) -> float:
        return hits / self.n_events_scored if self.n_events_scored else float("nan")

    @property
    def summary(self) -> dict[str, Any]:
        high, zone = float(self.share_high.mean()), float(self.share_zone.mean())
        rate_high, rate_zone = self.rate(self.hits_high), self.rate(self.hits_zone)
        return {
            "n_events_scored": self.n_events_scored,
            "days": self.days,
            "hits_high": self.hits_high,
            "hits_zone": self.hits_zone,
            "hit_rate_high": rate_high,
            "hit_rate_zone": rate_zone,
            "mean_area_share_high": high,
            "mean_area_share_zone": zone,
            "pai_high": _pai(rate_high, high),
            "pai_zone": _pai(rate_zone, zone),
        }

    def frame(self, at: str = "high") -> pd.DataFrame:
        """Hit rate, area share and PAI per method as a DataFrame, at the area of the high-risk
        zones (``at="high"``) or of all zones (``at="zone"``)."""
        import pandas as pd

        s = self.summary
        rows = {f"zones ({at})": (s[f"mean_area_share_{at}"], s[f"hit_rate_{at}"], s[f"pai_{at}"])}
        for name, values in self.baselines.items():
            chosen = values if at == "high" else values["at_zone_share"]
            rows[name] = (chosen["mean_area_share"], chosen["hit_rate"], chosen["pai"])
        return pd.DataFrame.from_dict(rows, orient="index", columns=["area_share", "hit_rate", "pai"])

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.summary,
            "policy": {
                "radius_m": self.policy.radius_m,
                "high_days": self.policy.high_days,
                "elevated_days": self.policy.elevated_days,
            },
            "baselines": self.baselines,
            "curves": {name: [list(point) for point in points] for name, points in self.curves.items()},
            "sweep": self.sweep,
            "follow_on": self.follow_on,
            "area_km2": self.area_km2,
            "cell_m": self.cell_m,
        }


def _pai(rate: float, share: float) -> float:
    return rate / share if share > 0 else float("nan")


def zone_hits(later: np.ndarray, distance: np.ndarray, gap: np.ndarray, radius: float, days: int, n: int) -> np.ndarray:
    """Per event: is there an earlier event within ``radius`` and 1..``days`` days before it?"""
    hit = np.zeros(n, dtype=bool)
    mask = (distance <= radius) & (gap >= 1) & (gap <= days)
    hit[later[mask]] = True
    return hit


def follow_on_counts(
    earlier: np.ndarray, distance: np.ndarray, gap: np.ndarray, radius: float, days: int, n: int
) -> np.ndarray:
    """Per event: how many later events within ``radius`` and 1..``days`` days after it."""
    mask = (distance <= radius) & (gap >= 1) & (gap <= days)
    return np.bincount(earlier[mask], minlength=n)


def event_pairs(
    x: np.ndarray, y: np.ndarray, day: np.ndarray, reach: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Every pair within ``reach`` metres as (earlier, later, distance, gap in days)."""
    from scipy.spatial import cKDTree

    pairs = cKDTree(np.column_stack([x, y])).query_pairs(r=reach, output_type="ndarray")
    a, b = pairs[:, 0], pairs[:, 1]
    swap = day[a] > day[b]
    earlier, later = np.where(swap, b, a), np.where(swap, a, b)
    return earlier, later, np.hypot(x[a] - x[b], y[a] - y[b]), day[later] - day[earlier]


def coverage(
    grid: Grid, start: np.ndarray, cells: np.ndarray, day: np.ndarray, first: int, last: int, windows: list[int]
) -> dict[int, np.ndarray]:
    """Cells of the study area covered on each day D in first..last by the discs of events dated
    D-T..D-1, for every window T at once.

    Each cell remembers the last day an event covered it; a histogram of those days over the
    study area answers every window with one sum. ``day`` must be sorted.
    """
    last_cover = np.full(grid.size, -1, dtype=np.int64)
    span = int(max(last, day.max() if len(day) else 0)) + 2
    hist = np.zeros(span, dtype=np.int64)
    result = {t: np.zeros(last - first + 1, dtype=np.int64) for t in windows}
    bounds = np.searchsorted(day, np.arange(first - 1, last + 1), side="left")  # events before each day

    def add(lo: int, hi: int) -> None:
        if hi <= lo:
            return
        chunk_cells = cells[start[lo] : start[hi]]
        chunk_days = np.repeat(day[lo:hi], np.diff(start[lo : hi + 1]))
        order = np.lexsort((chunk_days, chunk_cells))
        c, d = chunk_cells[order], chunk_days[order]
        last_of_cell = np.r_[c[1:] != c[:-1], True]
        c, d = c[last_of_cell], d[last_of_cell]  # the latest day per cell
        keep = grid.inside[c] & (d > last_cover[c])
        c, d = c[keep], d[keep]
        old = last_cover[c]
        hist[:] -= np.bincount(old[old >= 0], minlength=span)[:span]
        hist[:] += np.bincount(d, minlength=span)[:span]
        last_cover[c] = d

    add(0, int(bounds[0]))
    for k, today in enumerate(range(first, last + 1)):
        add(int(bounds[k]), int(bounds[k + 1]))  # the events of the day before
        cumulative = np.concatenate([[0], np.cumsum(hist[:today])])
        for t in windows:
            result[t][k] = cumulative[today] - cumulative[max(0, today - t)]
    return result


def _ranks(surface: np.ndarray, inside: np.ndarray, cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each scored cell: how many study-area cells score higher, and how many the same.

    The few scores of the day are sorted and every positive cell value is placed among them, so
    one pass over the study area answers all of them."""
    values = surface[inside]
    positive = values[values > 0]
    n_zero = len(values) - len(positive)
    scores = surface[cells]
    order = np.argsort(scores)
    ranked = scores[order]
    m = len(ranked)

    def beyond(side: Literal["left", "right"]) -> np.ndarray:
        """For each j, the values v with (# scores < v, or <= v for side="right") > j, i.e.
        v > ranked[j] (left) or v >= ranked[j] (right)."""
        counts = np.bincount(np.searchsorted(ranked, positive, side=side), minlength=m + 1)
        return np.cumsum(counts[::-1])[::-1][1:].astype(np.float64)

    greater_sorted, ge_sorted = beyond("left"), beyond("right")
    greater, equal = np.empty(m), np.empty(m)
    greater[order] = greater_sorted
    equal[order] = np.where(ranked > 0, ge_sorted - greater_sorted, n_zero)
    return greater, equal


def _hits_at(greater: np.ndarray, equal: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Share of a hit for each event when the top ``k`` cells are marked (ties share the rest)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        part = np.where(equal > 0, (k - greater) / equal, 0.0)
    return np.clip(part, 0.0, 1.0)


def run_backtest(
    x: np.ndarray,
    y: np.ndarray,
    day: np.ndarray,
    *,
    first_day: int,
    last_day: int,
    area: shapely.Geometry,
    zones: ZoneSettings,
    ranking: RankingSettings,
    settings: BacktestSettings,
    sweep_radius: tuple[float, ...] = (),
    sweep_days: tuple[int, ...] = (),
    models: list[tuple[int, RiskModel | None]] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Backtest:
    """Score every day of first_day..last_day (whole days from the same origin as ``day``).

    ``area`` is the study area polygon in the same metric CRS as x/y. ``models`` are fitted
    models as (first day they rank, model): the ranking model from each first day on (one model
    for a fixed settings file; one per block for a rolling origin); without, the defaults.
    """
    order, x, y, day, scored = _in_day_order(x, y, day, first_day, last_day, area)
    radii = sorted({float(zones.radius_m), *map(float, sweep_radius)})
    windows = sorted({int(zones.high_days), int(zones.active_days), *map(int, sweep_days)})
    pad = max(
        radii[-1],
        settings.bj_max_cells * settings.cell_m,
        3 * settings.kde_bandwidth_m,
        *(model.reach_m for _, model in models or [] if model is not None),
    )
    # Burglaries up to `pad` outside the area can still mark cells inside it, and their own discs
    # and kernels reach `pad` further: the grid covers both. Farther ones cannot touch the area.
    grid = make_grid(area, settings.cell_m, 2 * pad)
    near = grid_margin_ok(grid, x, y, pad)
    notes: list[tuple[str, dict[str, Any]]] = []
    if (~near).any():
        notes.append(("notes.backtest_far_events", {"n": int((~near).sum())}))
        keep = near
        x, y, day, scored, order = x[keep], y[keep], day[keep], scored[keep], order[keep]
    n = len(x)
    earlier, later, distance, gap = event_pairs(x, y, day, max(radii[-1], *(r for r, _ in FOLLOW_ON)))

    scored_idx = np.flatnonzero(scored)
    n_days = last_day - first_day + 1
    covered: dict[float, dict[int, np.ndarray]] = {}
    disc_policy = None
    for radius in radii:
        disc = discs(grid, x, y, radius)
        covered[radius] = coverage(grid, disc[0], disc[1], day, first_day, last_day, windows)
        if radius == float(zones.radius_m):
            disc_policy = disc
    share = {key: value / grid.n_inside for key, value in covered[float(zones.radius_m)].items()}
    high_hit = zone_hits(later, distance, gap, zones.radius_m, zones.high_days, n)[scored_idx]
    zone_hit = zone_hits(later, distance, gap, zones.radius_m, zones.active_days, n)[scored_idx]

    assert disc_policy is not None  # the policy's radius is among the radii
    surfaces = Surfaces(grid, x, y, day, settings, zones, ranking, disc_policy, models)
    event_day = day[scored_idx]
    methods = (*BASELINES, DEFAULT_MODEL) if models else BASELINES
    greater, equal = _rank_scored(
        surfaces, grid, x[scored_idx], y[scored_idx], event_day, first_day, last_day, methods, progress
    )

    day_index = event_day - first_day
    k_high = covered[float(zones.radius_m)][zones.high_days][day_index]
    k_zone = covered[float(zones.radius_m)][zones.active_days][day_index]
    n_scored = len(scored_idx)
    mean_high, mean_zone = float(share[zones.high_days].mean()), float(share[zones.active_days].mean())
    baselines, curves, event_hits = _at_equal_area(greater, equal, k_high, k_zone, mean_high, mean_zone, grid.n_inside)

    sweep = (
        []
        if not (sweep_radius or sweep_days)
        else _sweep(
            later,
            distance,
            gap,
            n,
            scored_idx,
            covered,
            grid.n_inside,
            radii=tuple(map(float, sweep_radius or (zones.radius_m,))),
            days=tuple(map(int, sweep_days or (zones.high_days,))),
        )
    )

    per = {"index": order[scored_idx]}
    follow = {}
    for key, counts in _follow_on(earlier, distance, gap, n, scored_idx).items():
        per[key] = counts
        follow[key] = {
            "mean": float(counts.mean()),
            "share_with_any": float((counts > 0).mean()),
            "total": int(counts.sum()),
        }
    return Backtest(
        policy=zones,
        first_day=first_day,
        last_day=last_day,
        days=n_days,
        n_events_scored=n_scored,
        hits_high=int(high_hit.sum()),
        hits_zone=int(zone_hit.sum()),
        share_high=share[zones.high_days],
        share_zone=share[zones.active_days],
        baselines=baselines,
        curves=curves,
        sweep=sweep,
        follow_on=follow,
        per_burglary=per,
        area_km2=float(area.area / 1e6),
        cell_m=grid.cell,
        notes=notes,
        event_hits=event_hits,
        event_day=event_day,
        fitted=bool(models),
    )


def _in_day_order(
    x: np.ndarray, y: np.ndarray, day: np.ndarray, first_day: int, last_day: int, area: shapely.Geometry
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(order, x, y, day, scored): the events sorted by day, and which are scored; errors when
    there is nothing to score or no history before the period."""
    import shapely

    if first_day > last_day:
        raise InputError("backtest.period_reversed")
    order = np.argsort(np.asarray(day), kind="stable")
    x, y = np.asarray(x, dtype=float)[order], np.asarray(y, dtype=float)[order]
    day = np.asarray(day, dtype=np.int64)[order]
    scored = (day >= first_day) & (day <= last_day) & shapely.intersects_xy(area, x, y)
    if scored.sum() == 0:
        raise InputError("backtest.nothing_to_score")
    if (day < first_day).sum() == 0:
        raise InputError("backtest.no_history")
    return order, x, y, day, scored


def _rank_scored(
    surfaces: Surfaces,
    grid: Grid,
    x: np.ndarray,
    y: np.ndarray,
    event_day: np.ndarray,
    first_day: int,
    last_day: int,
    methods: tuple[str, ...],
    progress: Callable[[int, int], None] | None,
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """For each scored burglary and each method: how many study-area cells scored higher than the
    burglary's cell on its day, and how many the same (``event_day`` sorted)."""
    cells = grid.cell_of(x, y)
    greater = {name: np.zeros(len(x)) for name in methods}
    equal = {name: np.zeros(len(x)) for name in methods}
    starts = np.searchsorted(event_day, np.arange(first_day, last_day + 2), side="left")
    busy = [d for d in range(last_day - first_day + 1) if starts[d + 1] > starts[d]]
    for step, d in enumerate(busy):
        lo, hi = int(starts[d]), int(starts[d + 1])
        for name in methods:
            g, e = _ranks(getattr(surfaces, name)(first_day + d), grid.inside, cells[lo:hi])
            greater[name][lo:hi], equal[name][lo:hi] = g, e
        if progress is not None:
            progress(step + 1, len(busy))
    return greater, equal


def _at_equal_area(
    greater: dict[str, np.ndarray],
    equal: dict[str, np.ndarray],
    k_high: np.ndarray,
    k_zone: np.ndarray,
    mean_high: float,
    mean_zone: float,
    n_inside: int,
) -> tuple[dict[str, dict[str, Any]], dict[str, list[tuple[float, float]]], dict[str, np.ndarray]]:
    """Each method's hit rate given the zones' cells each day, its curve over area shares, and
    each burglary's share of a hit at every share of the curve."""
    n_scored = len(k_high)
    baselines: dict[str, dict[str, Any]] = {}
    curves: dict[str, list[tuple[float, float]]] = {}
    event_hits: dict[str, np.ndarray] = {}
    for name, g in greater.items():
        e = equal[name]
        rate = float(_hits_at(g, e, k_high).sum()) / n_scored
        rate_zone = float(_hits_at(g, e, k_zone).sum()) / n_scored
        baselines[name] = {
            "hit_rate": rate,
            "pai": _pai(rate, mean_high),
            "mean_area_share": mean_high,
            "at_zone_share": {"hit_rate": rate_zone, "pai": _pai(rate_zone, mean_zone), "mean_area_share": mean_zone},
        }
        event_hits[name] = np.column_stack([_hits_at(g, e, np.full(n_scored, s * n_inside)) for s in CURVE_SHARES])
        curves[name] = [(s, float(column.mean())) for s, column in zip(CURVE_SHARES, event_hits[name].T, strict=True)]
    return baselines, curves, event_hits


def _sweep(
    later: np.ndarray,
    distance: np.ndarray,
    gap: np.ndarray,
    n: int,
    scored_idx: np.ndarray,
    covered: dict[float, dict[int, np.ndarray]],
    n_inside: int,
    *,
    radii: tuple[float, ...],
    days: tuple[int, ...],
) -> list[dict[str, Any]]:
    """Hit rate, area share and PAI of zones of every radius and window asked for."""
    rows = []
    for radius in radii:
        for t in days:
            rate = float(zone_hits(later, distance, gap, radius, t, n)[scored_idx].mean())
            mean_share = float(covered[radius][t].mean() / n_inside)
            rows.append(
                {
                    "radius_m": radius,
                    "days": t,
                    "hit_rate": rate,
                    "mean_area_share": mean_share,
                    "pai": _pai(rate, mean_share),
                }
            )
    return rows


def _follow_on(
    earlier: np.ndarray, distance: np.ndarray, gap: np.ndarray, n: int, scored_idx: np.ndarray
) -> dict[str, np.ndarray]:
    """Per scored burglary, the later burglaries within each of :data:`FOLLOW_ON`'s distances and days."""
    return {
        f"within_{radius:g}m_{days}d": follow_on_counts(earlier, distance, gap, radius, days, n)[scored_idx]
        for radius, days in FOLLOW_ON
    }


def grid_margin_ok(grid: Grid, x: np.ndarray, y: np.ndarray, pad: float) -> np.ndarray:
    """Events far enough inside the padded grid that their discs and kernels stay on it."""
    margin = pad + grid.cell
    return (
        (x >= grid.x0 + margin)
        & (x <= grid.x0 + grid.nx * grid.cell - margin)
        & (y >= grid.y0 + margin)
        & (y <= grid.y0 + grid.ny * grid.cell - margin)
    )
