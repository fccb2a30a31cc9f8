"""One metric CRS for every distance, chosen or checked where data come in.

The rule: the CRS the user names (it must be projected, in metres); otherwise the data's own
CRS when that is already projected in metres; otherwise SWEREF 99 TM (EPSG:3006) for data in
Sweden, or the local UTM zone anywhere else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike
from pyproj import CRS, Geod, Transformer
from pyproj.aoi import AreaOfInterest
from pyproj.database import query_utm_crs_info

from cocoon.errors import SettingsError

if TYPE_CHECKING:
    import geopandas as gpd

WGS84 = CRS.from_epsg(4326)
SWEREF99TM = CRS.from_epsg(3006)
_GEOD = Geod(ellps="WGS84")

Bounds = tuple[float, float, float, float]
"""(west, south, east, north) in degrees of longitude and latitude."""


def parse_crs(text: str, *, what: str = "--crs") -> CRS:
    """A CRS from "EPSG:3006", "3006" or any text pyproj accepts; a clear error otherwise."""
    value = text.strip()
    if value.isdigit():
        value = f"EPSG:{value}"
    try:
        return CRS.from_user_input(value)
    except Exception:  # pyproj raises CRSError, and others for odd input
        raise SettingsError("crs.unknown", what=what, value=text) from None


def is_metric(crs: CRS) -> bool:
    """Projected with axes in metres."""
    if not crs.is_projected:
        return False
    units = {axis.unit_name.lower() for axis in crs.axis_info}
    return bool(units) and units <= {"metre", "meter", "metres", "meters"}


def require_metric(crs: CRS, *, what: str) -> CRS:
    """``crs`` when it is projected in metres; a clear error otherwise."""
    if not is_metric(crs):
        raise SettingsError("crs.not_metric", what=what, crs=crs.to_string())
    return crs


def area_bounds(crs: CRS) -> Bounds | None:
    """Where ``crs`` may be used, in degrees (from the EPSG database); None when unknown."""
    area = crs.area_of_use
    return None if area is None else (area.west, area.south, area.east, area.north)


def choose_metric_crs(bounds: Bounds, *, requested: CRS | None = None, native: CRS | None = None) -> CRS:
    """The metric CRS for data within ``bounds`` (west, south, east, north in degrees)."""
    if requested is not None:
        return require_metric(requested, what="crs")
    if native is not None and is_metric(native):
        return native
    west, south, east, north = bounds
    sweden = area_bounds(SWEREF99TM)
    assert sweden is not None  # the EPSG database gives every national CRS an area
    if west >= sweden[0] and south >= sweden[1] and east <= sweden[2] and north <= sweden[3]:
        return SWEREF99TM
    lon, lat = (west + east) / 2, (south + north) / 2
    infos = query_utm_crs_info(datum_name="WGS 84", area_of_interest=AreaOfInterest(lon, lat, lon, lat))
    if not infos:  # pragma: no cover - every point on Earth has a UTM zone in the database
        raise SettingsError("crs.no_utm", lon=lon, lat=lat)
    return CRS.from_epsg(int(infos[0].code))


def crs_label(crs: CRS) -> str:
    """"EPSG:3006 (SWEREF99 TM)" for outputs, summaries and messages."""
    code = crs.to_epsg()
    return f"EPSG:{code} ({crs.name})" if code else crs.name


def is_lonlat(lon: ArrayLike, lat: ArrayLike) -> np.ndarray:
    """True where a pair could be degrees: finite, longitude within ±180 and latitude within ±90."""
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    return np.isfinite(lon) & np.isfinite(lat) & (np.abs(lon) <= 180) & (np.abs(lat) <= 90)


def to_lonlat(x: ArrayLike, y: ArrayLike, crs: CRS) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates in ``crs`` as longitude and latitude (WGS 84)."""
    if crs.equals(WGS84):
        return np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    transformer = Transformer.from_crs(crs, WGS84, always_xy=True)
    lon, lat = transformer.transform(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
    return np.asarray(lon), np.asarray(lat)


def lonlat_bounds(*frames: gpd.GeoDataFrame | None) -> Bounds:
    """Longitude/latitude box around all the frames (their own boxes, transformed with densified edges)."""
    boxes = []
    for gdf in frames:
        if gdf is not None and len(gdf):
            box = gdf.total_bounds
            crs = CRS.from_user_input(gdf.crs)
            if not crs.equals(WGS84):
                box = Transformer.from_crs(crs, WGS84, always_xy=True).transform_bounds(box[0], box[1], box[2], box[3],
                                                                                     densify_pts=21)
            boxes.append(box)
    if not boxes:
        return (0.0, 0.0, 0.0, 0.0)
    arr = np.array(boxes)
    return (float(arr[:, 0].min()), float(arr[:, 1].min()), float(arr[:, 2].max()), float(arr[:, 3].max()))


def metres_apart(lon: ArrayLike, lat: ArrayLike, lon0: float, lat0: float) -> np.ndarray:
    """Distance in metres on the WGS 84 ellipsoid from each point to (lon0, lat0)."""
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    _, _, distance = _GEOD.inv(lon, lat, np.full(lon.shape, lon0), np.full(lat.shape, lat0))
    return np.asarray(distance)


def outside_area_of_use(lon: ArrayLike, lat: ArrayLike, crs: CRS, *, margin_deg: float = 1.0) -> np.ndarray:
    """True where a point (already in lon/lat) lies outside ``crs``'s area of use, or is not degrees."""
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    bad = ~is_lonlat(lon, lat)
    area = area_bounds(crs)
    if area is None:
        return bad
    west, south, east, north = area
    if west > east:  # crosses the antimeridian
        inside_lon = (lon >= west - margin_deg) | (lon <= east + margin_deg)
    else:
        inside_lon = (lon >= west - margin_deg) & (lon <= east + margin_deg)
    inside = inside_lon & (lat >= south - margin_deg) & (lat <= north + margin_deg)
    return bad | ~inside
