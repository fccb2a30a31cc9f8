"""Two one-file maps (folium/Leaflet): ``map.html`` for the team, ``map-public.html`` for residents.

The internal map shows zones by phase, burglaries, households by tier (with the latest
outcome when a store is used), the numbered route stops and lines, and sign sites. The public
map shows only zones and signs, with week labels; every point in it is first moved away from
victims' homes (:mod:`cocoon.geo.privacy`), and it carries no households and no free text.

Everything shown is HTML-escaped, and popups are bound with JSON strings, so text from police
records can never run as code. The pages need only Leaflet: ``offline=True`` inlines Leaflet's
JS, CSS and images from the installed ``django-js-lib-leaflet`` package and draws a basemap of
streets and buildings from the OpenStreetMap extract when one is given.
"""

from __future__ import annotations

import base64
import html
import json
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from cocoon.catalogue import text, translator
from cocoon.geo.crs import Bounds, to_lonlat
from cocoon.geo.privacy import generalise
from cocoon.publish.charts import figure, png_bytes
from cocoon.publish.weeks import week_label
from cocoon.risk.zones import PHASES

if TYPE_CHECKING:
    from cocoon.risk.daily_plan import Plan

LEAFLET_JS = "https://cdn.jsdelivr.net/npm/leaflet@1.9.4/dist/leaflet.js"
LEAFLET_CSS = "https://cdn.jsdelivr.net/npm/leaflet@1.9.4/dist/leaflet.css"
PHASE_COLOURS = {"high": "#d7191c", "elevated": "#f5a623"}
TIER_COLOURS = {"A": "#7b1fa2", "B": "#1f78b4", "C": "#6a9f3a"}


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
class MapData:
    """What the maps show: the plan, and when the field pack was made, its routes and signs."""

    plan: Plan
    route_stops: pd.DataFrame | None = None
    """One row per routed stop (officer, stop, label, lon, lat, arrival), or None without routes."""
    route_start: tuple[float, float] | None = None
    """Where the walks start and end, in the plan's metric CRS."""
    signs: pd.DataFrame | None = None
    outcomes: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Latest outcome and time per household id (from the store)."""
    basemap: tuple[Any, Any] | None = None
    """(streets, buildings) GeoDataFrames in lon/lat for the offline basemap, or None."""
    max_households: int = 2000


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


def _element(html_text: str) -> Any:
    """A piece of the page's HTML, for folium."""
    from branca.element import Element

    return Element(html_text)


def _header(m: Any, css: str) -> None:
    m.get_root().header.add_child(_element(f"<style>{css}</style>"))


PRINT_CSS = """
@media print { .leaflet-control-layers, .leaflet-control-zoom { display: none; }
  html, body { width: 100%; height: 100%; } * { print-color-adjust: exact; -webkit-print-color-adjust: exact; } }
.cocoon-legend { position: fixed; bottom: 70px; left: 10px; z-index: 1000; background: white; padding: 6px 10px;
  border: 1px solid #999; border-radius: 4px; font: 12px sans-serif; line-height: 1.5; }
.cocoon-legend i { display: inline-block; width: 12px; height: 12px; margin-right: 6px; border-radius: 50%; }
.cocoon-sign { color: #f2c500; font: 18px/18px sans-serif; text-shadow: 0 0 2px #000; text-align: center; }
.cocoon-stop { background: #222; color: white; border-radius: 50%; text-align: center;
  font: bold 11px/20px sans-serif; }
"""


def _legend(m: Any, title: str, items: list[tuple[str, str]]) -> None:
    rows = "".join(f'<div><i style="background:{colour}"></i>{escape(label)}</div>' for colour, label in items)
    m.get_root().html.add_child(_element(f'<div class="cocoon-legend"><b>{escape(title)}</b>{rows}</div>'))


def _new_map(title: str, *, offline: bool) -> Any:
    import folium

    m: Any = folium.Map(tiles=None, control_scale=True, prefer_canvas=False)
    m.default_js = [("leaflet", LEAFLET_JS)]
    m.default_css = [("leaflet_css", LEAFLET_CSS)]
    if not offline:
        folium.TileLayer("OpenStreetMap", name="OpenStreetMap", control=False).add_to(m)
    _header(m, PRINT_CSS)
    m.get_root().header.add_child(_element(f"<title>{escape(title)}</title>"))
    return m


