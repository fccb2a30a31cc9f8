"""(burglary, household) pairs within a radius, found on a grid of cells, with each burglary's
nearest households: what the ranking and the victim rules are worked out from."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Pairs:
    """(burglary, household) pairs within the radius, as parallel arrays: household by household
    (``h`` ascending), each household's burglaries in the given order."""

    b: np.ndarray
    """Index of the burglary (row of ``active``)."""
    h: np.ndarray
    """Index of the household (row of ``households``)."""
    d: np.ndarray
    """Distance in metres."""
    present: np.ndarray
    """The households that appear in some pair, ascending."""
    local: np.ndarray
    """For each pair, the position of its household in ``present``."""
    starts: np.ndarray
    """For each household in ``present``, where its pairs start."""
    nearest_h: np.ndarray
    """Per burglary, its k nearest households within the reach asked for (-1 where fewer)."""
    nearest_d: np.ndarray
    """... and their distances (inf where fewer)."""


def zone_pairs(
    hx: np.ndarray,
    hy: np.ndarray,
    bx: np.ndarray,
    by: np.ndarray,
    *,
    radius_m: float,
    k: int = 1,
    near_m: float | None = None,
) -> Pairs | None:
    """Every (burglary, household) pair at most ``radius_m`` apart, household by household (each
    household's burglaries in the given order), and each burglary's ``k`` nearest households
    within ``near_m`` (the radius when not given); None when no household is in reach.

    A pair is in reach when dx² + dy² <= radius², measured as a KD-tree measures it. Only the
    pairs in the same or a nearby cell of a grid are measured: each burglary lists the cells its
    circle touches, and each household is measured against the burglaries listing its cell."""
    reach = radius_m * (1 + 1e-9) + 1e-6  # a little wider than the radius: rounding cannot skip a cell
    x0, y0 = float(bx.min()) - reach, float(by.min()) - reach
    span_x, span_y = float(bx.max()) + reach - x0, float(by.max()) + reach - y0
    # cells a quarter of the radius wide, or wider where the grid would outgrow the households
    side = max(radius_m / 4, np.sqrt(span_x * span_y / max(4 * len(hx), 1 << 20)), 1e-3)
    width, height = int(span_x // side) + 1, int(span_y // side) + 1
    cells = _reached_cells(bx, by, x0, y0, side, width, height, reach)
    burglary_of_entry = np.repeat(np.arange(len(bx)), np.diff(cells.offsets))
    by_cell = np.argsort(cells.codes, kind="stable")  # within a cell, the burglaries in the given order
    listed = burglary_of_entry[by_cell]
    per_cell = np.bincount(cells.codes, minlength=width * height + 1)  # the last cell: outside the grid
    first = np.cumsum(per_cell) - per_cell

    inside = np.flatnonzero((hx >= x0) & (hx < x0 + width * side) & (hy >= y0) & (hy < y0 + height * side))
    cell = np.full(len(hx), width * height, dtype=np.int64)
    column = np.minimum(((hx[inside] - x0) // side).astype(np.int64), width - 1)
    cell[inside] = np.minimum(((hy[inside] - y0) // side).astype(np.int64), height - 1) * width + column
    counts = per_cell[cell]
    total = int(counts.sum())
    if total == 0:
        return None
    entry = np.repeat(first[cell] - (np.cumsum(counts) - counts), counts) + np.arange(total)
    b = listed[entry]
    h = np.repeat(np.arange(len(hx)), counts)
    dx, dy = hx[h] - bx[b], hy[h] - by[b]
    squared = dx * dx + dy * dy
    kept = np.flatnonzero(squared <= radius_m * radius_m)
    if len(kept) == 0:
        return None
    b, h, squared = b[kept], h[kept], squared[kept]
    d = np.hypot(dx[kept], dy[kept])
    # Dense numbering of the households in reach: h ascends, so a running count.
    new = np.concatenate([[True], h[1:] != h[:-1]])
    local = np.cumsum(new) - 1
    nearest_h, nearest_d = _nearest(b, h, squared, len(bx), k, radius_m if near_m is None else near_m)
    return Pairs(
        b=b,
        h=h,
        d=d,
        present=h[new],
        local=local,
        starts=np.flatnonzero(new),
        nearest_h=nearest_h,
        nearest_d=nearest_d,
    )


@dataclass
class _Cells:
    codes: np.ndarray
    """The grid cells reached, burglary by burglary."""
    offsets: np.ndarray
    """Where each burglary's cells start in ``codes`` (and, last, their count)."""


def _reached_cells(
    bx: np.ndarray, by: np.ndarray, x0: float, y0: float, side: float, width: int, height: int, reach: float
) -> _Cells:
    """The cells of the grid (cells of ``side`` from (x0, y0), ``width`` x ``height``) that a circle
    of ``reach`` around each burglary touches: row by row, the columns under its chord."""
    rows = int(2 * reach // side) + 2
    row = ((by - reach - y0) // side).astype(np.int64)[:, None] + np.arange(rows)
    gap = np.maximum(np.maximum(y0 + row * side - by[:, None], by[:, None] - (y0 + (row + 1) * side)), 0.0)
    half = np.sqrt(np.maximum(reach * reach - gap * gap, 0.0)) * (1 + 1e-9) + 1e-6
    c0 = np.maximum(((bx[:, None] - half - x0) // side).astype(np.int64), 0)
    c1 = np.minimum(((bx[:, None] + half - x0) // side).astype(np.int64), width - 1)
    n = np.where((gap <= reach) & (row >= 0) & (row < height) & (c0 <= c1), c1 - c0 + 1, 0)
    flat = n.ravel()
    total = int(flat.sum())
    codes = np.repeat((row * width + c0).ravel() - (np.cumsum(flat) - flat), flat) + np.arange(total)
    return _Cells(codes=codes, offsets=np.concatenate([[0], np.cumsum(n.sum(axis=1))]))


def _nearest(
    b: np.ndarray, h: np.ndarray, squared: np.ndarray, burglaries: int, k: int, near_m: float
) -> tuple[np.ndarray, np.ndarray]:
    """Per burglary, its ``k`` nearest households within ``near_m`` among the pairs (-1 where
    fewer) and their distances (inf where fewer); equally near ones by household index."""
    close = np.flatnonzero(squared <= (near_m * (1 + 1e-9)) ** 2)  # a hair wider: rounding cannot drop one
    order = close[np.lexsort((h[close], squared[close], b[close]))]
    ob = b[order]
    starts = np.concatenate([[0], np.flatnonzero(ob[1:] != ob[:-1]) + 1])
    rank = np.arange(len(order)) - np.repeat(starts, np.diff(np.append(starts, len(order))))
    taken = rank < k
    nearest_h = np.full((burglaries, k), -1, dtype=np.int64)
    nearest_d = np.full((burglaries, k), np.inf)
    nearest_h[ob[taken], rank[taken]] = h[order[taken]]
    nearest_d[ob[taken], rank[taken]] = np.sqrt(squared[order[taken]])
    return nearest_h, nearest_d
