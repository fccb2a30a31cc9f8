"""The pieces every map page is made of: the folium map with its style sheet and title panel, the
legend, text made safe for the page, popups bound as JSON strings, and the finished HTML.

Everything shown is HTML-escaped, and popups are bound with JSON strings, so text from police
records can never run as code. The pages need only Leaflet: ``offline=True`` inlines Leaflet's
JS, CSS and images from the installed ``django-js-lib-leaflet`` package.
"""

from __future__ import annotations

import html
import json
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike

from cocoon.catalogue import text
from cocoon.geo.crs import to_lonlat
from cocoon.publish.leaflet import leaflet_inline

if TYPE_CHECKING:
    from cocoon.risk.daily_plan import Plan

LEAFLET_JS = "https://cdn.jsdelivr.net/npm/leaflet@1.9.4/dist/leaflet.js"
LEAFLET_CSS = "https://cdn.jsdelivr.net/npm/leaflet@1.9.4/dist/leaflet.css"
PHASE_COLOURS = {"high": "#d7191c", "elevated": "#f5a623"}
TIER_COLOURS = {"A": "#3f007d", "B": "#756bb1", "C": "#b3b0d6"}
"""Darker for the households to visit first; purples, so that no tier looks like an officer's route."""
MAX_ZOOM = 19
NUMBERS_ZOOM = 16
"""Stop numbers show from this zoom on; below it each stop is a dot in its officer's colour."""
STOP_SIZE = 22.0
"""A numbered stop's diameter in pixels: stops closer than this at NUMBERS_ZOOM are moved apart."""


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
    return (
        json.dumps(value).replace("</", "<\\/").replace("{", "\\u007b").replace("}", "\\u007d").replace("%", "\\u0025")
    )


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
    layer.add_child(
        _bound_class()(
            None if popup is None else script_string(popup), None if tooltip is None else script_string(tooltip)
        )
    )


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


def add_style(m: Any, css: str) -> None:
    m.get_root().header.add_child(_element(f"<style>{css}</style>"))


PAGE_CSS = (
    """
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
"""
    + "".join(f".leaflet-container.cocoon-z{z} .cocoon-label-{z} {{ display: block; }}\n" for z in range(10, 20))
    + f""".cocoon-z{NUMBERS_ZOOM} .cocoon-stop {{ width: {STOP_SIZE:g}px; height: {STOP_SIZE:g}px; margin: 0;
  font: bold 12px/{STOP_SIZE - 4:g}px sans-serif; transform: translate(var(--dx), var(--dy)); }}
"""
)


def legend(m: Any, title: str, items: list[tuple[str, str]]) -> None:
    """The legend: (swatch HTML made here, label) pairs; labels are escaped."""
    rows = "".join(f'<div><span class="swatch">{swatch}</span>{escape(label)}</div>' for swatch, label in items)
    m.get_root().html.add_child(_element(f'<div class="cocoon-legend"><b>{escape(title)}</b>{rows}</div>'))


def dot_swatch(colour: str) -> str:
    return f'<i class="dot" style="background:{colour}"></i>'


def zone_swatch(colour: str) -> str:
    return f'<i class="zone" style="border-color:{colour};background:{colour}40"></i>'


def line_swatch(colour: str, dash: str | None) -> str:
    pattern = f' stroke-dasharray="{dash}"' if dash else ""
    return (
        f'<svg width="26" height="10"><line x1="1" y1="5" x2="25" y2="5" stroke="{colour}" stroke-width="4"'
        f"{pattern}/></svg>"
    )


SIGN_SWATCH = '<span class="cocoon-sign" style="font-size:15px">&#9650;</span>'


def title_panel(m: Any, heading: str, lines: list[tuple[str, str]]) -> None:
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
    note = (
        f'<div id="cocoon-no-network" role="alert" style="display:none;position:fixed;top:0;left:0;right:0;'
        f"z-index:10000;padding:10px 14px;background:#fff3bf;border-bottom:2px solid #e8a200;"
        f'font:15px/1.4 sans-serif;color:#222">{escape(text("maps.no_network", lang))}</div>'
    )
    m.get_root().html.add_child(_element(note + NO_NETWORK_SCRIPT))


def new_map(title: str, *, offline: bool, lang: str = "en") -> Any:
    import folium

    m: Any = folium.Map(tiles=None, control_scale=True, prefer_canvas=False, zoom_snap=0.25)
    m.options["maxZoom"] = MAX_ZOOM  # folium gives max_zoom to tile layers only; without tiles the map needs it
    m.default_js = [("leaflet", LEAFLET_JS)]
    m.default_css = [("leaflet_css", LEAFLET_CSS)]
    if not offline:
        folium.TileLayer("OpenStreetMap", name="OpenStreetMap", control=False, max_zoom=MAX_ZOOM).add_to(m)
        _no_network_note(m, lang)
    add_style(m, PAGE_CSS)
    m.get_root().header.add_child(_element(f"<title>{escape(title)}</title>"))
    m.add_child(_zoom_classes()())
    return m


# --- the offline basemap ---------------------------------------------------------------------------


def plan_from_lonlat(plan: Plan, lon: ArrayLike, lat: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    from pyproj import Transformer

    x, y = Transformer.from_crs(4326, plan.crs, always_xy=True).transform(
        np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    )
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float)


def plan_lonlat(plan: Plan, x: ArrayLike, y: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    return to_lonlat(np.asarray(x, dtype=float), np.asarray(y, dtype=float), plan.crs)


def fit_view(m: Any, lon: np.ndarray, lat: np.ndarray, *, top: int) -> None:
    """The view: the box around ``lon``, ``lat``, clear of the title panel (``top`` pixels)."""
    if len(lon):
        m.fit_bounds(
            [[float(np.min(lat)), float(np.min(lon))], [float(np.max(lat)), float(np.max(lon))]],
            padding_top_left=(20, top),
            padding_bottom_right=(20, 20),
        )


def finish(m: Any, *, offline: bool) -> str:
    """The page as text; offline: Leaflet's JS, CSS and images inlined from the installed package."""
    page: str = m.get_root().render()
    if not offline:
        return page

    script, css = leaflet_inline()
    inline = "<script>" + script + "</script>"
    page = page.replace(f'<script src="{LEAFLET_JS}"></script>', inline)
    page = page.replace(f'<link rel="stylesheet" href="{LEAFLET_CSS}"/>', f"<style>{css}</style>")
    return page