def basemap_png(basemap: tuple[Any, Any], corners_lonlat: np.ndarray) -> bytes:
    """Streets and buildings drawn as one picture in Web Mercator over ``corners_lonlat``
    ([[west, south], [east, north]]), so the page carries no street or building coordinates."""

    streets, buildings = basemap
    from pyproj import Transformer

    to_web = Transformer.from_crs(4326, 3857, always_xy=True)
    (x0, x1), (y0, y1) = to_web.transform(corners_lonlat[:, 0], corners_lonlat[:, 1])
    width = 10.0
    fig = figure(width, max(1.0, width * (y1 - y0) / max(x1 - x0, 1.0)))
    fig.set_layout_engine("none")
    ax = fig.add_axes((0, 0, 1, 1))
    if buildings is not None and len(buildings):
        buildings.to_crs(3857).plot(ax=ax, color="#dcdcdc", edgecolor="#c0c0c0", linewidth=0.2)
    if streets is not None and len(streets):
        streets.to_crs(3857).plot(ax=ax, color="#9a9a9a", linewidth=0.6)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_axis_off()
    fig.set_dpi(160)
    return png_bytes(fig)


def _add_basemap(m: Any, basemap: tuple[Any, Any] | None, corners_lonlat: np.ndarray | None, lang: str) -> None:
    import folium

    if basemap is None or corners_lonlat is None:
        return
    data = base64.b64encode(basemap_png(basemap, corners_lonlat)).decode("ascii")
    (west, south), (east, north) = corners_lonlat
    folium.raster_layers.ImageOverlay(f"data:image/png;base64,{data}", bounds=[[south, west], [north, east]],
                                      name=text("maps.basemap", lang), opacity=1.0, zindex=0).add_to(m)


def _lonlat(plan: Plan, x: ArrayLike, y: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    return to_lonlat(np.asarray(x, dtype=float), np.asarray(y, dtype=float), plan.crs)


def _fit(m: Any, lon: np.ndarray, lat: np.ndarray) -> None:
    if len(lon):
        m.fit_bounds([[float(np.min(lat)), float(np.min(lon))], [float(np.max(lat)), float(np.max(lon))]])


def internal_map(data: MapData, *, lang: str, offline: bool = False) -> str:
    """The team's map: zones, burglaries, households, routes and signs."""
    import folium

    plan = data.plan
    t = translator(lang)
    m = _new_map(t("maps.title_internal", date=plan.date.isoformat()), offline=offline)
    zones = plan.zones
    if offline and data.basemap is not None and len(zones):
        box = zones.total_bounds
        pad = 300.0
        lon, lat = to_lonlat(np.r_[box[0] - pad, box[2] + pad], np.r_[box[1] - pad, box[3] + pad], plan.crs)
        _add_basemap(m, data.basemap, np.column_stack([lon, lat]), lang)
    _zone_layers(m, plan, t)
    _burglary_layer(m, plan, t)
    visits = plan.visits.head(data.max_households)
    _household_layer(m, visits, data.outcomes, t)
    if data.route_stops is not None and data.route_start is not None:
        _route_layer(m, plan, data.route_stops, data.route_start, t)
    _add_signs(m, data.signs, lang=lang, weeks=False)
    folium.LayerControl(collapsed=False).add_to(m)
    _legend(m, t("maps.legend"), [(PHASE_COLOURS["high"], t("phase.high")),
                                  (PHASE_COLOURS["elevated"], t("phase.elevated")),
                                  ("black", t("maps.burglaries")),
                                  *[(TIER_COLOURS[k], t("maps.tier", tier=k)) for k in "ABC"]])
    lon, lat = to_lonlat(np.r_[zones.total_bounds[[0, 2]]], np.r_[zones.total_bounds[[1, 3]]], plan.crs) if len(zones) \
        else (visits["lon"].to_numpy(), visits["lat"].to_numpy())
    _fit(m, lon, lat)
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
                                   color=PHASE_COLOURS[phase], fill=True, fill_opacity=0.15, weight=2)
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
        marker = folium.CircleMarker([float(blat[k]), float(blon[k])], radius=6, color="black", fill=True,
                                     fill_color="black", fill_opacity=0.9, weight=1)
        day = str(row.last_day)[:10]
        bind(marker, popup=f"<b>{escape(row.burglary_id)}</b><br>{escape(day)}<br>{escape(row.address or '')}")
        marker.add_to(group)
    group.add_to(m)


