"""Nothing a volunteer or resident sees leads to a victim.

For every public output (the public map, the sign poster, the handout, sign sites) and the
volunteer list: no victim household, no household at a victim's address or in their building, no
point whose 8 nearest households include a victim's home, and no exact date. Checked on the
demo data and on a rural road where houses stand 300 m apart.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from scipy.spatial import cKDTree

from cocoon.cli import main

ROOT = Path(__file__).resolve().parents[1]
K = 8
PUBLIC_HTML = ("map-public.html", "sign-poster.html", "handout.html")
PUBLIC_PDF = ("sign-poster.pdf", "handout.pdf")


def run(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args])


def metric(lon, lat, crs: int) -> np.ndarray:
    points = gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs=4326).to_crs(crs)
    return np.column_stack([points.x, points.y])


def public_positions(page: str) -> np.ndarray:
    """(lon, lat) of every circle and marker drawn on a map page."""
    found = re.findall(r"L\.(?:circle|marker|circleMarker)\(\s*\[\s*(-?\d+\.\d+)\s*,\s*(-?\d+\.\d+)\s*\]", page)
    return np.array([(float(lon), float(lat)) for lat, lon in found]).reshape(-1, 2)


def nearest_include_victim(points: np.ndarray, homes: np.ndarray, victim: np.ndarray, k: int = K) -> list[int]:
    """Indices of the points whose k nearest homes include a victim's home."""
    if len(points) == 0:
        return []
    _, nearest = cKDTree(homes).query(points, k=min(k, len(homes)))
    return [i for i, row in enumerate(np.asarray(nearest).reshape(len(points), -1)) if victim[row].any()]


def dates_of(burglaries: pd.DataFrame) -> set[str]:
    """Every way a burglary's day could be written: 2026-05-01, 1/5, 01/05, 1.5."""
    days = set()
    for value in burglaries["date"]:
        day = dt.date.fromisoformat(str(value)[:10])
        days |= {day.isoformat(), f"{day.day}/{day.month}", f"{day.day:02d}/{day.month:02d}", f"{day.day}.{day.month}."}
    return days


def texts(out: Path, names: tuple[str, ...]) -> dict[str, str]:
    from pypdf import PdfReader

    found = {}
    for name in names:
        path = out / name
        if name.endswith(".pdf"):
            found[name] = " ".join(page.extract_text() for page in PdfReader(path).pages)
        else:
            found[name] = path.read_text(encoding="utf-8")
    return found


# --- the demo's Helsinki data ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def helsinki(tmp_path_factory):
    out = tmp_path_factory.mktemp("privacy") / "helsinki"
    result = run(
        "plan",
        "--burglaries",
        ROOT / "data/helsinki/burglaries-simulated.csv",
        "--households",
        ROOT / "data/helsinki/households.csv",
        "--date",
        "2026-05-04",
        "--out",
        out,
        "--lang",
        "en",
        "--officers",
        "2",
        "--start",
        "24.9461,60.1683",
        "--solver",
        "greedy",
        "--maps",
    )
    assert result.exit_code == 0, result.output
    households = pd.read_csv(ROOT / "data/helsinki/households.csv")
    burglaries = pd.read_csv(ROOT / "data/helsinki/burglaries-simulated.csv")
    return out, households, burglaries


def victims_of(
    households: pd.DataFrame, burglaries: pd.DataFrame, *, crs: int, match_m: float = 25.0, building_m: float = 10.0
) -> np.ndarray:
    """Worked out here from the rule's words: the household nearest each active burglary within
    match_m, every household whose label is the burglary's address, and everyone at their
    address or within building_m of them."""
    h = metric(households["lon"], households["lat"], crs)
    b = metric(burglaries["lon"], burglaries["lat"], crs)
    tree = cKDTree(h)
    distance, nearest = tree.query(b)
    core = set(nearest[distance <= match_m].tolist())
    labels = households["label"].astype(str).str.casefold().str.split().str.join(" ")
    for address in burglaries["address"].dropna().astype(str):
        key = " ".join(address.casefold().split())
        core |= set(np.flatnonzero(labels.to_numpy() == key).tolist())
    victim = np.zeros(len(households), dtype=bool)
    victim[list(core)] = True
    same_label = labels.isin(set(labels.iloc[list(core)]) if core else set()).to_numpy()
    near = np.zeros(len(households), dtype=bool)
    for i in core:
        near[tree.query_ball_point(h[i], building_m)] = True
    return victim | same_label | near


