"""Reference figures for ``cocoon backtest`` on the Chicago burglaries of 2016, computed independently.

Run from the repository root:  python benchmarks/backtest_reference.py [--out FILE]

It writes tests/reference/backtest_chicago_2016.json, which tests/test_backtest.py compares
with ``cocoon backtest``. This script does not import cocoon: it computes every figure directly
from the definitions in ../shared/near-repeat-methods.md ("Prospective hot-spotting",
"Evaluating a targeting policy") and the README's backtest section, with plain per-day loops:

- history is every row of the file; the burglaries dated 2016-01-01..2016-12-31 are scored;
- study area: the convex hull of all the file's burglaries; a 50 m grid, its cells aligned on
  multiples of 50 m in the file's coordinates (EPSG:26971 metres), a cell in the study area when
  its centre is inside the hull; a burglary lies in the cell that contains it;
- zones on day D: a burglary of D is a high-risk hit when an earlier burglary dated D-14..D-1
  lies within the radius, a zone hit when one dated D-(14+42)..D-1 does (same-day pairs never
  count); a zone's area is the number of study-area cells whose centre lies within the radius of
  one of those burglaries, over the number of study-area cells; area shares are averaged over
  the 366 days of the period (days without burglaries included);
- Bowers-Johnson on day D: each burglary aged a = D - day >= 1 days with w = a // 7 < 8 whole
  weeks adds 1 / ((1 + d) (1 + w)) to every cell whose centre is d < 8 cells from the centre of
  its own cell (d = distance between centres / 50 m); the top k study-area cells are marked,
  k being that day's number of zone cells; a burglary in a cell tied at the cut-off counts as
  (k - cells scoring higher) / cells scoring the same, between 0 and 1; a burglary whose cell is
  not in the study area is never marked;
- hotspot counts on day D: burglaries per cell dated D-365..D-1, marked the same way;
- follow-on burglaries of each scored burglary: later ones within 200 m and 1..14 days after,
  and within 500 m and 1..56 days after (any date in the file).

Edge cells. The hull passes through burglaries, so a few scored burglaries lie inside it but in a
cell whose centre is outside it: a cell that is not in the study area and so never marked (the
``hits`` and ``hit_rate_pct`` of each baseline). ``hits_edge_cells_ranked`` gives the same
baseline with those burglaries' cells ranked among the study-area cells instead: credited
(k - study-area cells scoring higher) / study-area cells scoring the same, between 0 and 1, and
0 when no study-area cell has the same score. That is how ``cocoon backtest`` counts them; the
two figures differ only by those few burglaries (``scored_burglaries_in_cells_outside_the_study_area``).

Scores that are equal in exact arithmetic can differ in the last bits of a floating-point sum,
so Bowers-Johnson scores are rounded to 1e-9 before cells are compared (every single weight
is above 1/72).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "chicago_burglary_2014_2017.csv"
OUT = ROOT / "tests" / "reference" / "backtest_chicago_2016.json"
PERIOD = ("2016-01-01", "2016-12-31")
CELL = 50.0
HIGH_DAYS, ELEVATED_DAYS = 14, 42
WINDOWS = {"high": HIGH_DAYS, "zone": HIGH_DAYS + ELEVATED_DAYS}
RADII = (500.0, 200.0)
BJ_CELLS, BJ_WEEKS = 8, 8
HOTSPOT_DAYS = 365
BASELINES = ("bowers_johnson", "hotspot")
FOLLOW_ON = ((200.0, 14), (500.0, 56))
PAD = 12  # cells of margin around the hull's bounding box: more than any disc (10 cells) or BJ reach (8)


@dataclass
class Grid:
    """50 m cells over the hull's bounding box; cell (row, col) spans x from (col0 + col) * 50 m."""

    col0: int
    row0: int
    inside: np.ndarray
    """(rows, cols) booleans: the cell's centre is inside the hull."""
    centres: np.ndarray
    """(n, 2) centres of the study-area cells."""

    @property
    def n_inside(self) -> int:
        return len(self.centres)

    def cell(self, x, y) -> tuple[np.ndarray, np.ndarray]:
        return np.floor(y / CELL).astype(int) - self.row0, np.floor(x / CELL).astype(int) - self.col0


