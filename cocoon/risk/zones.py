"""Risk zones on a plan date: which burglaries are active, in which phase, until when.

Age is counted in whole days from the burglary's latest possible day (the "to" day of a
from/to window) to the plan date D. With the defaults:

======== ==========
age      phase
======== ==========
0-14     high risk
15-56    elevated
57+      expired
======== ==========

A burglary is active from its earliest possible day (``start``) to ``end`` = latest day +
high_days + elevated_days; ``high_until`` is the last day of the high-risk phase and
``days_left`` the days from D to ``end``.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from cocoon.settings import ZoneSettings

if TYPE_CHECKING:
    import geopandas as gpd

HIGH = "high"
ELEVATED = "elevated"
EXPIRED = "expired"
NOT_YET = "not_yet"
PHASES = (HIGH, ELEVATED)

#: Segments per quarter circle when zones are drawn: 16 keeps the outline within 0.2 % of the radius.
QUAD_SEGMENTS = 16


def burglary_windows(burglaries: pd.DataFrame, *, on: dt.date, zones: ZoneSettings) -> pd.DataFrame:
    """Per burglary: age_days, phase, start, high_until, end, days_left (same index)."""
    day = pd.Timestamp(on)
    first = pd.to_datetime(burglaries["first_day"])
    last = pd.to_datetime(burglaries["last_day"])
    age = (day - last).dt.days.to_numpy()
    started = (first <= day).to_numpy()
    phase = np.where(age <= zones.high_days, HIGH, np.where(age <= zones.active_days, ELEVATED, EXPIRED))
    phase = np.where(started & (age >= 0), phase, NOT_YET)
    end = last + pd.Timedelta(days=zones.active_days)
    return pd.DataFrame(
        {
            "age_days": age,
            "phase": phase,
            "start": first.dt.date,
            "high_until": (last + pd.Timedelta(days=zones.high_days)).dt.date,
            "end": end.dt.date,
            "days_left": (end - day).dt.days.to_numpy(),
        },
        index=burglaries.index,
    )


def active_zones(burglaries: gpd.GeoDataFrame, *, on: dt.date, zones: ZoneSettings) -> gpd.GeoDataFrame:
    """One zone per active burglary: a circle of ``radius_m`` around it, with its window.

    ``burglaries`` must be in a metric CRS. The result keeps the burglary's columns.
    """
    import geopandas as gpd

    windows = burglary_windows(burglaries, on=on, zones=zones)
    active = windows["phase"].isin(PHASES).to_numpy()
    base = burglaries[active]
    table = pd.concat([base.drop(columns="geometry"), windows[active]], axis=1)
    table["radius_m"] = zones.radius_m
    geometry = base.geometry.buffer(zones.radius_m, quad_segs=QUAD_SEGMENTS)
    order = np.lexsort((table["burglary_id"].astype(str).to_numpy(), table["age_days"].to_numpy()))
    result = gpd.GeoDataFrame(table, geometry=geometry.values, crs=burglaries.crs).iloc[order]
    return result.reset_index(drop=True)


def merged_outlines(zones_gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The union of the zones of each phase: what an officer sees as "the high-risk area"."""
    import geopandas as gpd
    import shapely

    rows = []
    for phase in PHASES:
        part = zones_gdf[zones_gdf["phase"] == phase]
        if len(part):
            rows.append(
                {
                    "phase": phase,
                    "burglaries": len(part),
                    "days_left": int(part["days_left"].max()),
                    "geometry": shapely.union_all(part.geometry.values),
                }
            )
    if not rows:
        return gpd.GeoDataFrame({"phase": [], "burglaries": [], "days_left": []}, geometry=[], crs=zones_gdf.crs)
    merged = gpd.GeoDataFrame(rows, geometry="geometry", crs=zones_gdf.crs)
    merged["area_km2"] = merged.geometry.area / 1e6
    return merged