def active(burglaries: pd.DataFrame, on: dt.date = dt.date(2026, 5, 4), days: int = 56) -> pd.DataFrame:
    age = (pd.Timestamp(on) - pd.to_datetime(burglaries["date"])).dt.days
    return burglaries[(age >= 0) & (age <= days)].reset_index(drop=True)


def test_volunteer_list_has_no_victim_and_no_gaps_or_distances(helsinki):
    out, households, burglaries = helsinki
    victim = victims_of(households, active(burglaries), crs=32635)
    victim_ids = set(households.loc[victim, "household_id"])
    victim_labels = set(households.loc[victim, "label"].astype(str))
    page = (out / "visit-list-volunteer.html").read_text(encoding="utf-8")
    rows = re.findall(r"<tr><td>(\d+)</td><td>([^<]*)</td><td>([^<]*)</td>", page)
    assert rows, "the volunteer list is empty"
    listed = [household for _, household, _ in rows]
    assert not victim_ids & set(listed)
    assert not victim_labels & {label for _, _, label in rows}
    assert "Unioninkatu 43" not in page  # the burgled address of the shipped demo
    # stops 1..n per officer, without gaps that point at a left-out victim
    numbers = [int(n) for n, _, _ in rows]
    runs = np.split(np.array(numbers), np.flatnonzero(np.diff(numbers) != 1) + 1)
    assert all(list(r) == list(range(1, len(r) + 1)) for r in runs)
    assert " m</td>" not in page and "Distance" not in page and "burgled households" not in page
    assert "Tier" not in page and "Score" not in page and "recent" not in page  # nothing to fit a score to
    police = (out / "visit-list.html").read_text(encoding="utf-8")
    assert "Distance" in police and re.search(r"<td>\d+ m</td>", police)  # the police keep distances


def test_public_outputs_keep_victims_out_of_the_nearest_households(helsinki):
    out, households, burglaries = helsinki
    now = active(burglaries)
    victim = victims_of(households, now, crs=32635)
    homes = np.vstack([metric(households["lon"], households["lat"], 32635), metric(now["lon"], now["lat"], 32635)])
    is_victim = np.concatenate([victim, np.ones(len(now), dtype=bool)])
    page = (out / "map-public.html").read_text(encoding="utf-8")
    positions = public_positions(page)
    assert len(positions), "the public map shows nothing"
    points = metric(positions[:, 0], positions[:, 1], 32635)
    assert nearest_include_victim(points, homes, is_victim) == []
    signs = pd.read_csv(out / "signs.csv")
    assert nearest_include_victim(metric(signs["lon"], signs["lat"], 32635), homes, is_victim) == []


def test_public_outputs_show_weeks_never_dates(helsinki):
    out, _, burglaries = helsinki
    days = dates_of(active(burglaries))
    for name, content in texts(out, PUBLIC_HTML + PUBLIC_PDF + ("visit-list-volunteer.html",)).items():
        if name == "visit-list-volunteer.html":
            content = content.replace("2026-05-04", "")  # the list's own day: when the volunteers go out
        shown = [day for day in days if day in content]
        assert not shown, f"{name} shows {shown}"
    poster = texts(out, ("sign-poster.pdf",))["sign-poster.pdf"]
    assert re.search(r"Put up in week \d+ · to be taken down in week \d+", poster)


