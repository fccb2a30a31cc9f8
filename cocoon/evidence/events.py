"""Burglaries as events for calibrate and backtest: points in one metric CRS, and whole days."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from pyproj import CRS

from cocoon.catalogue import text
from cocoon.errors import InputError
from cocoon.geo.crs import choose_metric_crs, crs_label, is_lonlat, is_metric, lonlat_bounds

if TYPE_CHECKING:
    import geopandas as gpd


@dataclass
class Events:
    """Burglaries as points in one metric CRS and whole days."""

    x: np.ndarray
    y: np.ndarray
    day: np.ndarray
    """Days since ``first``."""
    first: dt.date
    last: dt.date
    crs: str
    """The metric CRS, as a label ("EPSG:26971 (...)" or "metres (CRS not named)")."""
    metric_crs: CRS | None
    """The metric CRS; None when x/y are metres in a CRS nobody named."""
    windows: int
    """Burglaries with a from/to window (they count on the day ``day_rule`` picks)."""
    left_out: int
    """Burglaries outside the --from/--to period."""
    ids: np.ndarray
    """The burglaries' ids, in the same order."""
    notes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def crs_label(self, lang: str) -> str:
        """:attr:`crs` for people reading ``lang``."""
        return self.crs if self.metric_crs is not None else text("events.unnamed_crs", lang)


def burglary_events(
    burglaries: gpd.GeoDataFrame,
    *,
    source: str,
    requested_crs: CRS | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    day_rule: str = "middle",
) -> Events:
    """Project to one metric CRS, take each burglary's day and keep those in [start, end].

    ``day_rule`` picks the day of a from/to window: "middle" (rounded down) or "last" (the day
    it was found, the first day anyone could act on it).
    """
    if start is not None and end is not None and start > end:
        raise InputError("events.period_reversed", start=start.isoformat(), end=end.isoformat())
    metric = None
    notes: list[tuple[str, dict[str, Any]]] = []
    x = burglaries.geometry.x.to_numpy(dtype=float)
    y = burglaries.geometry.y.to_numpy(dtype=float)
    if burglaries.crs is None:
        if len(x) and is_lonlat(x, y).all():
            raise InputError("events.looks_like_lonlat", file=source)
        if requested_crs is not None:
            raise InputError("events.crs_unnamed", file=source)
        label = "metres (CRS not named)"
        notes.append(("notes.metres_unnamed_crs", {"file": source}))
    else:
        native = CRS.from_user_input(burglaries.crs)
        if is_metric(native) and (requested_crs is None or requested_crs.equals(native)):
            metric = native
        else:
            metric = choose_metric_crs(lonlat_bounds(burglaries), requested=requested_crs, native=native)
            projected = burglaries.to_crs(metric)
            x, y = projected.geometry.x.to_numpy(dtype=float), projected.geometry.y.to_numpy(dtype=float)
            if native.is_geographic:
                notes.append(("notes.projected", {"file": source, "crs": crs_label(metric)}))
        label = crs_label(metric)
    first = pd.to_datetime(burglaries["first_day"]).to_numpy("datetime64[D]")
    last = pd.to_datetime(burglaries["last_day"]).to_numpy("datetime64[D]")
    width = (last - first).astype(np.int64)
    middle = first + (width // 2).astype("timedelta64[D]") if day_rule == "middle" else last
    keep = np.ones(len(middle), dtype=bool)
    if start is not None:
        keep &= middle >= np.datetime64(start, "D")
    if end is not None:
        keep &= middle <= np.datetime64(end, "D")
    if keep.sum() < 2:
        raise InputError(
            "events.too_few_in_period", file=source, n=int(keep.sum()), start=str(start or "…"), end=str(end or "…")
        )
    days = middle[keep]
    origin = days.min()
    return Events(
        x=x[keep],
        y=y[keep],
        day=(days - origin).astype(np.int64),
        first=origin.astype(dt.date),
        last=days.max().astype(dt.date),
        crs=label,
        metric_crs=metric,
        windows=int((width[keep] > 0).sum()),
        left_out=int((~keep).sum()),
        ids=burglaries["burglary_id"].to_numpy(dtype=object)[keep],
        notes=notes,
    )
