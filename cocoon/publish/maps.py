"""Two one-file maps (folium/Leaflet): ``map.html`` for the team, ``map-public.html`` for residents.

The internal map shows zones by phase, burglaries, households by tier (with the latest
outcome when a store is used), each officer's route line and numbered stops in the officer's own
colour, and sign sites. The public map shows only zones and signs, with week labels, under a title
that says in plain words what the areas mean, the week, and how to reach the police; every point in
it is first moved away from victims' homes (:mod:`cocoon.geo.privacy`), and it carries no
households and no free text.

Everything shown is HTML-escaped, and popups are bound with JSON strings, so text from police
records can never run as code. The pages need only Leaflet: ``offline=True`` inlines Leaflet's
JS, CSS and images from the installed ``django-js-lib-leaflet`` package and, when an
OpenStreetMap extract is given, draws a basemap from it: land, parks, water, buildings and streets
as one picture, and the street names as labels that stay readable at every zoom.
"""

from __future__ import annotations

import base64
import html
import json
import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from cocoon.catalogue import number, text, translator
from cocoon.geo.crs import Bounds, to_lonlat
from cocoon.geo.privacy import NearestRule
from cocoon.publish.charts import figure, png_bytes
from cocoon.publish.explain import why_column
from cocoon.publish.leaflet import leaflet_inline
from cocoon.publish.weeks import iso_week, week_label
from cocoon.risk.public_points import PublicPoints, public_points
from cocoon.risk.zones import PHASES

if TYPE_CHECKING:
    from cocoon.risk.daily_plan import Plan

LEAFLET_JS = "https://cdn.jsdelivr.net/npm/leaflet@1.9.4/dist/leaflet.js"
LEAFLET_CSS = "https://cdn.jsdelivr.net/npm/leaflet@1.9.4/dist/leaflet.css"
PHASE_COLOURS = {"high": "#d7191c", "elevated": "#f5a623"}
TIER_COLOURS = {"A": "#3f007d", "B": "#756bb1", "C": "#b3b0d6"}
"""Darker for the households to visit first; purples, so that no tier looks like an officer's route."""
SIGN_COLOUR = "#f2c500"
ROUTE_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#56B4E9", "#E69F00")
"""One colour per officer: the Okabe-Ito palette, which colour-blind readers tell apart (without its
yellow, which does not show on a light map, and its black, which is the burglaries' colour)."""
ROUTE_DASHES: tuple[str | None, ...] = (None, "12 8", "2 8", "16 6 2 6")
"""With more officers than colours, the colours come round again with these dash patterns."""
MAX_ZOOM = 19
NUMBERS_ZOOM = 16
"""Stop numbers show from this zoom on; below it each stop is a dot in its officer's colour."""
STOP_SIZE = 22.0
"""A numbered stop's diameter in pixels: stops closer than this at NUMBERS_ZOOM are moved apart."""
LABEL_ZOOM = {"major": 13, "minor": 15}
"""From which zoom on the names of main streets and of the other streets may show."""
LABEL_MAX_ZOOM = 18
LABEL_PANE = "cocoonStreetNames"
"""The map pane of the street names: over the basemap picture, under zones, households and routes."""


#: Characters that folium/branca would read as template syntax or JavaScript template strings.
_SCRIPT_SAFE = str.maketrans({"`": "&#96;", "$": "&#36;", "{": "&#123;", "}": "&#125;", "%": "&#37;"})


def escape(value: Any) -> str:
    """Text made safe for the page: HTML-escaped, and with no character that folium's templates
    or JavaScript template strings could read as code (backtick, $, braces, %).

    folium renders each element's script as a Jinja template and then renders the result again,
    so text that reached a page with ``{{ ... }}`` in it would run; with braces escaped it is data.
    """
    return html.escape(str(value), quote=True).translate(_SCRIPT_SAFE)


def script_string(value: str) -> str:
    """``value`` as a JavaScript string literal holding no ``</``, brace or percent sign, so that
    neither the HTML parser nor folium's templates can read anything in it as code."""
    return (json.dumps(value).replace("</", "<\\/").replace("{", "\\u007b").replace("}", "\\u007d")
            .replace("%", "\\u0025"))


@dataclass
class Basemap:
    """What the offline basemap draws, from an OpenStreetMap extract (lon/lat GeoDataFrames)."""

    streets: Any
    """Streets and paths: geometry, ``highway``, ``name``, ``tunnel``."""
    buildings: Any
    green: Any
    """Parks, grass, woods and the like (polygons)."""
    water: Any
    """Lakes, ponds, basins, rivers as areas (polygons)."""
    waterways: Any
    """Rivers, streams and canals as lines."""
    coastline: Any
    """The sea's edge (lines, the sea on their right)."""
    extent: Bounds
    """Where the extract has data (lon/lat): outside it the picture is plain."""


