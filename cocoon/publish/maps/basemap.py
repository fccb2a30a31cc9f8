"""The offline basemap: land, parks, water, buildings and streets of an OpenStreetMap extract,
drawn as one picture in Web Mercator, so that the page carries no street or building coordinates."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

import numpy as np
from numpy.typing import ArrayLike

from cocoon.geo.crs import Bounds
from cocoon.publish.charts import figure, png_bytes, rgb_pixels

if TYPE_CHECKING:
    import geopandas as gpd
    from matplotlib.figure import Figure

MAJOR_STREETS = ("motorway", "trunk", "primary", "secondary", "tertiary")
MINOR_STREETS = ("residential", "unclassified", "living_street", "pedestrian", "road", "service", "track")
INDOOR = ("corridor", "elevator", "platform", "proposed", "construction", "raceway")
GREEN = {
    "leisure": ("park", "garden", "playground", "pitch", "recreation_ground", "nature_reserve", "common"),
    "landuse": (
        "grass",
        "forest",
        "meadow",
        "recreation_ground",
        "village_green",
        "cemetery",
        "allotments",
        "orchard",
        "flowerbed",
    ),
    "natural": ("wood", "scrub", "heath", "grassland", "wetland"),
}
WATER = {"natural": ("water", "bay", "strait"), "landuse": ("basin", "reservoir", "pond"), "waterway": ("riverbank",)}
WATERWAYS = ("river", "stream", "canal", "ditch", "drain")
BASEMAP_COLOURS = {
    "outside": "#e8e6e1",
    "land": "#f4f1eb",
    "green": "#cfe6b8",
    "water": "#a9cfe0",
    "building": "#dcd3ca",
    "building_edge": "#c2b7ab",
    "casing": "#a59b8e",
    "street": "#ffffff",
    "major": "#fff3c4",
    "path": "#b6ab9c",
}
WEB_MERCATOR_UNITS_PER_PIXEL_Z0 = 156543.03392804097
"""Web Mercator units per screen pixel at zoom 0 (halved at each zoom level)."""


@dataclass
class Basemap:
    """What the offline basemap draws, from an OpenStreetMap extract (lon/lat GeoDataFrames; None
    where the extract has none of a kind)."""

    streets: gpd.GeoDataFrame | None
    """Streets and paths: geometry, ``highway``, ``name``, ``tunnel``."""
    buildings: gpd.GeoDataFrame | None
    green: gpd.GeoDataFrame | None
    """Parks, grass, woods and the like (polygons)."""
    water: gpd.GeoDataFrame | None
    """Lakes, ponds, basins, rivers as areas (polygons)."""
    waterways: gpd.GeoDataFrame | None
    """Rivers, streams and canals as lines."""
    coastline: gpd.GeoDataFrame | None
    """The sea's edge (lines, the sea on their right)."""
    extent: Bounds
    """Where the extract has data (lon/lat): outside it the picture is plain."""


@overload
def units_per_pixel(zoom: float) -> float: ...
@overload
def units_per_pixel(zoom: np.ndarray) -> np.ndarray: ...
def units_per_pixel(zoom: float | np.ndarray) -> float | np.ndarray:
    """Web Mercator units per pixel at ``zoom`` (one zoom, or one for each of an array of them)."""
    each = WEB_MERCATOR_UNITS_PER_PIXEL_Z0 / np.power(2.0, zoom)
    return np.asarray(each) if isinstance(zoom, np.ndarray) else float(each)


def _keep(frame: Any, columns: tuple[str, ...]) -> Any:
    if frame is None or len(frame) == 0:
        return None
    present = [c for c in columns if c in frame.columns]
    return frame[[*present, "geometry"]]


def _matching(frame: Any, wanted: dict[str, tuple[str, ...]]) -> np.ndarray:
    """Rows whose tag in any of ``wanted``'s columns has one of its values."""
    hit = np.zeros(len(frame), dtype=bool)
    for column, values in wanted.items():
        if column in frame.columns:
            hit |= frame[column].isin(values).to_numpy()
    return hit


