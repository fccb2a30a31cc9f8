"""GeoJSON in WGS 84 longitude/latitude (RFC 7946): zones, outlines, route lines and signs.

All distances were computed in the plan's metric CRS, which the collection names.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pandas as pd

from cocoon.geo.crs import WGS84
from cocoon.publish.files import json_value

if TYPE_CHECKING:
    import geopandas as gpd
    from pyproj import CRS

    from cocoon.risk.daily_plan import Plan


ZONE_PROPERTIES = ["burglary_id", "phase", "start", "high_until", "end", "days_left", "age_days", "radius_m", "address"]
ROUTE_PROPERTIES = ["officer", "stops", "dwellings", "walk_m", "minutes", "back_at"]
SIGN_PROPERTIES = ["sign_id", "zone", "kind", "households_covered", "dwellings_covered", "up", "down"]


def features(gdf: gpd.GeoDataFrame, properties: list[str], **constant: Any) -> list[str]:
    """GeoJSON features (as JSON text) in WGS 84 with the given properties."""
    import shapely

    if len(gdf) == 0:
        return []
    lonlat = gdf.to_crs(WGS84) if not gdf.crs.equals(WGS84) else gdf
    geometries = shapely.to_geojson(lonlat.geometry.values)
    columns = [c for c in properties if c in gdf.columns]
    rows = gdf[columns].to_dict("records")
    return [
        '{"type": "Feature", "properties": '
        + json.dumps({**constant, **{k: json_value(v) for k, v in row.items()}}, ensure_ascii=False)
        + ', "geometry": '
        + geometry
        + "}"
        for row, geometry in zip(rows, geometries, strict=True)
    ]


def zones_geojson(plan: Plan, route_lines: gpd.GeoDataFrame | None = None) -> str:
    """Each active zone, the merged outline of each phase, and each officer's route line when
    routed (``layer`` tells them apart)."""
    items = features(plan.zones, ZONE_PROPERTIES, layer="zone")
    items += features(plan.outlines, ["phase", "burglaries", "days_left", "area_km2"], layer="outline")
    if route_lines is not None:
        items += features(route_lines, ROUTE_PROPERTIES, layer="route")
    head = json.dumps(
        {"type": "FeatureCollection", "name": "zones", "plan_date": plan.date.isoformat(), "metric_crs": plan.crs_label}
    )[:-1]
    return head + ', "features": [\n' + ",\n".join(items) + "\n]}\n"


def signs_geojson(signs: pd.DataFrame, crs: CRS) -> str:
    """Sign sites as points, without the burglaries behind them."""
    import geopandas as gpd

    frame = gpd.GeoDataFrame(
        signs.drop(columns=["burglaries"]), geometry=gpd.points_from_xy(signs["x"], signs["y"]), crs=crs
    )
    items = features(frame, SIGN_PROPERTIES, layer="sign")
    return '{"type": "FeatureCollection", "name": "signs", "features": [\n' + ",\n".join(items) + "\n]}\n"