def _household_layer(m: Any, visits: pd.DataFrame, outcomes: dict[str, tuple[str, str]],
                     t: Callable[..., str]) -> None:
    """Households coloured by tier, with the latest outcome from the store."""
    import folium

    group = folium.FeatureGroup(name=t("maps.households"))
    for row in visits.itertuples(index=False):
        marker = folium.CircleMarker([float(row.lat), float(row.lon)], radius=4,
                                     color=TIER_COLOURS.get(str(row.tier), "#555"), fill=True, fill_opacity=0.8,
                                     weight=1)
        lines = [f"<b>{escape(row.label)}</b>", escape(t("maps.household_line", tier=row.tier, dwellings=row.dwellings,
                                                          score=f"{row.score:.1f}", distance=f"{row.distance_m:.0f}"))]
        if str(row.household_id) in outcomes:
            outcome, when = outcomes[str(row.household_id)]
            lines.append(escape(t("maps.outcome", outcome=t(f"outcome.{outcome}"), time=when)))
        bind(marker, popup="<br>".join(lines))
        marker.add_to(group)
    group.add_to(m)


def _route_layer(m: Any, plan: Plan, route_stops: pd.DataFrame, start: tuple[float, float],
                 t: Callable[..., str]) -> None:
    """Each officer's route line and numbered stops."""
    import folium

    group = folium.FeatureGroup(name=t("maps.routes"))
    slon, slat = _lonlat(plan, [start[0]], [start[1]])
    home = [float(slat[0]), float(slon[0])]
    for officer, stops in route_stops.groupby("officer", sort=True):
        path = [home, *[[float(a), float(o)] for a, o in zip(stops["lat"], stops["lon"], strict=True)], home]
        line = folium.PolyLine(path, color="#222", weight=3, opacity=0.8)
        bind(line, tooltip=escape(t("visit_list.officer", n=int(officer))))
        line.add_to(group)
        for row in stops.itertuples(index=False):
            icon = folium.DivIcon(html=f'<div class="cocoon-stop">{int(row.stop)}</div>', icon_size=(20, 20),
                                  icon_anchor=(10, 10))
            marker = folium.Marker([float(row.lat), float(row.lon)], icon=icon)
            bind(marker, popup=f"<b>{escape(t('visit_list.officer', n=int(officer)))} · {int(row.stop)}</b><br>"
                               f"{escape(row.label)}<br>{escape(row.arrival)}")
            marker.add_to(group)
    group.add_to(m)


def _add_signs(m: Any, signs: pd.DataFrame | None, *, lang: str, weeks: bool,
               points: tuple[np.ndarray, np.ndarray] | None = None) -> None:
    import folium

    if signs is None or len(signs) == 0:
        return
    group = folium.FeatureGroup(name=text("maps.signs", lang))
    lon, lat = (signs["lon"].to_numpy(), signs["lat"].to_numpy()) if points is None else points
    for k, row in enumerate(signs.itertuples(index=False)):
        icon = folium.DivIcon(html='<div class="cocoon-sign">&#9650;</div>', icon_size=(18, 18), icon_anchor=(9, 9))
        marker = folium.Marker([float(lat[k]), float(lon[k])], icon=icon)
        if weeks:
            label = text("maps.sign_weeks", lang, up=week_label(row.up), down=week_label(row.down))
        else:
            label = text("maps.sign_dates", lang, sign=row.sign_id, up=row.up, down=row.down)
        bind(marker, popup=escape(label))
        marker.add_to(group)
    group.add_to(m)


@dataclass
class PublicPoints:
    """Zone centres and sign sites as the public map shows them (metric CRS)."""

    zones: np.ndarray
    zone_placed: np.ndarray
    """False for a zone no place near which keeps the privacy rule: it is left off."""
    signs: np.ndarray
    sign_placed: np.ndarray