def basemap_from_osm(path: str | Path, bounds: Bounds) -> Basemap | None:
    """Streets (with their names), buildings, parks and water of an OpenStreetMap extract within
    lon/lat ``bounds``, for offline maps; None when the extract cannot be read."""
    import pyrosm
    import shapely

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # relations cut at the box edge are fine for a picture
            osm = pyrosm.OSM(str(path), bounding_box=list(bounds))
            streets = osm.get_network(network_type="all")
            buildings = osm.get_buildings()
            wanted = {key: [*GREEN.get(key, ()), *WATER.get(key, ())] for key in ("leisure", "landuse", "natural")}
            wanted["natural"].append("coastline")
            wanted["waterway"] = [*WATER["waterway"], *WATERWAYS]
            areas = osm.get_data_by_custom_criteria(custom_filter=wanted, filter_type="keep", keep_nodes=False)
    except Exception:  # a basemap is a nicety: the map works without it
        return None
    streets = _keep(streets, ("highway", "name", "tunnel"))
    buildings = _keep(buildings, ())
    green = water = waterways = coastline = None
    if areas is not None and len(areas):
        kind = areas.geometry.geom_type.to_numpy()
        polygons = np.isin(kind, ("Polygon", "MultiPolygon"))
        lines = np.isin(kind, ("LineString", "MultiLineString"))
        is_water = _matching(areas, WATER) | (areas["water"].notna().to_numpy() if "water" in areas else False)
        green = _keep(areas[polygons & _matching(areas, GREEN) & ~is_water], ())
        water = _keep(areas[polygons & is_water], ())
        waterways = _keep(areas[lines & _matching(areas, {"waterway": WATERWAYS})], ())
        coastline = _keep(areas[lines & _matching(areas, {"natural": ("coastline",)})], ())
    frames = [f for f in (streets, buildings, green, water, waterways, coastline) if f is not None]
    if not frames:
        return None
    boxes = np.array([shapely.total_bounds(f.geometry.to_numpy()) for f in frames])
    extent = (
        max(float(boxes[:, 0].min()), bounds[0]),
        max(float(boxes[:, 1].min()), bounds[1]),
        min(float(boxes[:, 2].max()), bounds[2]),
        min(float(boxes[:, 3].max()), bounds[3]),
    )
    return Basemap(
        streets=streets,
        buildings=buildings,
        green=green,
        water=water,
        waterways=waterways,
        coastline=coastline,
        extent=extent,
    )


def web_geometries(frame: Any) -> np.ndarray:
    """The frame's geometries in Web Mercator (a shapely array; empty for None)."""
    if frame is None or len(frame) == 0:
        return np.empty(0, dtype=object)
    return np.asarray(frame.geometry.to_crs(3857).to_numpy())


def to_web(lon: ArrayLike, lat: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    from pyproj import Transformer

    x, y = Transformer.from_crs(4326, 3857, always_xy=True).transform(
        np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    )
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float)