def test_a_burglary_recorded_at_the_next_door_number_excludes_both(tmp_path):
    """The text says number 15, the coordinates are number 14's: neither is on the volunteer list."""
    x0, y0 = 674_000.0, 6_580_000.0
    xs = x0 + np.arange(12) * 20.0
    lonlat = gpd.GeoSeries(gpd.points_from_xy(xs, np.full(12, y0)), crs=3006).to_crs(4326)
    numbers = np.arange(10, 22)
    households = pd.DataFrame(
        {
            "household_id": [f"N{n}" for n in numbers],
            "label": [f"Uudenmaankatu {n}" for n in numbers],
            "lon": lonlat.x.round(8),
            "lat": lonlat.y.round(8),
            "dwellings": 1,
        }
    )
    at_14 = int(np.flatnonzero(numbers == 14)[0])
    burglaries = pd.DataFrame(
        {
            "id": ["B1"],
            "date": ["2026-05-01"],
            "lon": [households["lon"][at_14]],
            "lat": [households["lat"][at_14]],
            "address": ["Uudenmaankatu 15"],
        }
    )
    households.to_csv(tmp_path / "h.csv", index=False)
    burglaries.to_csv(tmp_path / "b.csv", index=False)
    result = run(
        "plan",
        "--burglaries",
        tmp_path / "b.csv",
        "--households",
        tmp_path / "h.csv",
        "--date",
        "2026-05-04",
        "--out",
        tmp_path / "out",
        "--lang",
        "en",
        "--officers",
        "1",
        "--hours",
        "4",
        "--start",
        f"{households['lon'][0]},{households['lat'][0]}",
        "--solver",
        "greedy",
    )
    assert result.exit_code == 0, result.output
    volunteer = (tmp_path / "out" / "visit-list-volunteer.html").read_text(encoding="utf-8")
    police = (tmp_path / "out" / "visit-list.html").read_text(encoding="utf-8")
    assert "Uudenmaankatu 14" in police and "Uudenmaankatu 15" in police
    # neither, nor the doors either side: a gap in the numbers around them would point at the victim
    for number in (13, 14, 15, 16):
        assert f"Uudenmaankatu {number}<" not in volunteer


# --- a rural road: houses 300 m apart, one burglary --------------------------------------------------


@pytest.fixture(scope="module")
def rural(tmp_path_factory):
    folder = tmp_path_factory.mktemp("rural")
    x0, y0 = 500_000.0, 6_900_000.0
    xs = x0 + np.arange(-10, 11) * 300.0
    lonlat = gpd.GeoSeries(gpd.points_from_xy(xs, np.full(len(xs), y0)), crs=3006).to_crs(4326)
    households = pd.DataFrame(
        {
            "household_id": [f"G{i}" for i in range(len(xs))],
            "label": [f"Byvägen {i + 1}" for i in range(len(xs))],
            "lon": lonlat.x.round(8),
            "lat": lonlat.y.round(8),
            "dwellings": 1,
        }
    )
    victim = 10  # the middle house
    burglaries = pd.DataFrame(
        {
            "id": ["R1"],
            "date": ["2026-04-28"],
            "lon": [households["lon"][victim]],
            "lat": [households["lat"][victim]],
            "address": ["Byvägen 11"],
        }
    )
    households.to_csv(folder / "h.csv", index=False)
    burglaries.to_csv(folder / "b.csv", index=False)
    out = folder / "out"
    result = run(
        "plan",
        "--burglaries",
        folder / "b.csv",
        "--households",
        folder / "h.csv",
        "--date",
        "2026-05-04",
        "--out",
        out,
        "--lang",
        "en",
        "--officers",
        "1",
        "--hours",
        "3",
        "--start",
        f"{households['lon'][0]},{households['lat'][0]}",
        "--solver",
        "greedy",
        "--maps",
    )
    assert result.exit_code == 0, result.output
    homes = np.column_stack([xs, np.full(len(xs), y0)])
    is_victim = np.zeros(len(xs), dtype=bool)
    is_victim[victim] = True
    return out, result.output, homes, is_victim, households


def test_rural_sign_sites_and_public_points_are_not_the_victims_house(rural):
    out, output, homes, is_victim, _ = rural
    signs = pd.read_csv(out / "signs.csv")
    sites = metric(signs["lon"], signs["lat"], 3006) if len(signs) else np.empty((0, 2))
    assert nearest_include_victim(sites, homes, is_victim) == []
    positions = public_positions((out / "map-public.html").read_text(encoding="utf-8"))
    points = metric(positions[:, 0], positions[:, 1], 3006) if len(positions) else np.empty((0, 2))
    assert nearest_include_victim(points, homes, is_victim) == []
    # Houses 300 m apart leave no place within reach whose 8 nearest exclude the victim: say so.
    if len(signs) == 0:
        assert "no sign is planned there" in output
    if len(positions) == 0:
        assert "left off the public map" in output


