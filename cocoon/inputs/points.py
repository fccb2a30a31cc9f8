"""Coordinates of input rows: lon/lat columns, x/y columns in a named CRS, or file geometry.

Checked on entry: missing or unreadable coordinates, points outside the area where their CRS
is valid, and latitude/longitude (or x/y) given the wrong way round.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

import numpy as np
from numpy.typing import ArrayLike
from pyproj import CRS

from cocoon.errors import InputError
from cocoon.geo.crs import WGS84, crs_label, metres_apart, outside_area_of_use, to_lonlat
from cocoon.inputs.columns import CoordinateColumns
from cocoon.inputs.rejects import Problems
from cocoon.inputs.tables import RawTable, find_column, to_numbers

LON_NAMES = ("lon", "lng", "long", "longitude", "longitud", "lon_wgs84", "wgs84_lon", "x_wgs84")
LAT_NAMES = ("lat", "latitude", "latitud", "lat_wgs84", "wgs84_lat", "y_wgs84")
X_NAMES = ("x", "easting", "east", "x_coord", "xcoord", "x_koordinat", "koordinat_x", "e", "x_sweref", "sweref_x")
Y_NAMES = ("y", "northing", "north", "y_coord", "ycoord", "y_koordinat", "koordinat_y", "n", "y_sweref", "sweref_y")

#: A point this far from the middle of the data whose swapped twin is near it was swapped.
SWAP_FAR_M = 300_000.0
SWAP_NEAR_M = 50_000.0


@dataclass
class Points:
    x: np.ndarray
    y: np.ndarray
    crs: CRS | None
    """None when x/y are metres in a CRS nobody named (allowed only where ``require_crs`` is off)."""
    columns: tuple[str, str]
    source_points: np.ndarray | None = None
    """The file's own point geometries, reused when every row is a point (None when the file's
    points were read as coordinates only, :attr:`RawTable.point_xy`)."""

    def geometry(self, keep: np.ndarray) -> ArrayLike:
        """Point geometries of the rows in ``keep``: the file's shapely points, or a geopandas GeometryArray."""
        import geopandas as gpd

        if self.source_points is not None:
            return np.asarray(self.source_points[keep])
        return cast(ArrayLike, gpd.points_from_xy(self.x[keep], self.y[keep]))


OPTIONS = {"lon": "--lon", "lat": "--lat", "x": "--x", "y": "--y", "crs": "--crs"}


def read_points(
    table: RawTable,
    problems: Problems,
    *,
    columns: CoordinateColumns,
    crs: CRS | None,
    require_crs: bool = True,
    options: dict[str, str] = OPTIONS,
) -> Points:
    """Coordinates of every row; problems are recorded, never dropped.

    ``options`` names the command-line options that set each column, for error messages.
    """
    lon_c = find_column(table, given=columns.lon, candidates=() if columns.x else LON_NAMES, option=options["lon"])
    lat_c = find_column(table, given=columns.lat, candidates=() if columns.y else LAT_NAMES, option=options["lat"])
    pair = lon_c and lat_c
    reuse = None
    x_c = find_column(table, given=columns.x, candidates=X_NAMES, option=options["x"]) if not pair else None
    y_c = find_column(table, given=columns.y, candidates=Y_NAMES, option=options["y"]) if not pair else None
    if lon_c and lat_c:
        x, y = _numbers(table, problems, lon_c, lat_c)
        source: CRS | None = WGS84
        names = (lon_c, lat_c)
    elif x_c and y_c:
        x, y = _numbers(table, problems, x_c, y_c)
        source = crs if crs is not None else table.crs
        if source is None and require_crs:
            raise InputError(
                "input.xy_needs_crs", file=table.name, x=x_c, y=y_c, crs_option=options.get("crs", "--crs")
            )
        names = (x_c, y_c)
    elif table.geometry is not None or table.point_xy is not None:
        if table.point_xy is not None:  # every geometry a point, its coordinates read with the file
            x, y = _read_xy(table.point_xy, problems)
        else:
            x, y = _geometry_xy(table, problems)
            assert table.geometry is not None  # the branch is for files with geometry
            geoms = np.asarray(table.geometry.values)
            import shapely

            reuse = geoms if bool(np.all(shapely.get_type_id(geoms) == 0)) else None
        source = table.crs if table.crs is not None else (crs or WGS84)
        if crs is not None and table.crs is not None and not CRS.from_user_input(table.crs).equals(crs):
            raise InputError(
                "input.crs_conflict",
                file=table.name,
                given=crs.to_string(),
                found=CRS.from_user_input(table.crs).to_string(),
            )
        names = ("geometry", "geometry")
    else:
        raise InputError(
            "input.no_coordinates",
            file=table.name,
            columns=", ".join(map(str, table.frame.columns)),
            lon=options["lon"],
            lat=options["lat"],
            x=options["x"],
            y=options["y"],
            crs_option=options.get("crs", "--crs"),
        )
    source = CRS.from_user_input(source) if source is not None else None
    if source is not None:
        _check_area(table, problems, x, y, source, names)
    return Points(x=x, y=y, crs=source, columns=names, source_points=reuse)