def _sea(coastline: np.ndarray, extent: Any) -> list[Any]:
    """The parts of ``extent`` (a Web Mercator polygon) on the sea side of the coastline: OpenStreetMap
    draws coastlines with the land on the left. Empty where the coastline does not cut the extent."""
    import shapely
    from shapely.ops import linemerge, split

    if len(coastline) == 0:
        return []
    merged = shapely.get_parts(linemerge(shapely.get_parts(coastline).tolist()))
    reach = 2.0 * float(shapely.length(shapely.boundary(extent)))
    lines = []
    for line in merged:  # each end stretched out past the extent, so that the line cuts it
        xy = shapely.get_coordinates(line)
        if len(xy) < 2 or np.allclose(xy[0], xy[-1]):
            lines.append(line)
            continue
        head, tail = xy[0] - xy[1], xy[-1] - xy[-2]
        head = xy[0] + head / max(float(np.hypot(*head)), 1e-9) * reach
        tail = xy[-1] + tail / max(float(np.hypot(*tail)), 1e-9) * reach
        lines.append(shapely.LineString(np.vstack([head, xy, tail])))
    try:
        pieces = list(split(extent, shapely.MultiLineString(lines)).geoms)
    except shapely.errors.GEOSException:  # a coastline too broken to cut with: drawn as a line only
        return []
    if len(pieces) < 2:
        return []
    xy = np.vstack(
        [
            np.column_stack([shapely.get_coordinates(line)[:-1], shapely.get_coordinates(line)[1:]])
            for line in merged
            if len(shapely.get_coordinates(line)) >= 2
        ]
    )
    mid = (xy[:, :2] + xy[:, 2:]) / 2
    step = xy[:, 2:] - xy[:, :2]
    length = np.maximum(np.hypot(step[:, 0], step[:, 1]), 1e-9)
    right = np.column_stack([step[:, 1], -step[:, 0]]) / length[:, None]
    sea = []
    for piece in pieces:
        wet = shapely.contains_xy(piece, *(mid + right).T).sum()
        dry = shapely.contains_xy(piece, *(mid - right).T).sum()
        if wet > dry:
            sea.append(piece)
    return sea


def _segments(geoms: np.ndarray) -> list[np.ndarray]:
    """Every line of ``geoms`` as an array of points, for a LineCollection."""
    import shapely

    parts = shapely.get_parts(geoms)
    if len(parts) == 0:
        return []
    xy, index = shapely.get_coordinates(parts, return_index=True)
    cuts = np.flatnonzero(np.diff(index)) + 1
    return [chunk for chunk in np.split(xy, cuts) if len(chunk) >= 2]


def _area_path(geoms: np.ndarray | list[Any]) -> Any:
    """All polygons of ``geoms`` as one matplotlib path, holes included."""
    import shapely
    from matplotlib.path import Path as MplPath

    parts = shapely.get_parts(np.asarray(geoms, dtype=object))
    parts = parts[np.isin(shapely.get_type_id(parts), (3,))]  # polygons only
    if len(parts) == 0:
        return None
    rings = []
    for polygon in shapely.orient_polygons(parts):
        rings.append(shapely.get_coordinates(polygon.exterior))
        rings.extend(shapely.get_coordinates(ring) for ring in polygon.interiors)
    vertices = np.vstack(rings)
    codes = np.full(len(vertices), MplPath.LINETO, dtype=np.uint8)
    at = 0
    for ring in rings:
        codes[at] = MplPath.MOVETO
        codes[at + len(ring) - 1] = MplPath.CLOSEPOLY
        at += len(ring)
    return MplPath(vertices, codes)


def _street_strokes(streets: Any) -> list[tuple[np.ndarray, str, float, float, Any]]:
    """How the streets are drawn, bottom to top: (geometries in Web Mercator, colour, width on the
    ground in metres, drawing order, line style). Paths thin and dashed; streets white with a darker
    edge, main streets widest and pale yellow; tunnels and indoor ways left out."""
    if streets is None or len(streets) == 0:
        return []
    highway = streets["highway"].astype(str).str.replace("_link", "", regex=False).to_numpy()
    tunnel = (
        streets["tunnel"].astype(str).to_numpy() == "yes" if "tunnel" in streets else np.zeros(len(streets), dtype=bool)
    )
    geoms = web_geometries(streets)
    major = np.isin(highway, MAJOR_STREETS) & ~tunnel
    minor = np.isin(highway, MINOR_STREETS) & ~tunnel
    path = ~major & ~minor & ~tunnel & ~np.isin(highway, INDOOR)
    service = minor & np.isin(highway, ("service", "track"))
    street = minor & ~service
    c = BASEMAP_COLOURS
    return [
        (geoms[path], c["path"], 1.2, 4, (0, (2, 1.5))),
        (geoms[service], c["casing"], 5.5, 5, "solid"),
        (geoms[street], c["casing"], 9.0, 5, "solid"),
        (geoms[major], c["casing"], 14.0, 5, "solid"),
        (geoms[service], c["street"], 3.5, 6, "solid"),
        (geoms[street], c["street"], 7.0, 6, "solid"),
        (geoms[major], c["major"], 11.5, 7, "solid"),
    ]