def test_rural_volunteer_list_leaves_the_zone_to_the_police(rural):
    """With houses 300 m apart, whoever is listed would give the victim away: nobody is."""
    out, output, _, _, _ = rural
    page = (out / "visit-list-volunteer.html").read_text(encoding="utf-8")
    assert "Byvägen" not in page and "2026-04-28" not in page
    assert "No households for volunteers today" in page
    assert "1 of 1 active zones is left to the police" in " ".join(output.split())


# --- a town of homes 25 m apart: where in its cell the burglary was cannot be read off the list ------

GRID_X0, GRID_Y0, SPACING = 674_000.0, 6_580_000.0, 25.0
"""SWEREF 99 TM; the 250 m cells of the public map start at multiples of 250 m."""
VICTIMS = {"A": (62.5, 37.5), "B": (187.5, 212.5)}
"""Two homes in the same cell (0-250 m, 0-250 m), each 107 m from its centre."""


def grid_households() -> pd.DataFrame:
    steps = np.arange(-24, 25) * SPACING + SPACING / 2
    gx, gy = np.meshgrid(steps, steps)
    x, y = GRID_X0 + gx.ravel(), GRID_Y0 + gy.ravel()
    lonlat = gpd.GeoSeries(gpd.points_from_xy(x, y), crs=3006).to_crs(4326)
    return pd.DataFrame(
        {
            "household_id": [f"T{i:04d}" for i in range(len(x))],
            "label": [f"Rutgatan {i + 1}" for i in range(len(x))],
            "lon": lonlat.x.round(9),
            "lat": lonlat.y.round(9),
            "dwellings": 1,
            "x": x,
            "y": y,
        }
    )


@pytest.fixture(scope="module")
def grid_town(tmp_path_factory):
    """The same town and day planned twice, the one burglary at victim A's home, then at B's."""
    folder = tmp_path_factory.mktemp("grid")
    households = grid_households()
    households.drop(columns=["x", "y"]).to_csv(folder / "h.csv", index=False)
    corner = households.iloc[0]
    plans = {}
    for name, (dx, dy) in VICTIMS.items():
        home = households.index[(households["x"] == GRID_X0 + dx) & (households["y"] == GRID_Y0 + dy)]
        victim = households.loc[home[0]]
        pd.DataFrame(
            {
                "id": ["V1"],
                "date": ["2026-05-01"],
                "lon": [victim["lon"]],
                "lat": [victim["lat"]],
                "address": [victim["label"]],
            }
        ).to_csv(folder / f"b-{name}.csv", index=False)
        out = folder / f"out-{name}"
        result = run(
            "plan",
            "--burglaries",
            folder / f"b-{name}.csv",
            "--households",
            folder / "h.csv",
            "--date",
            "2026-05-04",
            "--out",
            out,
            "--lang",
            "en",
            "--officers",
            "2",
            "--hours",
            "2",
            "--start",
            f"{corner['lon']},{corner['lat']}",
            "--solver",
            "greedy",
        )
        assert result.exit_code == 0, result.output
        plans[name] = (out, victim)
    return households, plans


def list_table(page: str) -> pd.DataFrame:
    """The rows of a visit list page: every cell's text, by the column headings."""
    head = re.search(r"<tr>(<th.*?)</tr>", page, flags=re.S)
    assert head, "no column headings"
    heads = [html_text(h) for h in re.findall(r"<th[^>]*>(.*?)</th>", head.group(1))]
    rows = [
        [html_text(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row)]
        for row in re.findall(r"<tr>(<td>.*?)</tr>", page, flags=re.S)
    ]
    return pd.DataFrame([r[: len(heads)] for r in rows if len(r) >= len(heads)], columns=heads)


def html_text(cell: str) -> str:
    import html

    return html.unescape(re.sub(r"<br>", "\n", re.sub(r"<(?!br>)[^>]+>", "", cell))).strip()


def trilaterate(points: np.ndarray, metres: np.ndarray) -> np.ndarray:
    """The point whose distances to ``points`` best match ``metres`` (least squares, from the centroid)."""
    from scipy.optimize import least_squares

    return least_squares(lambda c: np.hypot(*(points - c).T) - metres, points.mean(axis=0)).x