def public_points(plan: Plan, signs: pd.DataFrame | None) -> PublicPoints:
    """Zone centres and sign sites moved to grid-cell centres that keep the privacy rule: no
    victim's home among the nearest households, none too close (:mod:`cocoon.geo.privacy`)."""
    rule, cells = plan.privacy_rule, plan.settings.privacy
    centres = np.column_stack([plan.zones.geometry.centroid.x.to_numpy(), plan.zones.geometry.centroid.y.to_numpy()])
    zones, zone_placed = generalise(centres, rule, cell=cells.zone_cell_m)
    sites = np.empty((0, 2)) if signs is None or len(signs) == 0 else \
        np.column_stack([signs["x"].to_numpy(dtype=float), signs["y"].to_numpy(dtype=float)])
    sign_points, sign_placed = generalise(sites, rule, cell=cells.sign_cell_m)
    return PublicPoints(zones=zones, zone_placed=zone_placed, signs=sign_points, sign_placed=sign_placed)


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
    text. Also notes on zones and signs left off because no place near them keeps the privacy rule."""
    import folium

    plan = data.plan
    t = translator(lang)
    m = _new_map(t("maps.title_public"), offline=offline)
    points = public_points(plan, data.signs)
    notes: list[tuple[str, dict[str, Any]]] = []
    if (~points.zone_placed).any():
        notes.append(("maps.zones_left_out", {"n": int((~points.zone_placed).sum()), "k": plan.privacy_rule.k}))
    if (~points.sign_placed).any():
        notes.append(("maps.signs_left_out", {"n": int((~points.sign_placed).sum()), "k": plan.privacy_rule.k}))
    zones = plan.zones
    view = None
    corners = _public_view(plan, points)
    if corners is not None:
        lon, lat = _lonlat(plan, corners[:, 0], corners[:, 1])
        view = (lon, lat)
        if offline and data.basemap is not None:
            _add_basemap(m, data.basemap, np.column_stack([lon, lat]), lang)
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
                                   color=PHASE_COLOURS[phase], fill=True, fill_opacity=0.15, weight=2)
            bind(circle, popup=escape(t("maps.zone_weeks", phase=t(f"phase.{phase}"), up=week_label(row["start"]),
                                        down=week_label(row["end"]))))
            circle.add_to(group)
        group.add_to(m)
    if data.signs is not None and points.sign_placed.any():
        slon, slat = _lonlat(plan, points.signs[:, 0], points.signs[:, 1])
        keep = points.sign_placed
        _add_signs(m, data.signs[keep], lang=lang, weeks=True, points=(slon[keep], slat[keep]))
    folium.LayerControl(collapsed=False).add_to(m)
    _legend(m, t("maps.legend"), [(PHASE_COLOURS["high"], t("phase.high")), (PHASE_COLOURS["elevated"],
                                                                             t("phase.elevated")),
                                  ("#f2c500", t("maps.signs"))])
    if view is not None:
        _fit(m, *view)
    return finish(m, offline=offline), notes


def finish(m: Any, *, offline: bool) -> str:
    """The page as text; offline: Leaflet's JS, CSS and images inlined from the installed package."""
    page = m.get_root().render()
    if not offline:
        return page

    folder = resources.files("js_lib_leaflet") / "static" / "js_lib_leaflet"
    script = (folder / "leaflet.js").read_text(encoding="utf-8")
    css = (folder / "leaflet.css").read_text(encoding="utf-8")

    def image(match: re.Match[str]) -> str:
        name = match.group(1)
        data = base64.b64encode((folder / "images" / name).read_bytes()).decode("ascii")
        return f"url(data:image/{name.rsplit('.', 1)[-1]};base64,{data})"

    css = re.sub(r"url\(images/([\w.-]+)\)", image, css)
    inline = "<script>" + script.replace("</script", "<\\/script") + "</script>"
    page = page.replace(f'<script src="{LEAFLET_JS}"></script>', inline)
    page = page.replace(f'<link rel="stylesheet" href="{LEAFLET_CSS}"/>', f"<style>{css}</style>")
    return page


def basemap_from_osm(path: str | Path, bounds: Bounds) -> tuple[Any, Any] | None:
    """Streets and buildings of an OpenStreetMap extract within lon/lat ``bounds``, for offline maps."""

    import pyrosm

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # relations cut at the box edge are fine for a picture
            osm = pyrosm.OSM(str(path), bounding_box=list(bounds))
            streets = osm.get_network(network_type="walking")
            buildings = osm.get_buildings()
    except Exception:  # a basemap is a nicety: the map works without it
        return None
    if streets is not None:
        streets = streets[["geometry"]]
    if buildings is not None:
        buildings = buildings[["geometry"]]
    return streets, buildings