def basemap_png(basemap: Basemap, corners_lonlat: np.ndarray) -> bytes:
    """The basemap drawn as one picture in Web Mercator over ``corners_lonlat`` ([[west, south],
    [east, north]]): land, parks, water, buildings, and streets drawn wider the more important they
    are. The page carries the picture only, no street or building coordinates."""
    return png_bytes(basemap_figure(basemap, corners_lonlat))


def basemap_pixels(basemap: Basemap, corners_lonlat: np.ndarray) -> np.ndarray:
    """The picture of :func:`basemap_png` as RGB pixels (height x width x 3), not encoded as PNG,
    for a caller that encodes it its own way."""
    return rgb_pixels(basemap_figure(basemap, corners_lonlat))


def basemap_figure(basemap: Basemap, corners_lonlat: np.ndarray) -> Figure:
    """The figure :func:`basemap_png` draws."""
    import shapely
    from matplotlib.collections import LineCollection
    from matplotlib.patches import PathPatch

    (x0, x1), (y0, y1) = to_web(corners_lonlat[:, 0], corners_lonlat[:, 1])
    res = max(max(x1 - x0, y1 - y0) / 3000.0, units_per_pixel(17))  # units per pixel: at most 3000 pixels
    width, height = max(1.0, (x1 - x0) / res), max(1.0, (y1 - y0) / res)
    dpi = 100.0  # sizes are worked out at 100 dpi; the figure draws at its own (charts.figure), 1.1 times finer
    fig = figure(width / dpi, height / dpi)
    fig.set_layout_engine("none")
    fig.patch.set_facecolor(BASEMAP_COLOURS["outside"])
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_facecolor(BASEMAP_COLOURS["outside"])
    scale = 1.0 / math.cos(math.radians(float(np.mean(corners_lonlat[:, 1]))))  # ground metres to web units

    def points(metres: float) -> float:  # a width on the ground as a line width in points
        return float(max(metres * scale / res, 0.6) * 72.0 / dpi)

    west, south, east, north = basemap.extent
    ex, ey = to_web([west, east], [south, north])
    extent = shapely.box(ex[0], ey[0], ex[1], ey[1])

    def area(geoms: Any, colour: str, edge: str = "none", width: float = 0.0, z: float = 0.0) -> None:
        path = _area_path(geoms)
        if path is not None:
            # add_artist, not add_patch: the view is set below, so the patch's data limits (a walk
            # over every vertex of every building) are not needed; it is drawn the same
            ax.add_artist(PathPatch(path, facecolor=colour, edgecolor=edge, linewidth=width, zorder=z))

    def lines(geoms: Any, colour: str, width: float, z: float, style: Any = "solid") -> None:
        segments = _segments(np.asarray(geoms, dtype=object))
        if segments:
            ax.add_collection(
                LineCollection(
                    segments,
                    colors=colour,
                    linewidths=width,
                    linestyles=style,
                    capstyle="round",
                    joinstyle="round",
                    zorder=z,
                )
            )

    area([extent], BASEMAP_COLOURS["land"], z=0)
    area(web_geometries(basemap.green), BASEMAP_COLOURS["green"], z=1)
    coast = web_geometries(basemap.coastline)
    area([*_sea(coast, extent), *web_geometries(basemap.water)], BASEMAP_COLOURS["water"], z=2)
    lines(web_geometries(basemap.waterways), BASEMAP_COLOURS["water"], points(4.0), z=2)
    lines(coast, "#8fbcd0", points(1.0), z=2)
    area(
        web_geometries(basemap.buildings),
        BASEMAP_COLOURS["building"],
        BASEMAP_COLOURS["building_edge"],
        points(0.4),
        z=3,
    )
    for geoms, colour, metres, z, style in _street_strokes(basemap.streets):
        lines(geoms, colour, points(metres), z=z, style=style)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_axis_off()
    return fig