def hole_centre(points: np.ndarray, within: np.ndarray) -> np.ndarray:
    """Where the listed homes leave the widest hole among the town's homes ``within``: the home farthest
    from every listed one (an attacker's guess at the victim when nothing else is printed)."""
    distance, _ = cKDTree(points).query(within)
    return within[int(np.argmax(distance))]


def test_the_police_list_locates_the_victim_so_the_attack_is_real(grid_town):
    """The police's own list carries distances: three of them put the burglary within a metre."""
    households, plans = grid_town
    positions = households.set_index("household_id")[["x", "y"]]
    for out, victim in plans.values():
        police = list_table((out / "visit-list.html").read_text(encoding="utf-8"))
        metres = police["Distance"].str.replace(",", "").str.extract(r"([\d.]+) m")[0].astype(float)
        found = trilaterate(positions.loc[police["Household id"]].to_numpy(), metres.to_numpy())
        assert np.hypot(*(found - victim[["x", "y"]].to_numpy(dtype=float))) < 5


def test_the_volunteer_list_is_the_same_wherever_in_its_cell_the_burglary_was(grid_town):
    """Victims A and B give the very same volunteers' list, page and PDF: no trilateration, from
    scores, times, order or gaps, can say which of the two homes (107 m from the cell's centre,
    175 m apart) was burgled, or tell either from any other home in the cell."""
    households, plans = grid_town
    (out_a, victim_a), (out_b, victim_b) = plans["A"], plans["B"]
    page_a = (out_a / "visit-list-volunteer.html").read_text(encoding="utf-8")
    page_b = (out_b / "visit-list-volunteer.html").read_text(encoding="utf-8")
    police_a, police_b = ((o / "visit-list.html").read_text(encoding="utf-8") for o in (out_a, out_b))
    assert police_a != police_b  # the police's lists follow the burglary
    assert page_a == page_b
    assert texts(out_a, ("visit-list-volunteer.pdf",)) == texts(out_b, ("visit-list-volunteer.pdf",))
    table = list_table(page_a)
    assert len(table) > 20, "the volunteers have households to visit"
    positions = households.set_index("household_id")[["x", "y"]]
    listed = positions.loc[table["Household id"]].to_numpy()
    guess = hole_centre(listed, positions.to_numpy())
    missed = [np.hypot(*(guess - v[["x", "y"]].to_numpy(dtype=float))) for v in (victim_a, victim_b)]
    assert max(missed) > 85  # one guess for both: at least one victim is half their distance away or more
    # nothing printed to fit a distance or a score to: no distance, no tier, no numbers in the notes
    assert {"Distance", "Tier"}.isdisjoint(table.columns)
    assert not table["Notes"].str.strip().any()


def test_volunteer_walk_times_are_their_own_route_with_no_gap(grid_town):
    """Each arrival follows from the walk before it (straight lines x 1.3 at 4.5 km/h, 5.5 min at
    each single-dwelling door): there is no longer gap left by a home cut out of the walk."""
    households, plans = grid_town
    out, _ = plans["A"]
    page = (out / "visit-list-volunteer.html").read_text(encoding="utf-8")
    positions = households.set_index("household_id")[["x", "y"]]
    sections = page.split("<section>")[1:]
    assert sections
    for section in sections:
        table = list_table(section)
        assert table["No."].astype(int).tolist() == list(range(1, len(table) + 1))
        xy = positions.loc[table["Household id"]].to_numpy()
        walk = np.hypot(*np.diff(xy, axis=0).T) * 1.3 / (4.5 / 3.6) / 60
        clock = pd.to_datetime(table["Arrive"], format="%H:%M")
        gaps = (clock.diff().dt.total_seconds() / 60).to_numpy()[1:]
        assert np.all(np.abs(gaps - (walk + 5.5)) <= 1.0), (gaps, walk + 5.5)
        # and nobody within the police's part of the zone (half a cell's diagonal + 110 m of the cell centre)
        centre = np.array([GRID_X0 + 125, GRID_Y0 + 125])
        assert np.hypot(*(xy - centre).T).min() > 125 * np.sqrt(2) + 110
