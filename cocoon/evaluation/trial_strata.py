"""Which stratum a burglary of a trial falls in: its area (a grid cell) and its zone's history.

- **area**: the grid of ``area_km`` cells laid, when the trial starts, over the burglaries then in
  the store (in one metric CRS, kept with the design); a burglary outside it is in ``outside``;
- **history**: the store's burglaries within the zone's radius in the 365 days before the report
  (none, 1-2, 3 or more), counted from what the store holds when the burglary is assigned.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from cocoon.evaluation.trial_allocation import OUTSIDE, Design, cell_name, history_level
from cocoon.geo.crs import choose_metric_crs

PRIOR_DAYS = 365


def _metric(lon: np.ndarray, lat: np.ndarray, crs: str) -> tuple[np.ndarray, np.ndarray]:
    from pyproj import Transformer

    x, y = Transformer.from_crs(4326, crs, always_xy=True).transform(lon, lat)
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float)


def metric_crs_for(lon: np.ndarray, lat: np.ndarray) -> str:
    """A metric CRS for points at ``lon``, ``lat`` (the local UTM zone, or SWEREF 99 TM in Sweden)."""
    crs = choose_metric_crs((float(lon.min()), float(lat.min()), float(lon.max()), float(lat.max())))
    return crs.to_string()


def area_grid(lon: np.ndarray, lat: np.ndarray, area_km: float) -> tuple[str, tuple[float, float], tuple[int, int]]:
    """The grid over the points: its CRS, west/south origin (metres) and columns × rows."""
    crs = metric_crs_for(lon, lat)
    x, y = _metric(lon, lat, crs)
    cell = area_km * 1000
    x0, y0 = math.floor(x.min() / cell) * cell, math.floor(y.min() / cell) * cell
    columns = max(1, math.ceil((x.max() - x0) / cell + 1e-9))
    rows = max(1, math.ceil((y.max() - y0) / cell + 1e-9))
    return crs, (x0, y0), (columns, rows)


def strata_of(new: pd.DataFrame, every: pd.DataFrame, design: Design) -> list[str]:
    """The stratum of each burglary of ``new`` (burglary_id, reported, lon, lat); ``every`` holds
    all the store's burglaries (the same columns), for the history stratum."""
    if not len(new):
        return []
    crs = design.area_crs or metric_crs_for(every["lon"].to_numpy(float), every["lat"].to_numpy(float))
    x, y = _metric(new["lon"].to_numpy(float), new["lat"].to_numpy(float), crs)
    parts: list[list[str]] = []
    if "area" in design.strata:
        cell = design.area_km * 1000
        column = np.floor((x - design.area_origin[0]) / cell).astype(int)
        row = np.floor((y - design.area_origin[1]) / cell).astype(int)
        columns, rows = design.area_cells
        inside = (column >= 0) & (column < columns) & (row >= 0) & (row < rows)
        parts.append(
            [f"area {cell_name(c, r) if ok else OUTSIDE}" for c, r, ok in zip(column, row, inside, strict=True)]
        )
    if "history" in design.strata:
        from sklearn.neighbors import KDTree

        ex, ey = _metric(every["lon"].to_numpy(float), every["lat"].to_numpy(float), crs)
        times = pd.to_datetime(every["reported"]).to_numpy()
        tree = KDTree(np.column_stack([ex, ey]))
        near = tree.query_radius(np.column_stack([x, y]), r=design.radius_m)
        reported = pd.to_datetime(new["reported"]).to_numpy()
        ids = every["burglary_id"].astype(str).to_numpy()
        levels = []
        for k, found in enumerate(near):
            before = times[found]
            lag = reported[k] - before
            prior = (
                (lag > np.timedelta64(0, "s"))
                & (lag <= np.timedelta64(PRIOR_DAYS, "D"))
                & (ids[found] != str(new["burglary_id"].iloc[k]))
            )
            levels.append(f"history {history_level(int(prior.sum()))}")
        parts.append(levels)
    if not parts:
        return ["all"] * len(new)
    return [", ".join(p) for p in zip(*parts, strict=True)]