@dataclass
class MapData:
    """What the maps show: the plan, and when the field pack was made, its routes and signs."""

    plan: Plan
    route_stops: pd.DataFrame | None = None
    """One row per routed stop (officer, stop, label, lon, lat, arrival; ``officer_name`` where the
    officers were named), or None without routes."""
    route_start: tuple[float, float] | None = None
    """Where the walks start and end, in the plan's metric CRS."""
    signs: pd.DataFrame | None = None
    outcomes: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Latest outcome and time per household id (from the store)."""
    basemap: Basemap | None = None
    """Streets, buildings, parks and water for the offline basemap, or None."""
    max_households: int = 2000
    _picture: tuple[np.ndarray, bytes] | None = field(default=None, init=False, repr=False)
    """The basemap picture and its corners (lon/lat), drawn once for both maps."""


@cache
def _bound_class() -> type:
    from branca.element import MacroElement
    from jinja2 import Template

    class Bound(MacroElement):
        """Binds a popup and/or tooltip, given as JSON strings, to its parent layer."""

        _template = Template("""{% macro script(this, kwargs) %}
{% if this.popup %}{{ this._parent.get_name() }}.bindPopup({{ this.popup }});{% endif %}
{% if this.tooltip %}{{ this._parent.get_name() }}.bindTooltip({{ this.tooltip }});{% endif %}
{% endmacro %}""")

        def __init__(self, popup: str | None, tooltip: str | None):
            super().__init__()
            self.popup, self.tooltip = popup, tooltip

    return Bound


def bind(layer: Any, popup: str | None = None, tooltip: str | None = None) -> None:
    """Popup and tooltip from escaped HTML, passed to Leaflet as JSON strings (no jQuery)."""
    layer.add_child(_bound_class()(None if popup is None else script_string(popup),
                                   None if tooltip is None else script_string(tooltip)))


@cache
def _zoom_classes() -> type:
    from branca.element import MacroElement
    from jinja2 import Template

    class ZoomClasses(MacroElement):
        """Marks the map's container with ``cocoon-zN`` for every zoom N up to the current one, so
        that style sheets can show stop numbers and street names only where they are readable."""

        _template = Template("""{% macro script(this, kwargs) %}
(function () {
  var map = {{ this._parent.get_name() }};
  function mark() {
    var zoom = map.getZoom(), box = map.getContainer();
    for (var z = 10; z <= 20; z++) { box.classList.toggle('cocoon-z' + z, zoom >= z); }
  }
  map.on('zoomend', mark);
  map.whenReady(mark);
})();
{% endmacro %}""")

    return ZoomClasses


def _element(html_text: str) -> Any:
    """A piece of the page's HTML, for folium."""
    from branca.element import Element

    return Element(html_text)


def _header(m: Any, css: str) -> None:
    m.get_root().header.add_child(_element(f"<style>{css}</style>"))


PAGE_CSS = """
@media print { .leaflet-control-layers, .leaflet-control-zoom { display: none; }
  html, body { width: 100%; height: 100%; } * { print-color-adjust: exact; -webkit-print-color-adjust: exact; } }
.folium-map.leaflet-container { background: #e8e6e1; }
.cocoon-legend { position: fixed; bottom: 60px; left: 10px; z-index: 1000; background: white; padding: 6px 10px;
  border-radius: 5px; box-shadow: 0 1px 5px rgba(0, 0, 0, 0.4); font: 13px sans-serif; line-height: 1.6;
  max-height: 55vh; overflow-y: auto; }
.cocoon-legend b { display: block; margin-bottom: 2px; }
.cocoon-legend .swatch { display: inline-block; width: 26px; margin-right: 6px; text-align: center;
  vertical-align: middle; }
.cocoon-legend .dot { display: inline-block; width: 12px; height: 12px; border-radius: 50%; vertical-align: middle; }
.cocoon-legend .zone { display: inline-block; width: 14px; height: 14px; border-radius: 50%; border: 2px solid;
  box-sizing: border-box; vertical-align: middle; }
.cocoon-title { position: fixed; top: 10px; left: 50%; transform: translateX(-50%); z-index: 1000;
  background: rgba(255, 255, 255, 0.96); padding: 8px 16px; border-radius: 6px;
  box-shadow: 0 1px 5px rgba(0, 0, 0, 0.4); font: 14px/1.4 sans-serif; text-align: center;
  width: max-content; max-width: calc(100% - 520px); }
.cocoon-title h1 { font-size: 19px; margin: 0 0 3px 0; }
.cocoon-title p { margin: 0; }
.cocoon-title .lead { font-size: 16px; font-weight: bold; color: #b3161a; }
.cocoon-title .small { font-size: 12px; color: #444; }
@media (max-width: 900px) { .cocoon-title { left: 56px; right: 10px; transform: none; width: auto; max-width: none;
  padding: 6px 10px; font-size: 12px; } .cocoon-title h1 { font-size: 15px; } .cocoon-title .lead { font-size: 13px; }
  .leaflet-top.leaflet-right { top: 150px; } .cocoon-legend { font-size: 11px; line-height: 1.4; }
  .leaflet-control-layers-expanded { font-size: 11px; padding: 3px 6px; } }
.cocoon-sign { color: #f2c500; font: 20px/20px sans-serif; text-shadow: 0 0 2px #000, 0 0 1px #000;
  text-align: center; }
.cocoon-stop { box-sizing: border-box; width: 12px; height: 12px; margin: 5px; border-radius: 50%;
  border: 2px solid white; box-shadow: 0 0 2px rgba(0, 0, 0, 0.7); color: white; font-size: 0; overflow: hidden;
  text-align: center; }
.cocoon-stop.square { border-radius: 2px; }
.cocoon-route { filter: drop-shadow(0 0 1px white) drop-shadow(0 0 1px white); }
.leaflet-container .cocoon-street { display: none; }
.cocoon-street div { position: absolute; left: 0; top: 0; transform: translate(-50%, -50%) rotate(var(--a));
  white-space: nowrap; font: 11px/1 sans-serif; color: #333; pointer-events: none;
  text-shadow: 0 0 2px white, 0 0 2px white, 0 0 3px white, 0 0 4px white; }
.cocoon-street-major div { font-weight: bold; font-size: 12px; color: #222; }
""" + "".join(f".leaflet-container.cocoon-z{z} .cocoon-label-{z} {{ display: block; }}\n" for z in range(10, 20)) + \
    f""".cocoon-z{NUMBERS_ZOOM} .cocoon-stop {{ width: {STOP_SIZE:g}px; height: {STOP_SIZE:g}px; margin: 0;
  font: bold 12px/{STOP_SIZE - 4:g}px sans-serif; transform: translate(var(--dx), var(--dy)); }}
"""


