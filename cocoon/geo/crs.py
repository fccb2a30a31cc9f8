"""One metric CRS for every distance, chosen or checked where data come in.

The rule: the CRS the user names (it must be projected, in metres); otherwise the data's own
CRS when that is already projected in metres; otherwise SWEREF 99 TM (EPSG:3006) for data in
Sweden, or the local UTM zone anywhere else.
"""

from __future__ import annotations

import numpy as np
from pyproj import CRS, Transformer
from pyproj.aoi import AreaOfInterest
from pyproj.database import query_utm_crs_info

from cocoon.errors import SettingsError

WGS84 = CRS.from_epsg(4326)
SWEREF99TM = CRS.from_epsg(3006)
#: SWEREF 99 TM's area of use (lon/lat); data inside it are treated as Swedish.
SWEDEN_BOUNDS = (10.03, 54.96, 24.17, 69.07)


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
    if not is_metric(crs):
        raise SettingsError("crs.not_metric", what=what, crs=crs.to_string())
    return crs


def choose_metric_crs(lonlat_bounds: tuple[float, float, float, float], *, requested: CRS | None = None,
                      native: CRS | None = None) -> CRS:
    """The metric CRS for data within ``lonlat_bounds`` (min lon, min lat, max lon, max lat)."""
    if requested is not None:
        return require_metric(requested, what="crs")
    if native is not None and is_metric(native):
        return native
    west, south, east, north = lonlat_bounds
    sw, ss, se, sn = SWEDEN_BOUNDS
    if west >= sw and east <= se and south >= ss and north <= sn:
        return SWEREF99TM
    lon, lat = (west + east) / 2, (south + north) / 2
    infos = query_utm_crs_info(datum_name="WGS 84", area_of_interest=AreaOfInterest(lon, lat, lon, lat))
    if not infos:  # pragma: no cover - every point on Earth has a UTM zone in the database
        raise SettingsError("crs.no_utm", lon=lon, lat=lat)
    return CRS.from_epsg(int(infos[0].code))


def crs_label(crs: CRS) -> str:
    """"EPSG:3006 (SWEREF99 TM)" for outputs and summaries."""
    code = crs.to_epsg()
    return f"EPSG:{code} ({crs.name})" if code else crs.name


def to_lonlat(x: np.ndarray, y: np.ndarray, crs: CRS) -> tuple[np.ndarray, np.ndarray]:
    if crs.equals(WGS84):
        return np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    transformer = Transformer.from_crs(crs, WGS84, always_xy=True)
    lon, lat = transformer.transform(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
    return np.asarray(lon), np.asarray(lat)


def outside_area_of_use(lon: np.ndarray, lat: np.ndarray, crs: CRS, *, margin_deg: float = 1.0) -> np.ndarray:
    """True where a point (already in lon/lat) lies outside ``crs``'s area of use, or is not finite."""
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    bad = ~(np.isfinite(lon) & np.isfinite(lat)) | (np.abs(lat) > 90) | (np.abs(lon) > 180)
    area = crs.area_of_use
    if area is None:
        return bad
    west, south, east, north = area.bounds
    if west > east:  # crosses the antimeridian
        inside_lon = (lon >= west - margin_deg) | (lon <= east + margin_deg)
    else:
        inside_lon = (lon >= west - margin_deg) & (lon <= east + margin_deg)
    inside = inside_lon & (lat >= south - margin_deg) & (lat <= north + margin_deg)
    return bad | ~inside
