"""One metric CRS for every distance, chosen or checked where data come in.

The rule: the CRS the user names (it must be projected, in metres, and meant for the data's
area); otherwise the data's own CRS when that is already projected in metres; otherwise SWEREF
99 TM (EPSG:3006) for data in Sweden, or the local UTM zone anywhere else.

"In Sweden" is decided by an outline of the country, not by SWEREF 99 TM's box of use: that box
(10.03-24.17 E, 54.96-69.07 N) also holds Oslo, Copenhagen and Turku.
"""

from __future__ import annotations

import functools
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


SWEDEN = (
    (12.65, 56.05),
    (12.3, 56.35),
    (12.0, 56.8),
    (11.5, 57.3),
    (11.2, 57.7),
    (10.95, 58.4),
    (10.95, 58.95),
    (11.2, 59.05),
    (11.45, 59.02),
    (11.75, 59.3),
    (11.85, 59.75),
    (12.25, 59.9),
    (12.55, 60.4),
    (12.4, 60.95),
    (12.15, 61.5),
    (12.15, 62.2),
    (12.05, 62.9),
    (12.1, 63.3),
    (12.6, 63.9),
    (13.7, 64.6),
    (14.1, 65.1),
    (14.5, 65.8),
    (15.4, 66.3),
    (16.3, 67.0),
    (17.3, 68.1),
    (18.1, 68.45),
    (19.9, 68.35),
    (20.55, 69.06),
    (21.8, 68.6),
    (22.45, 68.45),
    (23.3, 68.0),
    (23.65, 67.3),
    (23.55, 66.8),
    (23.7, 66.4),
    (24.15, 65.85),
    (24.0, 65.3),
    (21.7, 64.2),
    (21.0, 63.5),
    (20.4, 62.9),
    (19.6, 61.8),
    (19.25, 60.6),
    (19.3, 60.0),
    (19.7, 59.5),
    (19.6, 58.5),
    (19.5, 57.0),
    (17.2, 55.9),
    (15.3, 55.65),
    (14.5, 55.45),
    (13.3, 55.25),
    (12.75, 55.3),
    (12.85, 55.6),
    (12.75, 55.8),
    (12.62, 55.92),
)
"""A coarse outline of Sweden with its coastal waters (longitude, latitude): within about 15 km
of the land borders with Norway and Finland, and the sea borders with Denmark, Finland (Åland)
and the Baltic states. Near a border either CRS measures well; it decides which is named."""


def in_sweden(lon: float, lat: float) -> bool:
    """Whether a point lies inside :data:`SWEDEN`."""
    import shapely

    return bool(shapely.contains_xy(_sweden(), lon, lat))


@functools.cache
def _sweden() -> object:
    import shapely

    shape = shapely.Polygon(SWEDEN)
    shapely.prepare(shape)
    return shape


REQUESTED_MARGIN_DEG = 3.0
"""A named metric CRS may be used this far (degrees) outside its area of use: half a UTM zone."""


def check_area(crs: CRS, bounds: Bounds, *, what: str) -> None:
    """Refuse a metric CRS meant for somewhere else than the data (EPSG:32611, California, for
    data in Helsinki): its distances there are far off, and it changes the door list."""
    area = area_bounds(crs)
    if area is None or bounds == (0.0, 0.0, 0.0, 0.0):
        return
    west, south, east, north = area
    m = REQUESTED_MARGIN_DEG
    if west > east:  # across the antimeridian: leave it to the database
        return
    if bounds[0] < west - m or bounds[2] > east + m or bounds[1] < south - m or bounds[3] > north + m:
        raise SettingsError(
            "crs.far_from_data",
            what=what,
            crs=crs_label(crs),
            area=f"{west:g}..{east:g} E, {south:g}..{north:g} N",
            data=f"{bounds[0]:.4g}..{bounds[2]:.4g} E, {bounds[1]:.4g}..{bounds[3]:.4g} N",
        )


def choose_metric_crs(
    bounds: Bounds, *, requested: CRS | None = None, native: CRS | None = None, what: str = "crs"
) -> CRS:
    """The metric CRS for data within ``bounds`` (west, south, east, north in degrees)."""
    if requested is not None:
        require_metric(requested, what=what)
        check_area(requested, bounds, what=what)
        return requested
    if native is not None and is_metric(native):
        return native
    west, south, east, north = bounds
    sweden = area_bounds(SWEREF99TM)
    assert sweden is not None  # the EPSG database gives every national CRS an area
    inside_box = west >= sweden[0] and south >= sweden[1] and east <= sweden[2] and north <= sweden[3]
    if inside_box and in_sweden((west + east) / 2, (south + north) / 2):
        return SWEREF99TM
    return utm_crs((west + east) / 2, (south + north) / 2)


def utm_crs(lon: float, lat: float) -> CRS:
    """The WGS 84 UTM zone at a point, from the PROJ database.

    The database's UTM areas are bounded by whole degrees (zones 6 degrees wide, the equator,
    84 degrees north), so every point of one whole-degree cell has the zone of the cell's middle.
    The query (about 0.15 s) is made once per cell: the demo and a plan ask for nearby points
    several times."""
    return _utm_of_cell(float(np.floor(lon)), float(np.floor(lat)))


@functools.lru_cache(maxsize=64)
def _utm_of_cell(west: float, south: float) -> CRS:
    lon, lat = west + 0.5, south + 0.5
    infos = query_utm_crs_info(datum_name="WGS 84", area_of_interest=AreaOfInterest(lon, lat, lon, lat))
    if not infos:  # pragma: no cover - every point on Earth has a UTM zone in the database
        raise SettingsError("crs.no_utm", lon=lon, lat=lat)
    return CRS.from_epsg(int(infos[0].code))


def crs_label(crs: CRS) -> str:
    """ "EPSG:3006 (SWEREF99 TM)" for outputs, summaries and messages."""
    code = crs.to_epsg()
    return f"EPSG:{code} ({crs.name})" if code else crs.name


def is_lonlat(lon: ArrayLike, lat: ArrayLike) -> np.ndarray:
    """True where a pair could be degrees: finite, longitude within ±180 and latitude within ±90."""
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    return np.asarray(np.isfinite(lon) & np.isfinite(lat) & (np.abs(lon) <= 180) & (np.abs(lat) <= 90))


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
                box = Transformer.from_crs(crs, WGS84, always_xy=True).transform_bounds(
                    box[0], box[1], box[2], box[3], densify_pts=21
                )
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