def _numbers(table: RawTable, problems: Problems, cx: str, cy: str) -> tuple[np.ndarray, np.ndarray]:
    x, x_bad = to_numbers(table.frame[cx])
    y, y_bad = to_numbers(table.frame[cy])
    problems.add(np.isnan(x) & ~x_bad, column=cx, key="input.no_coordinate", values=table.frame[cx])
    problems.add(np.isnan(y) & ~y_bad, column=cy, key="input.no_coordinate", values=table.frame[cy])
    problems.add(x_bad, column=cx, key="input.not_a_number", values=table.frame[cx])
    problems.add(y_bad, column=cy, key="input.not_a_number", values=table.frame[cy])
    problems.add(np.isinf(x), column=cx, key="input.not_finite", values=table.frame[cx])
    problems.add(np.isinf(y), column=cy, key="input.not_finite", values=table.frame[cy])
    return x, y


def _read_xy(point_xy: tuple[np.ndarray, np.ndarray, np.ndarray], problems: Problems) -> tuple[np.ndarray, np.ndarray]:
    """The points' coordinates as :func:`_geometry_xy` gives them, from x, y and the rows without one."""
    x, y, missing = point_xy
    problems.add(missing, column="geometry", key="input.no_geometry")
    problems.add(
        ~missing & ~(np.isfinite(x) & np.isfinite(y)), column="geometry", key="input.not_finite", values=_pairs(x, y)
    )
    return np.where(missing, np.nan, x), np.where(missing, np.nan, y)


def _geometry_xy(table: RawTable, problems: Problems) -> tuple[np.ndarray, np.ndarray]:
    import shapely

    assert table.geometry is not None  # only called for files that carry geometry
    geoms = np.asarray(table.geometry.values, dtype=object)
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    points = shapely.get_type_id(geoms) == 0
    # Buildings or areas stand for their inside point; lines and collections are refused.
    polygonal = np.isin(shapely.get_type_id(geoms), [3, 6])
    problems.add(missing, column="geometry", key="input.no_geometry")
    problems.add(
        ~missing & ~points & ~polygonal,
        column="geometry",
        key="input.not_a_point",
        values=lambda i: str(shapely.get_type_id(geoms[i])),
    )
    usable = ~missing & (points | polygonal)
    where = geoms.copy()
    where[usable & polygonal] = shapely.point_on_surface(geoms[usable & polygonal])
    x = np.full(len(geoms), np.nan)
    y = np.full(len(geoms), np.nan)
    x[usable] = shapely.get_x(where[usable])
    y[usable] = shapely.get_y(where[usable])
    problems.add(
        usable & ~(np.isfinite(x) & np.isfinite(y)), column="geometry", key="input.not_finite", values=_pairs(x, y)
    )
    return x, y