def _legend(m: Any, title: str, items: list[tuple[str, str]]) -> None:
    """The legend: (swatch HTML made here, label) pairs; labels are escaped."""
    rows = "".join(f'<div><span class="swatch">{swatch}</span>{escape(label)}</div>' for swatch, label in items)
    m.get_root().html.add_child(_element(f'<div class="cocoon-legend"><b>{escape(title)}</b>{rows}</div>'))


def _dot(colour: str) -> str:
    return f'<i class="dot" style="background:{colour}"></i>'


def _zone_swatch(colour: str) -> str:
    return f'<i class="zone" style="border-color:{colour};background:{colour}40"></i>'


def _line_swatch(colour: str, dash: str | None) -> str:
    pattern = f' stroke-dasharray="{dash}"' if dash else ""
    return (f'<svg width="26" height="10"><line x1="1" y1="5" x2="25" y2="5" stroke="{colour}" stroke-width="4"'
            f'{pattern}/></svg>')


SIGN_SWATCH = '<span class="cocoon-sign" style="font-size:15px">&#9650;</span>'


def _title(m: Any, heading: str, lines: list[tuple[str, str]]) -> None:
    """The title panel at the top: a heading and lines of (CSS class, text); texts are escaped."""
    body = "".join(f'<p class="{kind}">{escape(line)}</p>' for kind, line in lines)
    m.get_root().html.add_child(_element(f'<div class="cocoon-title"><h1>{escape(heading)}</h1>{body}</div>'))


NO_NETWORK_SCRIPT = """<script>(function () {
  var shown = false;
  function show() {
    if (shown) { return; }
    shown = true;
    var note = document.getElementById('cocoon-no-network');
    if (note) { note.style.display = 'block'; }
  }
  if (!window.L) { show(); return; }
  var failed = 0;
  L.TileLayer.addInitHook(function () {
    this.on('tileerror', function () { failed += 1; if (failed >= 3) { show(); } });
  });
})();</script>"""
"""Shows the page's no-network note when Leaflet did not load, or when background tiles fail."""


def _no_network_note(m: Any, lang: str) -> None:
    """A map that loads from the internet says so when opened without it, instead of staying blank."""
    note = (f'<div id="cocoon-no-network" role="alert" style="display:none;position:fixed;top:0;left:0;right:0;'
            f'z-index:10000;padding:10px 14px;background:#fff3bf;border-bottom:2px solid #e8a200;'
            f'font:15px/1.4 sans-serif;color:#222">{escape(text("maps.no_network", lang))}</div>')
    m.get_root().html.add_child(_element(note + NO_NETWORK_SCRIPT))


def _new_map(title: str, *, offline: bool, lang: str = "en") -> Any:
    import folium

    m: Any = folium.Map(tiles=None, control_scale=True, prefer_canvas=False, zoom_snap=0.25)
    m.options["maxZoom"] = MAX_ZOOM  # folium gives max_zoom to tile layers only; without tiles the map needs it
    m.default_js = [("leaflet", LEAFLET_JS)]
    m.default_css = [("leaflet_css", LEAFLET_CSS)]
    if not offline:
        folium.TileLayer("OpenStreetMap", name="OpenStreetMap", control=False, max_zoom=MAX_ZOOM).add_to(m)
        _no_network_note(m, lang)
    _header(m, PAGE_CSS)
    m.get_root().header.add_child(_element(f"<title>{escape(title)}</title>"))
    m.add_child(_zoom_classes()())
    return m


# --- the offline basemap ---------------------------------------------------------------------------

MAJOR_STREETS = ("motorway", "trunk", "primary", "secondary", "tertiary")
MINOR_STREETS = ("residential", "unclassified", "living_street", "pedestrian", "road", "service", "track")
INDOOR = ("corridor", "elevator", "platform", "proposed", "construction", "raceway")
GREEN = {"leisure": ("park", "garden", "playground", "pitch", "recreation_ground", "nature_reserve", "common"),
         "landuse": ("grass", "forest", "meadow", "recreation_ground", "village_green", "cemetery", "allotments",
                     "orchard", "flowerbed"),
         "natural": ("wood", "scrub", "heath", "grassland", "wetland")}
WATER = {"natural": ("water", "bay", "strait"), "landuse": ("basin", "reservoir", "pond"), "waterway": ("riverbank",)}
WATERWAYS = ("river", "stream", "canal", "ditch", "drain")
BASEMAP_COLOURS = {"outside": "#e8e6e1", "land": "#f4f1eb", "green": "#cfe6b8", "water": "#a9cfe0",
                   "building": "#dcd3ca", "building_edge": "#c2b7ab", "casing": "#a59b8e", "street": "#ffffff",
                   "major": "#fff3c4", "path": "#b6ab9c"}
WEB_MERCATOR_UNITS_PER_PIXEL_Z0 = 156543.03392804097
"""Web Mercator units per screen pixel at zoom 0 (halved at each zoom level)."""


def _units_per_pixel(zoom: float) -> float:
    return WEB_MERCATOR_UNITS_PER_PIXEL_Z0 / 2.0 ** zoom


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
    extent = (max(float(boxes[:, 0].min()), bounds[0]), max(float(boxes[:, 1].min()), bounds[1]),
              min(float(boxes[:, 2].max()), bounds[2]), min(float(boxes[:, 3].max()), bounds[3]))
    return Basemap(streets=streets, buildings=buildings, green=green, water=water, waterways=waterways,
                   coastline=coastline, extent=extent)


def _web(frame: Any) -> np.ndarray:
    """The frame's geometries in Web Mercator (a shapely array; empty for None)."""
    if frame is None or len(frame) == 0:
        return np.empty(0, dtype=object)
    return frame.geometry.to_crs(3857).to_numpy()


