"""Warning signs: where to put them up in each zone, and when to take them down.

A sign zone is one connected part of the union of the active zones (overlapping circles make
one zone). Candidate sites, from the walking network when there is one:

- **entry**: where a footpath or street enters the zone (the first network node inside it);
- **junction**: a network node inside the zone where three or more ways meet;
- **building**: without a network, the households themselves (building centroids).

In each zone, sites are chosen greedily to cover the most risk (priority) of the households
within sight distance, skipping sites too close to one already chosen, until the zone has
its number of signs (``households_per_sign`` households per sign, between ``min_per_zone`` and
``max_per_zone``) or no site adds anything. Signs go up on the plan date and come down at the
end of the elevated window of the zone's latest burglary (or of its high-risk window).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from cocoon.geo.crs import to_lonlat
from cocoon.settings import SignSettings

if TYPE_CHECKING:
    import geopandas as gpd
    import shapely

    from cocoon.geo.walking import WalkingNetwork
    from cocoon.risk.daily_plan import Plan

SIGN_COLUMNS = [
    "sign_id",
    "zone",
    "kind",
    "lon",
    "lat",
    "households_covered",
    "dwellings_covered",
    "risk_covered",
    "up",
    "down",
    "burglaries",
]


def sign_zones(zones: gpd.GeoDataFrame) -> list[dict[str, Any]]:
    """Connected parts of the active zones, each with its burglaries and their latest windows."""
    import shapely

    if len(zones) == 0:
        return []
    union = shapely.union_all(zones.geometry.values)
    parts = list(union.geoms) if hasattr(union, "geoms") else [union]
    result = []
    for k, part in enumerate(sorted(parts, key=lambda p: (-p.area, p.centroid.x)), start=1):
        inside = zones[zones.geometry.intersects(part.buffer(-0.01))]
        result.append(
            {
                "zone": k,
                "geometry": part,
                "burglaries": sorted(map(str, inside["burglary_id"])),
                "end": max(pd.to_datetime(inside["end"])).date(),
                "high_until": max(pd.to_datetime(inside["high_until"])).date(),
            }
        )
    return result


def candidate_sites(
    zone: shapely.Geometry, network: WalkingNetwork | None, households_xy: np.ndarray
) -> tuple[np.ndarray, list[str]]:
    """Candidate sign sites in one zone: network entries and junctions, or building centroids."""
    import shapely

    if network is None:
        inside = shapely.contains_xy(zone, households_xy[:, 0], households_xy[:, 1])
        return households_xy[inside], ["building"] * int(inside.sum())
    graph = network.graph.tocoo()
    inside = shapely.contains_xy(zone, network.x, network.y)
    a, b = graph.row, graph.col
    entry = np.unique(np.r_[a[inside[a] & ~inside[b]], b[inside[b] & ~inside[a]]])
    degree = np.bincount(a, minlength=len(network.x))
    junction = np.setdiff1d(np.flatnonzero(inside & (degree >= 3)), entry)
    nodes = np.r_[entry, junction].astype(int)
    kinds = ["entry"] * len(entry) + ["junction"] * len(junction)
    if len(nodes) == 0:
        return candidate_sites(zone, None, households_xy)
    return np.column_stack([network.x[nodes], network.y[nodes]]), kinds


def choose_sites(
    sites: np.ndarray, households_xy: np.ndarray, weight: np.ndarray, *, count: int, sight_m: float, spacing_m: float
) -> list[tuple[int, np.ndarray]]:
    """Greedy maximum coverage: (site index, households it newly covers), best first."""
    from scipy.spatial import cKDTree

    if len(sites) == 0 or len(households_xy) == 0:
        return []
    seen = cKDTree(households_xy).query_ball_point(sites, r=sight_m)
    covered = np.zeros(len(households_xy), dtype=bool)
    chosen: list[tuple[int, np.ndarray]] = []
    for _ in range(count):
        best, best_gain = -1, 0.0
        for k, near in enumerate(seen):
            if any(math.hypot(*(sites[k] - sites[c])) < spacing_m for c, _ in chosen):
                continue
            idx = np.asarray(near, dtype=int)
            gain = float(weight[idx[~covered[idx]]].sum()) if len(idx) else 0.0
            if gain > best_gain + 1e-12:
                best, best_gain = k, gain
        if best < 0:
            break
        idx = np.asarray(seen[best], dtype=int)
        new = idx[~covered[idx]]
        covered[new] = True
        chosen.append((best, new))
    return chosen


def plan_signs(
    plan: Plan, *, settings: SignSettings, network: WalkingNetwork | None = None
) -> tuple[pd.DataFrame, list[tuple[str, dict[str, Any]]]]:
    """Sign sites of every zone with their dates (metric x/y and lon/lat), and notes on zones
    where no site keeps victims' homes out of its nearest households (those get no sign)."""
    import shapely

    visits = plan.visits
    xy = (
        np.column_stack([visits["x"].to_numpy(dtype=float), visits["y"].to_numpy(dtype=float)])
        if len(visits)
        else np.empty((0, 2))
    )
    weight = visits["priority"].to_numpy(dtype=float) if len(visits) else np.empty(0)
    dwellings = visits["dwellings"].to_numpy(dtype=float) if len(visits) else np.empty(0)
    rows = []
    notes: list[tuple[str, dict[str, Any]]] = []
    rule = plan.privacy_rule
    for zone in sign_zones(plan.zones):
        inside = shapely.contains_xy(zone["geometry"], xy[:, 0], xy[:, 1]) if len(xy) else np.zeros(0, dtype=bool)
        count = int(
            min(
                settings.max_per_zone,
                max(settings.min_per_zone, math.ceil(inside.sum() / settings.households_per_sign)),
            )
        )
        sites, kinds = candidate_sites(zone["geometry"], network, xy)
        clear = rule.clear(sites)
        if len(sites) and not clear.any():
            notes.append(("signs.no_clear_site", {"zone": zone["zone"], "k": rule.k}))
        sites, kinds = sites[clear], [kind for kind, ok in zip(kinds, clear, strict=True) if ok]
        members = np.flatnonzero(inside)
        picked = choose_sites(
            sites, xy[members], weight[members], count=count, sight_m=settings.sight_m, spacing_m=settings.min_spacing_m
        )
        down = zone["high_until"] if settings.take_down == "high" else zone["end"]
        for site, newly in picked:
            covered = members[newly]
            rows.append(
                {
                    "zone": zone["zone"],
                    "kind": kinds[site],
                    "x": float(sites[site][0]),
                    "y": float(sites[site][1]),
                    "households_covered": len(covered),
                    "dwellings_covered": int(dwellings[covered].sum()),
                    "risk_covered": round(float(weight[covered].sum()), 1),
                    "up": plan.date.isoformat(),
                    "down": down.isoformat(),
                    "burglaries": ";".join(zone["burglaries"]),
                }
            )
    table = pd.DataFrame(
        rows,
        columns=[
            "zone",
            "kind",
            "x",
            "y",
            "households_covered",
            "dwellings_covered",
            "risk_covered",
            "up",
            "down",
            "burglaries",
        ],
    )
    table.insert(
        0, "sign_id", [f"S{z}-{k}" for z, k in zip(table["zone"], table.groupby("zone").cumcount() + 1, strict=True)]
    )
    lon, lat = to_lonlat(table["x"].to_numpy(dtype=float), table["y"].to_numpy(dtype=float), plan.crs)
    table.insert(3, "lon", np.round(lon, 6))
    table.insert(4, "lat", np.round(lat, 6))
    return table, notes