def _check_area(
    table: RawTable, problems: Problems, x: np.ndarray, y: np.ndarray, crs: CRS, names: tuple[str, str]
) -> None:
    known = np.isfinite(x) & np.isfinite(y)
    outside = known & _outside(x, y, crs)
    swapped_inside = np.zeros(len(x), dtype=bool)
    if outside.any():
        swapped_inside[outside] = ~_outside(y[outside], x[outside], crs)
    label = f"{names[1]}/{names[0]}" if crs.equals(WGS84) else f"{names[0]}/{names[1]}"
    problems.add(outside & swapped_inside, column=label, key="input.swapped", values=_pairs(x, y), crs=crs.to_string())
    problems.add(outside, column=label, key="input.outside_crs_area", values=_pairs(x, y), crs=crs_label(crs))
    ok = known & ~outside & ~problems.bad
    if ok.sum() >= 3 and crs.equals(WGS84):
        _check_outliers(problems, x, y, y, x, ok, x, y, label, crs)


def _outside(x: np.ndarray, y: np.ndarray, crs: CRS) -> np.ndarray:
    """Outside the CRS's area of use: checked in the CRS's own units against its projected box,
    then exactly (in lon/lat) for the few points near or beyond the box edge."""
    if crs.equals(WGS84) or crs.is_geographic:
        lon, lat = to_lonlat(x, y, crs)
        return outside_area_of_use(lon, lat, crs)
    area = crs.area_of_use
    if area is None:
        return np.asarray(~(np.isfinite(x) & np.isfinite(y)))
    from pyproj import Transformer

    try:
        box = Transformer.from_crs(WGS84, crs, always_xy=True).transform_bounds(*area.bounds, densify_pts=21)
    except Exception:  # some areas of use cannot be projected whole; check every point instead
        box = (np.inf, np.inf, -np.inf, -np.inf)
    width, height = box[2] - box[0], box[3] - box[1]
    inner = (
        (
            (x >= box[0] + 0.1 * width)
            & (x <= box[2] - 0.1 * width)
            & (y >= box[1] + 0.1 * height)
            & (y <= box[3] - 0.1 * height)
        )
        if np.isfinite(width)
        else np.zeros(len(x), dtype=bool)
    )
    result = np.zeros(len(x), dtype=bool)
    edge = ~inner
    if edge.any():
        lon, lat = to_lonlat(x[edge], y[edge], crs)
        result[edge] = outside_area_of_use(lon, lat, crs)
    return result


def _check_outliers(
    problems: Problems,
    lon: np.ndarray,
    lat: np.ndarray,
    slon: np.ndarray,
    slat: np.ndarray,
    ok: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
    label: str,
    crs: CRS,
) -> None:
    """Rows far from the rest of the data whose swapped twin lies among them were swapped."""
    mid_lon, mid_lat = float(np.median(lon[ok])), float(np.median(lat[ok]))
    far = ok & (metres_apart(lon, lat, mid_lon, mid_lat) > SWAP_FAR_M)
    if not far.any():
        return
    near_when_swapped = metres_apart(slon, slat, mid_lon, mid_lat) < SWAP_NEAR_M
    problems.add(far & near_when_swapped, column=label, key="input.swapped", values=_pairs(x, y), crs=crs.to_string())


def _pairs(x: np.ndarray, y: np.ndarray) -> Callable[[int], str]:
    """The coordinate pair of row i as text, made only for the rows that are reported."""
    return lambda i: f"{x[i]:.10g}, {y[i]:.10g}"


def refuse_swapped_file(burglaries: object, reference: tuple[float, float, float, float], *, file: str) -> None:
    """Every point far from ``reference`` (a lon/lat box of what is known of the area: the
    store's burglaries), and most of them inside it with latitude and longitude exchanged: the
    file's columns are swapped (Helsinki's 60.17, 24.94 read as longitude 60.17)."""
    import geopandas as gpd

    assert isinstance(burglaries, gpd.GeoDataFrame)
    if len(burglaries) == 0 or reference == (0.0, 0.0, 0.0, 0.0) or burglaries.crs is None:
        return
    if not CRS.from_user_input(burglaries.crs).equals(WGS84):
        return
    pad = 0.5
    x = burglaries.geometry.x.to_numpy()
    y = burglaries.geometry.y.to_numpy()

    def inside(xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
        return (
            (xs >= reference[0] - pad)
            & (xs <= reference[2] + pad)
            & (ys >= reference[1] - pad)
            & (ys <= reference[3] + pad)
        )

    if not inside(x, y).any() and inside(y, x).mean() > 0.5:
        raise InputError("input.swapped_against_store", file=file)