def read(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """x, y and the day number of every row, day 0 being the first day of the period."""
    frame = pd.read_csv(path)
    dates = pd.to_datetime(frame["date_single"], format="%d/%m/%Y")
    day = (dates - pd.Timestamp(PERIOD[0])).dt.days.to_numpy()
    return frame["x"].to_numpy(float), frame["y"].to_numpy(float), day.astype(int)


def study_grid(hull) -> Grid:
    west, south, east, north = hull.bounds
    col0, row0 = int(np.floor(west / CELL)) - PAD, int(np.floor(south / CELL)) - PAD
    ncol = int(np.floor(east / CELL)) + PAD + 1 - col0
    nrow = int(np.floor(north / CELL)) + PAD + 1 - row0
    rows, cols = np.meshgrid(np.arange(nrow), np.arange(ncol), indexing="ij")
    centre_x, centre_y = (cols + col0) * CELL + CELL / 2, (rows + row0) * CELL + CELL / 2
    inside = shapely.contains_xy(hull, centre_x, centre_y)
    return Grid(col0, row0, inside, np.column_stack([centre_x[inside], centre_y[inside]]))


def zone_cells(grid: Grid, x, y, events: np.ndarray, radius: float) -> dict[int, np.ndarray]:
    """For each event, the study-area cells (indices into grid.centres) whose centre is within radius."""
    tree = cKDTree(grid.centres)
    near = tree.query_ball_point(np.column_stack([x[events], y[events]]), radius + 1.0)
    cells = {}
    for i, candidates in zip(events, near, strict=True):
        found = np.asarray(candidates, dtype=int)
        d = np.hypot(grid.centres[found, 0] - x[i], grid.centres[found, 1] - y[i])
        cells[int(i)] = found[d <= radius]
    return cells


def bowers_johnson(shape, rows, cols, age) -> np.ndarray:
    """Bowers-Johnson scores of every cell on a day, from the burglaries' cells and ages in days."""
    dr, dc = np.meshgrid(np.arange(-BJ_CELLS, BJ_CELLS + 1), np.arange(-BJ_CELLS, BJ_CELLS + 1), indexing="ij")
    d = np.hypot(dr, dc)
    near = d < BJ_CELLS
    dr, dc, d = dr[near], dc[near], d[near]
    surface = np.zeros(shape)
    for i in np.flatnonzero((age >= 1) & (age // 7 < BJ_WEEKS)):
        surface[rows[i] + dr, cols[i] + dc] += 1.0 / ((1.0 + d) * (1.0 + age[i] // 7))
    return np.round(surface, 9)


def hotspot(shape, rows, cols, age) -> np.ndarray:
    """Burglaries per cell over the last HOTSPOT_DAYS days."""
    counts = np.zeros(shape)
    recent = (age >= 1) & (age <= HOTSPOT_DAYS)
    np.add.at(counts, (rows[recent], cols[recent]), 1.0)
    return counts


def marked_part(ranked: np.ndarray, value: float, k: int) -> float:
    """How much of a cell scoring ``value`` is marked when the top k of the sorted study-area scores are."""
    higher = len(ranked) - np.searchsorted(ranked, value, side="right")
    same = np.searchsorted(ranked, value, side="right") - np.searchsorted(ranked, value, side="left")
    return min(1.0, max(0.0, (k - higher) / same)) if same else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    started = time.perf_counter()

    x, y, day = read(args.data)
    period = range((pd.Timestamp(PERIOD[1]) - pd.Timestamp(PERIOD[0])).days + 1)
    hull = shapely.MultiPoint(np.column_stack([x, y])).convex_hull
    grid = study_grid(hull)
    rows, cols = grid.cell(x, y)
    in_study_cell = grid.inside[rows, cols]
    scored = np.flatnonzero((day >= period[0]) & (day <= period[-1]) & shapely.intersects_xy(hull, x, y))
    shaping = np.flatnonzero((day >= period[0] - WINDOWS["zone"]) & (day < period[-1]))
    discs = {radius: zone_cells(grid, x, y, shaping, radius) for radius in RADII}

    covered = {(r, w): np.zeros(len(period), dtype=int) for r in RADII for w in WINDOWS}
    hits = dict.fromkeys(covered, 0)
    marked = {(name, r, w): 0.0 for name in BASELINES for r, w in covered}
    edge = dict.fromkeys(marked, 0.0)  # burglaries in cells outside the study area, ranked all the same
    follow = {key: [] for key in FOLLOW_ON}

    for today in period:
        todays = scored[day[scored] == today]
        age = today - day
        for (radius, w), count in covered.items():
            recent = np.flatnonzero((age >= 1) & (age <= WINDOWS[w]))
            cells = np.zeros(grid.n_inside, dtype=bool)
            for i in recent:
                cells[discs[radius][int(i)]] = True
            count[today] = int(cells.sum())
            hits[radius, w] += sum(bool((np.hypot(x[recent] - x[i], y[recent] - y[i]) <= radius).any()) for i in todays)
        if len(todays) == 0:
            continue
        for radius, days in FOLLOW_ON:
            later = np.flatnonzero((-age >= 1) & (-age <= days))
            follow[radius, days] += [int((np.hypot(x[later] - x[i], y[later] - y[i]) <= radius).sum()) for i in todays]
        surfaces = {
            "bowers_johnson": bowers_johnson(grid.inside.shape, rows, cols, age),
            "hotspot": hotspot(grid.inside.shape, rows, cols, age),
        }
        for name, surface in surfaces.items():
            ranked = np.sort(surface[grid.inside])
            for i in todays:
                for (radius, w), count in covered.items():
                    part = marked_part(ranked, surface[rows[i], cols[i]], count[today])
                    (marked if in_study_cell[i] else edge)[name, radius, w] += part

    n = len(scored)

    def pct(value: float) -> float:
        return round(100.0 * value, 3)

    policies = []
    for radius in RADII:
        entry: dict = {"radius_m": radius, "high_days": HIGH_DAYS, "elevated_days": ELEVATED_DAYS}
        for w in WINDOWS:
            share, rate = covered[radius, w].mean() / grid.n_inside, hits[radius, w] / n
            entry.update(
                {
                    f"hits_{w}": hits[radius, w],
                    f"hit_rate_{w}_pct": pct(rate),
                    f"mean_area_share_{w}_pct": pct(share),
                    f"pai_{w}": round(rate / share, 3),
                }
            )
        for name in BASELINES:
            entry[name] = {}
            for w in WINDOWS:
                share = covered[radius, w].mean() / grid.n_inside
                strict, ranked = marked[name, radius, w], marked[name, radius, w] + edge[name, radius, w]
                entry[name][f"at_{w}_share"] = {
                    "hits": round(strict, 3),
                    "hit_rate_pct": pct(strict / n),
                    "pai": round(strict / n / share, 3),
                    "hits_edge_cells_ranked": round(ranked, 3),
                    "hit_rate_edge_cells_ranked_pct": pct(ranked / n),
                }
        policies.append(entry)

    seconds = time.perf_counter() - started
    result = {
        "made_by": "benchmarks/backtest_reference.py (does not import cocoon)",
        "rerun": "python benchmarks/backtest_reference.py",
        "source": "../shared/data/chicago_burglary_2014_2017.csv",
        "source_sha256": hashlib.sha256(args.data.read_bytes()).hexdigest(),
        "rows_read": len(x),
        "history": "every row of the file",
        "period": {"from": PERIOD[0], "to": PERIOD[1], "days": len(period)},
        "units": (
            "*_pct: per cent (0-100), rounded to three decimals; pai_* and pai: plain ratios (hit rate / "
            "mean area share), three decimals; hits_*: whole burglaries; baseline hits: burglaries, "
            "fractional where a tied cell is partly marked, three decimals"
        ),
        "settings": {
            "cell_m": CELL,
            "grid": "cells aligned on multiples of 50 m of EPSG:26971; a cell is in the study area when its centre "
            "is inside the hull",
            "study_area": "convex hull of every burglary in the file",
            "bowers_johnson": "1 / ((1 + d) (1 + w)), d cells between centres < 8, w = age // 7 < 8, age >= 1 day",
            "hotspot": "burglaries per cell dated D-365..D-1",
            "baselines_marked": "the top k study-area cells, k = that day's zone cells; ties at the cut-off share "
            "the rest",
            "edge_cells": "hits: a burglary in a cell outside the study area is never marked; "
            "hits_edge_cells_ranked: its cell is ranked among the study-area cells (ties with "
            "study-area cells only; 0 when none has its score)",
            "follow_on": "later burglaries within 200 m and 1..14 days, and within 500 m and 1..56 days",
        },
        "study_area_km2": round(hull.area / 1e6, 3),
        "cells_in_study_area": grid.n_inside,
        "scored_burglaries_in_cells_outside_the_study_area": int((~in_study_cell[scored]).sum()),
        "n_events_scored": n,
        "policies": policies,
        "follow_on": {
            f"within_{r:g}m_{d}d": {
                "total": int(np.sum(follow[r, d])),
                "share_with_any_pct": pct(float(np.mean(np.array(follow[r, d]) > 0))),
            }
            for r, d in FOLLOW_ON
        },
        "seconds": round(seconds, 1),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    print(f"written {args.out} in {seconds:.1f} s")


if __name__ == "__main__":
    main()