def _to_web(lon: ArrayLike, lat: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    from pyproj import Transformer

    x, y = Transformer.from_crs(4326, 3857, always_xy=True).transform(np.asarray(lon, dtype=float),
                                                                    np.asarray(lat, dtype=float))
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
    xy = np.vstack([np.column_stack([shapely.get_coordinates(line)[:-1], shapely.get_coordinates(line)[1:]])
                    for line in merged if len(shapely.get_coordinates(line)) >= 2])
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
    tunnel = streets["tunnel"].astype(str).to_numpy() == "yes" if "tunnel" in streets else \
        np.zeros(len(streets), dtype=bool)
    geoms = _web(streets)
    major = np.isin(highway, MAJOR_STREETS) & ~tunnel
    minor = np.isin(highway, MINOR_STREETS) & ~tunnel
    path = ~major & ~minor & ~tunnel & ~np.isin(highway, INDOOR)
    service = minor & np.isin(highway, ("service", "track"))
    street = minor & ~service
    c = BASEMAP_COLOURS
    return [(geoms[path], c["path"], 1.2, 4, (0, (2, 1.5))),
            (geoms[service], c["casing"], 5.5, 5, "solid"), (geoms[street], c["casing"], 9.0, 5, "solid"),
            (geoms[major], c["casing"], 14.0, 5, "solid"),
            (geoms[service], c["street"], 3.5, 6, "solid"), (geoms[street], c["street"], 7.0, 6, "solid"),
            (geoms[major], c["major"], 11.5, 7, "solid")]


def basemap_png(basemap: Basemap, corners_lonlat: np.ndarray) -> bytes:
    """The basemap drawn as one picture in Web Mercator over ``corners_lonlat`` ([[west, south],
    [east, north]]): land, parks, water, buildings, and streets drawn wider the more important they
    are. The page carries the picture only, no street or building coordinates."""
    import shapely
    from matplotlib.collections import LineCollection
    from matplotlib.patches import PathPatch

    (x0, x1), (y0, y1) = _to_web(corners_lonlat[:, 0], corners_lonlat[:, 1])
    res = max(max(x1 - x0, y1 - y0) / 3000.0, _units_per_pixel(17))  # units per pixel: at most 3000 pixels
    width, height = max(1.0, (x1 - x0) / res), max(1.0, (y1 - y0) / res)
    dpi = 100.0
    fig = figure(width / dpi, height / dpi)
    fig.set_layout_engine("none")
    fig.set_dpi(dpi)
    fig.patch.set_facecolor(BASEMAP_COLOURS["outside"])
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_facecolor(BASEMAP_COLOURS["outside"])
    scale = 1.0 / math.cos(math.radians(float(np.mean(corners_lonlat[:, 1]))))  # ground metres to web units

    def points(metres: float) -> float:  # a width on the ground as a line width in points
        return max(metres * scale / res, 0.6) * 72.0 / dpi

    west, south, east, north = basemap.extent
    ex, ey = _to_web([west, east], [south, north])
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
            ax.add_collection(LineCollection(segments, colors=colour, linewidths=width, linestyles=style,
                                             capstyle="round", joinstyle="round", zorder=z))

    area([extent], BASEMAP_COLOURS["land"], z=0)
    area(_web(basemap.green), BASEMAP_COLOURS["green"], z=1)
    coast = _web(basemap.coastline)
    area([*_sea(coast, extent), *_web(basemap.water)], BASEMAP_COLOURS["water"], z=2)
    lines(_web(basemap.waterways), BASEMAP_COLOURS["water"], points(4.0), z=2)
    lines(coast, "#8fbcd0", points(1.0), z=2)
    area(_web(basemap.buildings), BASEMAP_COLOURS["building"], BASEMAP_COLOURS["building_edge"], points(0.4), z=3)
    for geoms, colour, metres, z, style in _street_strokes(basemap.streets):
        lines(geoms, colour, points(metres), z=z, style=style)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_axis_off()
    return png_bytes(fig)


@dataclass
class StreetLabel:
    """A street's name where the map writes it."""

    lon: float
    lat: float
    angle: float
    """Degrees clockwise on the screen, between -90 and 90 so that the name reads left to right."""
    name: str
    major: bool
    zoom: int
    """The name shows from this zoom on: where it first fits its street and no other name."""


LABEL_HEIGHT = 18.0
"""A street name's height in pixels, halo included."""


def _label_width(name: str) -> float:
    """A street name's length in pixels, roughly (12 px sans-serif, halo included)."""
    return 7.0 * len(name) + 10.0


def _label_candidates(named: Any, view: Any) -> list[tuple[bool, float, str, float, float, float]]:
    """Places along each named street (Web Mercator) where its name could go, middle of each
    stretch first: (main street, stretch length, name, x, y, angle)."""
    import shapely
    from shapely.ops import linemerge

    candidates = []
    for name, group in named.groupby("name", sort=True):
        major = bool(group["major"].any())
        width = _label_width(str(name)) * _units_per_pixel(LABEL_ZOOM["major" if major else "minor"])
        merged = shapely.get_parts(linemerge(shapely.get_parts(group["web"].to_numpy()).tolist()))
        for line in merged:
            for piece in shapely.get_parts(shapely.intersection(line, view)):
                length = float(shapely.length(piece))
                if length < 0.9 * width / 2 ** (LABEL_MAX_ZOOM - LABEL_ZOOM["major" if major else "minor"]):
                    continue
                count = max(1, min(int(length // (3 * width)), 8))
                fractions = sorted(((k + 0.5) / count for k in range(count)), key=lambda f: abs(f - 0.5))
                chord = min(width, length) / 2
                for fraction in fractions:
                    at = length * fraction
                    a = shapely.get_coordinates(piece.interpolate(max(at - chord, 0.0)))[0]
                    b = shapely.get_coordinates(piece.interpolate(min(at + chord, length)))[0]
                    centre = shapely.get_coordinates(piece.interpolate(at))[0]
                    angle = (-math.degrees(math.atan2(b[1] - a[1], b[0] - a[0])) + 90.0) % 180.0 - 90.0
                    candidates.append((major, length, str(name), float(centre[0]), float(centre[1]), angle))
    candidates.sort(key=lambda c: (not c[0], -c[1]))
    return candidates


def street_labels(basemap: Basemap, corners_lonlat: np.ndarray,
                  keep: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None) -> list[StreetLabel]:
    """Where to write the extract's street names, and from which zoom: along each named street,
    main streets first (from zoom 13, the others from 15), each name from the first zoom at which it
    fits its street without overlapping a name already placed; long streets named again further
    along as the map is zoomed in.

    ``keep(lon, lat)`` says which places may carry a name (the public map keeps its rule for
    every point it shows)."""
    import shapely
    from pyproj import Transformer
    from shapely import affinity

    streets = basemap.streets
    if streets is None or len(streets) == 0 or "name" not in streets:
        return []
    highway = streets["highway"].astype(str).str.replace("_link", "", regex=False)
    tunnel = streets["tunnel"].astype(str) == "yes" if "tunnel" in streets else pd.Series(False, index=streets.index)
    named = streets[streets["name"].notna() & (streets["name"].astype(str).str.strip() != "") & ~tunnel
                    & highway.isin(MAJOR_STREETS + MINOR_STREETS).to_numpy()].copy()
    if len(named) == 0:
        return []
    named["major"] = highway[named.index].isin(MAJOR_STREETS).to_numpy()
    named["web"] = _web(named)
    (x0, x1), (y0, y1) = _to_web(corners_lonlat[:, 0], corners_lonlat[:, 1])
    candidates = _label_candidates(named, shapely.box(x0, y0, x1, y1))
    if not candidates:
        return []
    xy = np.array([(c[3], c[4]) for c in candidates])
    lon, lat = Transformer.from_crs(3857, 4326, always_xy=True).transform(xy[:, 0], xy[:, 1])
    allowed = np.ones(len(candidates), dtype=bool) if keep is None else np.asarray(keep(lon, lat), dtype=bool)

    def box(x: float, y: float, width: float, angle: float, zoom: float) -> Any:
        upp = _units_per_pixel(zoom)
        w, h = width * upp / 2, LABEL_HEIGHT * upp / 2
        return affinity.rotate(shapely.box(x - w, y - h, x + w, y + h), -angle, origin=(x, y))

    placed: list[tuple[float, float, float, float, int, str]] = []  # x, y, width (px), angle, zoom, name
    labels = []
    for k, (major, length, name, x, y, angle) in enumerate(candidates):
        if not allowed[k]:
            continue
        width = _label_width(name)
        fits = math.ceil(math.log2(max(0.9 * width * WEB_MERCATOR_UNITS_PER_PIXEL_Z0 / length, 1.0)))
        first = max(LABEL_ZOOM["major" if major else "minor"], fits)
        others = np.array([p[:5] for p in placed]).reshape(-1, 5)
        apart = np.hypot(others[:, 0] - x, others[:, 1] - y)
        same = np.array([p[5] == name for p in placed], dtype=bool)
        for zoom in range(first, LABEL_MAX_ZOOM + 1):
            upp = _units_per_pixel(np.maximum(zoom, others[:, 4]))  # both names show from the later zoom
            if (same & (apart < 4 * width * upp)).any():
                continue  # the same name nearby already
            near = np.flatnonzero(apart < (np.hypot(width, LABEL_HEIGHT) + np.hypot(others[:, 2], LABEL_HEIGHT))
                                  / 2 * upp)
            mine = box(x, y, width, angle, zoom)
            if any(mine.intersects(box(others[i, 0], others[i, 1], others[i, 2], others[i, 3],
                                       max(zoom, others[i, 4]))) for i in near):
                continue
            placed.append((x, y, width, angle, zoom, name))
            labels.append(StreetLabel(lon=float(lon[k]), lat=float(lat[k]), angle=angle, name=name, major=major,
                                      zoom=zoom))
            break
    return labels


def _picture_corners(data: MapData) -> np.ndarray | None:
    """Corners (metric CRS) of the basemap picture: around the internal map's view and the public
    map's, and kept to the privacy rule, since the public page carries them."""
    plan = data.plan
    if not len(plan.zones):
        return None
    box = plan.zones.total_bounds
    corners = np.array([[box[0] - 300.0, box[1] - 300.0], [box[2] + 300.0, box[3] + 300.0]])
    public = _public_view(plan, public_points(plan, data.signs))
    if public is not None:
        corners = np.array([np.minimum(corners[0], public[0]), np.maximum(corners[1], public[1])])
    rule = plan.privacy_rule
    for _ in range(50):
        four = np.array([corners[0], corners[1], [corners[0, 0], corners[1, 1]], [corners[1, 0], corners[0, 1]]])
        if rule.clear(four).all():
            break
        corners = corners + np.array([[-100.0, -100.0], [100.0, 100.0]])
    return corners


def _picture(data: MapData) -> tuple[np.ndarray, bytes] | None:
    """The basemap picture and its corners (lon/lat), drawn once and shared by both maps."""
    if data.basemap is None:
        return None
    if data._picture is None:
        corners = _picture_corners(data)
        if corners is None:
            return None
        lon, lat = to_lonlat(corners[:, 0], corners[:, 1], data.plan.crs)
        lonlat = np.column_stack([lon, lat])
        data._picture = (lonlat, basemap_png(data.basemap, lonlat))
    return data._picture


def _add_basemap(m: Any, data: MapData, lang: str, rule: NearestRule | None = None) -> None:
    """The basemap picture, and the street names over it; with ``rule``, names only where it holds."""
    import folium

    picture = _picture(data)
    if picture is None or data.basemap is None:
        return
    corners, png = picture
    folium.map.CustomPane(LABEL_PANE, z_index=350, pointer_events=False).add_to(m)  # over the picture, under the rest
    group = folium.FeatureGroup(name=text("maps.basemap", lang))
    (west, south), (east, north) = corners
    folium.raster_layers.ImageOverlay(f"data:image/png;base64,{base64.b64encode(png).decode('ascii')}",
                                      bounds=[[south, west], [north, east]], opacity=1.0, pixelated=False,
                                      interactive=False, pane="tilePane",
                                      attribution=escape(text("maps.osm_attribution", lang))).add_to(group)
    plan = data.plan

    def allowed(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        assert rule is not None
        x, y = _from_lonlat(plan, lon, lat)
        return rule.clear(np.column_stack([x, y]))

    for label in street_labels(data.basemap, corners, None if rule is None else allowed):
        kind = "major" if label.major else "minor"
        icon = folium.DivIcon(html=f'<div style="--a:{label.angle:.1f}deg">{escape(label.name)}</div>',
                              icon_size=(0, 0), icon_anchor=(0, 0),
                              class_name=f"cocoon-street cocoon-street-{kind} cocoon-label-{label.zoom}")
        folium.Marker([round(label.lat, 6), round(label.lon, 6)], icon=icon, interactive=False, keyboard=False,
                      pane=LABEL_PANE).add_to(group)
    group.add_to(m)


def _from_lonlat(plan: Plan, lon: ArrayLike, lat: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    from pyproj import Transformer

    x, y = Transformer.from_crs(4326, plan.crs, always_xy=True).transform(np.asarray(lon, dtype=float),
                                                                        np.asarray(lat, dtype=float))
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float)


def _lonlat(plan: Plan, x: ArrayLike, y: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    return to_lonlat(np.asarray(x, dtype=float), np.asarray(y, dtype=float), plan.crs)


def _fit(m: Any, lon: np.ndarray, lat: np.ndarray, *, top: int) -> None:
    """The view: the box around ``lon``, ``lat``, clear of the title panel (``top`` pixels)."""
    if len(lon):
        m.fit_bounds([[float(np.min(lat)), float(np.min(lon))], [float(np.max(lat)), float(np.max(lon))]],
                     padding_top_left=(20, top), padding_bottom_right=(20, 20))


# --- the internal map ------------------------------------------------------------------------------

def internal_map(data: MapData, *, lang: str, offline: bool = False) -> str:
    """The team's map: zones, burglaries, households, routes and signs."""
    import folium

    plan = data.plan
    t = translator(lang)
    title = t("maps.title_internal", date=plan.date.isoformat())
    m = _new_map(title, offline=offline, lang=lang)
    if offline:
        _add_basemap(m, data, lang)
    lines = [("small", t("maps.internal_note"))]
    if len(plan.visits) > data.max_households:
        lines.append(("small", t("maps.households_limited", shown=data.max_households, total=len(plan.visits))))
    _title(m, title, lines)
    _zone_layers(m, plan, t)
    visits = plan.visits.head(data.max_households)
    _household_layer(m, visits, data.outcomes, lang)
    _burglary_layer(m, plan, t)
    routes: list[tuple[str, str]] = []
    if data.route_stops is not None and data.route_start is not None:
        routes = _route_layer(m, plan, data.route_stops, data.route_start, t)
    _add_signs(m, data.signs, lang=lang, weeks=False)
    folium.LayerControl(collapsed=False).add_to(m)
    _legend(m, t("maps.legend"), [(_zone_swatch(PHASE_COLOURS["high"]), t("phase.high")),
                                  (_zone_swatch(PHASE_COLOURS["elevated"]), t("phase.elevated")),
                                  (_dot("black"), t("maps.burglaries")),
                                  *[(_dot(TIER_COLOURS[k]), t("maps.tier", tier=k)) for k in "ABC"],
                                  *routes,
                                  *([(SIGN_SWATCH, t("maps.signs"))] if data.signs is not None and len(data.signs)
                                    else [])])
    zones = plan.zones
    lon, lat = to_lonlat(np.r_[zones.total_bounds[[0, 2]]], np.r_[zones.total_bounds[[1, 3]]], plan.crs) if len(zones) \
        else (visits["lon"].to_numpy(), visits["lat"].to_numpy())
    _fit(m, lon, lat, top=80)
    return finish(m, offline=offline)


def _zone_layers(m: Any, plan: Plan, t: Callable[..., str]) -> None:
    """One layer per phase: a circle per zone with its burglary, phase and days left."""
    import folium

    zones = plan.zones
    zlon, zlat = _lonlat(plan, zones.geometry.centroid.x.to_numpy(), zones.geometry.centroid.y.to_numpy())
    for phase in ("elevated", "high"):
        group = folium.FeatureGroup(name=t(f"maps.zones_{phase}"))
        for k in np.flatnonzero(zones["phase"].to_numpy() == phase):
            row = zones.iloc[k]
            circle = folium.Circle([float(zlat[k]), float(zlon[k])], radius=float(row["radius_m"]),
                                   color=PHASE_COLOURS[phase], fill=True, fill_opacity=0.08, weight=2)
            bind(circle, popup=f"<b>{escape(row['burglary_id'])}</b><br>{escape(t('phase.' + phase))}<br>"
                               f"{escape(t('maps.days_left', n=int(row['days_left'])))}")
            circle.add_to(group)
        group.add_to(m)


def _burglary_layer(m: Any, plan: Plan, t: Callable[..., str]) -> None:
    """The active burglaries with id, date and address."""
    import folium

    active = plan.burglaries[plan.burglaries["phase"].isin(PHASES)]
    blon, blat = _lonlat(plan, active.geometry.x, active.geometry.y)
    group = folium.FeatureGroup(name=t("maps.burglaries"))
    for k, row in enumerate(active.itertuples(index=False)):
        marker = folium.CircleMarker([float(blat[k]), float(blon[k])], radius=6, color="white", fill=True,
                                     fill_color="black", fill_opacity=1.0, weight=2)
        day = str(row.last_day)[:10]
        bind(marker, popup=f"<b>{escape(row.burglary_id)}</b><br>{escape(day)}<br>{escape(row.address or '')}")
        marker.add_to(group)
    group.add_to(m)


def _household_layer(m: Any, visits: pd.DataFrame, outcomes: dict[str, tuple[str, str]], lang: str) -> None:
    """Households coloured by tier, with the latest outcome from the store."""
    import folium

    t = translator(lang)
    group = folium.FeatureGroup(name=t("maps.households"))
    sentences = why_column(visits, lang)
    for row, sentence in zip(visits.itertuples(index=False), sentences, strict=True):
        marker = folium.CircleMarker([float(row.lat), float(row.lon)], radius=3.5, stroke=False, fill=True,
                                     fill_color=TIER_COLOURS.get(str(row.tier), "#555"), fill_opacity=0.75)
        line = t("maps.household_line", tier=row.tier, dwellings=number(float(row.dwellings), lang),
                 score=number(float(row.score), lang, 1), distance=number(float(row.distance_m), lang))
        lines = [f"<b>{escape(row.label)}</b>", escape(line), escape(sentence)]
        if str(row.household_id) in outcomes:
            outcome, when = outcomes[str(row.household_id)]
            lines.append(escape(t("maps.outcome", outcome=t(f"outcome.{outcome}"), time=when)))
        bind(marker, popup="<br>".join(lines))
        marker.add_to(group)
    group.add_to(m)


def route_style(officer: int) -> tuple[str, str | None]:
    """Officer ``officer``'s (1, 2, ...) colour, and dash pattern once the colours have come round."""
    k = max(int(officer) - 1, 0)
    return ROUTE_COLOURS[k % len(ROUTE_COLOURS)], ROUTE_DASHES[(k // len(ROUTE_COLOURS)) % len(ROUTE_DASHES)]


def officer_names(route_stops: pd.DataFrame, t: Callable[..., str]) -> dict[int, str]:
    """Each officer's name where the officers were named (``officer_name``), else "Officer N"."""
    names = {}
    for officer, stops in route_stops.groupby("officer", sort=True):
        given = [str(v).strip() for v in stops["officer_name"] if not pd.isna(v) and str(v).strip()] \
            if "officer_name" in stops else []
        names[int(officer)] = given[0] if given else t("maps.officer", n=int(officer))
    return names


def stop_offsets(lon: ArrayLike, lat: ArrayLike, *, zoom: float = NUMBERS_ZOOM,
                 size: float = STOP_SIZE) -> np.ndarray:
    """Screen offsets (pixels, x right, y down) that keep numbered stops ``size`` pixels apart at
    ``zoom``: stops at one place or close together are pushed apart as little as needed. At higher
    zooms the stops only move further apart, so they stay readable."""
    from scipy.spatial import cKDTree

    x, y = _to_web(lon, lat)
    upp = _units_per_pixel(zoom)
    start = np.column_stack([x / upp, -y / upp])
    points = start.copy()
    golden = math.pi * (3.0 - math.sqrt(5.0))
    for _ in range(300):
        pairs = cKDTree(points).query_pairs(size - 1e-6, output_type="ndarray")
        if len(pairs) == 0:
            break
        a, b = pairs[:, 0], pairs[:, 1]
        gap = points[b] - points[a]
        distance = np.hypot(gap[:, 0], gap[:, 1])
        same = distance < 1e-6
        turn = golden * b[same]
        gap[same] = np.column_stack([np.cos(turn), np.sin(turn)])
        distance[same] = 1.0
        push = ((size - distance) / 2.0 + 0.05)[:, None] * gap / distance[:, None]
        move = np.zeros_like(points)
        np.add.at(move, a, -push)
        np.add.at(move, b, push)
        points += move
    return points - start


def _route_layer(m: Any, plan: Plan, route_stops: pd.DataFrame, start: tuple[float, float],
                 t: Callable[..., str]) -> list[tuple[str, str]]:
    """Each officer's route line and numbered stops, in the officer's colour; the legend's entries."""
    import folium

    group = folium.FeatureGroup(name=t("maps.routes"))
    slon, slat = _lonlat(plan, [start[0]], [start[1]])
    home = [float(slat[0]), float(slon[0])]
    names = officer_names(route_stops, t)
    stops = route_stops.sort_values(["officer", "stop"])
    offsets = stop_offsets(stops["lon"].to_numpy(dtype=float), stops["lat"].to_numpy(dtype=float)) if len(stops) \
        else np.empty((0, 2))
    legend = []
    at = 0
    for officer, own in stops.groupby("officer", sort=True):
        colour, dash = route_style(int(officer))
        name = escape(names[int(officer)])
        path = [home, *[[float(a), float(o)] for a, o in zip(own["lat"], own["lon"], strict=True)], home]
        line = folium.PolyLine(path, color=colour, weight=5, opacity=0.9, dash_array=dash, class_name="cocoon-route")
        bind(line, tooltip=name)
        line.add_to(group)
        shape = " square" if dash else ""
        for row in own.itertuples(index=False):
            dx, dy = offsets[at]
            at += 1
            icon = folium.DivIcon(html=f'<div class="cocoon-stop{shape}" style="background:{colour};'
                                       f'--dx:{dx:.1f}px;--dy:{dy:.1f}px">{int(row.stop)}</div>',
                                  icon_size=(round(STOP_SIZE), round(STOP_SIZE)),
                                  icon_anchor=(round(STOP_SIZE / 2), round(STOP_SIZE / 2)))
            marker = folium.Marker([float(row.lat), float(row.lon)], icon=icon)
            bind(marker, popup=f"<b>{name} · {int(row.stop)}</b><br>{escape(row.label)}<br>{escape(row.arrival)}",
                 tooltip=f"{name} · {int(row.stop)}")
            marker.add_to(group)
        legend.append((_line_swatch(colour, dash), names[int(officer)]))
    group.add_to(m)
    return legend


def _add_signs(m: Any, signs: pd.DataFrame | None, *, lang: str, weeks: bool,
               points: tuple[np.ndarray, np.ndarray] | None = None) -> None:
    import folium

    if signs is None or len(signs) == 0:
        return
    group = folium.FeatureGroup(name=text("maps.signs", lang))
    lon, lat = (signs["lon"].to_numpy(), signs["lat"].to_numpy()) if points is None else points
    for k, row in enumerate(signs.itertuples(index=False)):
        icon = folium.DivIcon(html='<div class="cocoon-sign">&#9650;</div>', icon_size=(20, 20), icon_anchor=(10, 12))
        marker = folium.Marker([float(lat[k]), float(lon[k])], icon=icon)
        if weeks:
            label = text("maps.sign_weeks", lang, up=week_label(row.up), down=week_label(row.down))
        else:
            label = text("maps.sign_dates", lang, sign=row.sign_id, up=row.up, down=row.down)
        bind(marker, popup=escape(label))
        marker.add_to(group)
    group.add_to(m)


# --- the public map --------------------------------------------------------------------------------

def _public_view(plan: Plan, points: PublicPoints) -> np.ndarray | None:
    """The corners of the public map's view, which are published too: kept to the privacy rule."""
    placed = points.zones[points.zone_placed]
    if len(placed) == 0:
        return None
    x, y = placed[:, 0], placed[:, 1]
    pad = float(plan.zones["radius_m"].max())
    corners = np.array([[x.min() - pad, y.min() - pad], [x.max() + pad, y.max() + pad]])
    for _ in range(50):
        if plan.privacy_rule.clear(corners).all():
            break
        pad += 100.0
        corners = np.array([[x.min() - pad, y.min() - pad], [x.max() + pad, y.max() + pad]])
    return corners


def public_map(data: MapData, *, lang: str, offline: bool = False) -> tuple[str, list[tuple[str, dict[str, Any]]]]:
    """For residents: zones and signs only, generalised, with week labels; no households, no free
    text. Titled with what the areas mean, the week and how to reach the police. Also notes on zones
    and signs left off because no place near them keeps the privacy rule."""
    import folium

    plan = data.plan
    t = translator(lang)
    handout = plan.settings.handout
    area = handout.area_name.strip()
    heading = t("maps.title_public_area", area=area) if area else t("maps.title_public")
    m = _new_map(heading, offline=offline, lang=lang)
    points = public_points(plan, data.signs)
    notes: list[tuple[str, dict[str, Any]]] = []
    if (~points.zone_placed).any():
        notes.append(("maps.zones_left_out", {"n": int((~points.zone_placed).sum()), "k": plan.privacy_rule.k}))
    if (~points.sign_placed).any():
        notes.append(("maps.signs_left_out", {"n": int((~points.sign_placed).sum()), "k": plan.privacy_rule.k}))
    if offline:
        _add_basemap(m, data, lang, rule=plan.privacy_rule)
    _title(m, heading, [("lead", t("maps.public_explanation", week=iso_week(plan.date)[1])),
                        ("", t("maps.public_advice")),
                        ("small", t("maps.public_contact", police=handout.police_phone,
                                    emergency=handout.emergency_phone, website=handout.website))])
    zones = plan.zones
    view = None
    corners = _public_view(plan, points)
    if corners is not None:
        view = _lonlat(plan, corners[:, 0], corners[:, 1])
    zlon, zlat = _lonlat(plan, points.zones[:, 0], points.zones[:, 1])
    seen = set()
    for phase in ("elevated", "high"):
        group = folium.FeatureGroup(name=t(f"maps.zones_{phase}"))
        for k in np.flatnonzero((zones["phase"].to_numpy() == phase) & points.zone_placed):
            row = zones.iloc[k]
            key = (round(float(zlat[k]), 6), round(float(zlon[k]), 6), phase)
            if key in seen:  # burglaries in the same cell show as one zone
                continue
            seen.add(key)
            circle = folium.Circle([float(zlat[k]), float(zlon[k])], radius=float(row["radius_m"]),
                                   color=PHASE_COLOURS[phase], fill=True, fill_opacity=0.12, weight=2)
            bind(circle, popup=escape(t("maps.zone_weeks", phase=t(f"phase.{phase}"), up=week_label(row["start"]),
                                        down=week_label(row["end"]))))
            circle.add_to(group)
        group.add_to(m)
    if data.signs is not None and points.sign_placed.any():
        slon, slat = _lonlat(plan, points.signs[:, 0], points.signs[:, 1])
        keep = points.sign_placed
        _add_signs(m, data.signs[keep], lang=lang, weeks=True, points=(slon[keep], slat[keep]))
    folium.LayerControl(collapsed=True).add_to(m)
    _legend(m, t("maps.legend"), [(_zone_swatch(PHASE_COLOURS["high"]), t("maps.public_high")),
                                  (_zone_swatch(PHASE_COLOURS["elevated"]), t("maps.public_elevated")),
                                  (SIGN_SWATCH, t("maps.public_signs"))])
    if view is not None:
        _fit(m, *view, top=120)
    return finish(m, offline=offline), notes


def finish(m: Any, *, offline: bool) -> str:
    """The page as text; offline: Leaflet's JS, CSS and images inlined from the installed package."""
    page = m.get_root().render()
    if not offline:
        return page

    script, css = leaflet_inline()
    inline = "<script>" + script + "</script>"
    page = page.replace(f'<script src="{LEAFLET_JS}"></script>', inline)
    page = page.replace(f'<link rel="stylesheet" href="{LEAFLET_CSS}"/>', f"<style>{css}</style>")
    return page
