"""A square grid over the study area: where areas are counted and where the baselines rank cells.

Cells are numbered row by row over the study area's bounding box, padded so that every disc or
kernel around an event stays on the grid. A cell belongs to the study area when its centre does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import shapely


@dataclass(frozen=True)
class Grid:
    x0: float
    y0: float
    cell: float
    nx: int
    ny: int
    inside: np.ndarray
    """True for the cells of the study area (flat, row by row)."""

    @property
    def size(self) -> int:
        return self.nx * self.ny

    @property
    def n_inside(self) -> int:
        return int(self.inside.sum())

    def cell_of(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        col = np.floor((np.asarray(x) - self.x0) / self.cell).astype(np.int64)
        row = np.floor((np.asarray(y) - self.y0) / self.cell).astype(np.int64)
        return row * self.nx + col

    def centres(self, cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        row, col = np.divmod(np.asarray(cells), self.nx)
        return self.x0 + (col + 0.5) * self.cell, self.y0 + (row + 0.5) * self.cell


def make_grid(area: shapely.Geometry, cell: float, pad: float) -> Grid:
    """A grid over the polygon ``area`` (metric CRS), padded by ``pad`` metres on every side."""
    import shapely

    west, south, east, north = area.bounds
    margin = (int(np.ceil(pad / cell)) + 1) * cell
    x0, y0 = np.floor((west - margin) / cell) * cell, np.floor((south - margin) / cell) * cell
    nx = int(np.ceil((east + margin - x0) / cell))
    ny = int(np.ceil((north + margin - y0) / cell))
    cols, rows = np.meshgrid(np.arange(nx), np.arange(ny))
    cx, cy = x0 + (cols.ravel() + 0.5) * cell, y0 + (rows.ravel() + 0.5) * cell
    shapely.prepare(area)
    inside = shapely.contains_xy(area, cx, cy)
    return Grid(x0=float(x0), y0=float(y0), cell=float(cell), nx=nx, ny=ny, inside=np.asarray(inside))


def kernel(grid: Grid, reach_cells: float) -> tuple[np.ndarray, np.ndarray]:
    """Flat offsets of the cells whose centre is less than ``reach_cells`` cells from a cell's centre,
    with that distance in cells."""
    m = int(np.ceil(reach_cells))
    dr, dc = np.meshgrid(np.arange(-m, m + 1), np.arange(-m, m + 1), indexing="ij")
    d = np.hypot(dr, dc).ravel()
    keep = d < reach_cells
    return (dr.ravel() * grid.nx + dc.ravel())[keep], d[keep]


def discs(
    grid: Grid, x: np.ndarray, y: np.ndarray, radius: float, *, chunk: int = 4096
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The cells whose centre lies within ``radius`` metres of each point, as (start, cells, distances):
    the cells of point i are ``cells[start[i]:start[i + 1]]``."""
    m = int(np.ceil(radius / grid.cell)) + 1
    dr, dc = np.meshgrid(np.arange(-m, m + 1), np.arange(-m, m + 1), indexing="ij")
    offsets = (dr.ravel() * grid.nx + dc.ravel()).astype(np.int64)
    home = grid.cell_of(x, y)
    parts, dists, counts = [], [], []
    for lo in range(0, len(x), chunk):
        hi = min(lo + chunk, len(x))
        cells = home[lo:hi, None] + offsets[None, :]
        cx, cy = grid.centres(cells)
        d = np.hypot(cx - x[lo:hi, None], cy - y[lo:hi, None])
        keep = d <= radius
        parts.append(cells[keep].astype(np.int32 if grid.size < 2**31 else np.int64))
        dists.append(d[keep].astype(np.float32))
        counts.append(keep.sum(axis=1))
    start = np.concatenate([[0], np.cumsum(np.concatenate(counts) if counts else [])]).astype(np.int64)
    empty = np.empty(0, dtype=np.int32)
    return start, (np.concatenate(parts) if parts else empty), (np.concatenate(dists) if dists else empty)


def ring_shares(grid: Grid, distance_m: np.ndarray, samples: int = 8) -> tuple[np.ndarray, np.ndarray]:
    """How each ring around a point at a cell's centre spreads over the cells nearby.

    Returns (flat offsets, shares[ring, offset]); each ring's shares sum to 1. Measured on
    ``samples`` x ``samples`` points per cell."""
    m = int(np.ceil(distance_m[-1] / grid.cell)) + 1
    step = grid.cell / samples
    sub = (np.arange(samples) + 0.5) * step - grid.cell / 2
    dr, dc = np.meshgrid(np.arange(-m, m + 1), np.arange(-m, m + 1), indexing="ij")
    offsets = (dr.ravel() * grid.nx + dc.ravel()).astype(np.int64)
    sy, sx = np.meshgrid(sub, sub, indexing="ij")
    px = dc.ravel()[:, None] * grid.cell + sx.ravel()[None, :]
    py = dr.ravel()[:, None] * grid.cell + sy.ravel()[None, :]
    ring = np.searchsorted(distance_m, np.hypot(px, py), side="left")  # len(distance_m): beyond reach
    shares = np.zeros((len(distance_m), len(offsets)))
    for k in range(len(distance_m)):
        counts = (ring == k).sum(axis=1).astype(float)
        if counts.sum() == 0:  # a ring thinner than the sampling: all of it in the home cell
            counts[len(offsets) // 2] = 1.0
        shares[k] = counts / counts.sum()
    keep = shares.sum(axis=0) > 0
    return offsets[keep], shares[:, keep]
