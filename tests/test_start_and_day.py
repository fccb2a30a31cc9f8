"""The start point and the day, through the command line: a start copied from a map app (lat,lon),
a start too far away, routes that would collect nothing, the start time, the officers' names, and
dates that cannot be right (a plan far ahead, a sign taken down tomorrow, a purge of data still
inside the retention period)."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3

import click.testing
import gpxpy
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import X0, Y0, to_lonlat

from cocoon.cli import main

LON, LAT = (float(v[0]) for v in to_lonlat([X0 + 100], [Y0 - 100]))
LON_LAT = f"{LON:.6f},{LAT:.6f}"
LAT_LON = f"{LAT:.6f}, {LON:.6f}"
"""Near the middle of the households, in both orders; the second as map apps copy it."""


def run(*args, input: str | None = None):
    return CliRunner().invoke(main, [str(a) for a in args], input=input)


def plan(files, out, *args, lang="en"):
    b, h = files
    return run(
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
        lang,
        "--solver",
        "greedy",
        *args,
    )


def refused(result, *messages):
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    for message in messages:
        assert message in result.output, result.output


# --- the start point -----------------------------------------------------------------------------------


def test_a_start_in_lat_lon_order_is_read_as_lat_lon_and_says_so(files, tmp_path):
    given = plan(files, tmp_path / "lonlat", "--officers", "2", "--hours", "1", "--start", LON_LAT)
    copied = plan(files, tmp_path / "latlon", "--officers", "2", "--hours", "1", "--start", LAT_LON)
    assert given.exit_code == 0 and copied.exit_code == 0, given.output + copied.output
    assert "read as latitude,longitude" not in given.output
    assert (
        f"--start '{LAT_LON}' was read as latitude,longitude, as map apps copy it "
        f"(longitude {LON:.6f}, latitude {LAT:.6f})"
    ) in copied.output
    routes = [pd.read_csv(tmp_path / name / "routes.csv") for name in ("lonlat", "latlon")]
    pd.testing.assert_frame_equal(*routes)
    first = gpxpy.parse((tmp_path / "latlon" / "routes.gpx").read_text()).routes[0].points[0]
    assert (first.longitude, first.latitude) == pytest.approx((LON, LAT))
    swedish = plan(files, tmp_path / "sv", "--officers", "1", "--start", LAT_LON, lang="sv")
    assert swedish.exit_code == 0, swedish.output
    assert "lästes som latitud,longitud, så som kartappar kopierar det" in swedish.output


def test_a_start_more_than_5_km_from_every_household_is_an_error_naming_both_orders(files, tmp_path):
    far_lon, far_lat = (float(v[0]) for v in to_lonlat([X0 + 21_500], [Y0]))  # 20 km east of the households
    out = tmp_path / "out"
    for start in (f"{far_lon:.6f},{far_lat:.6f}", f"{far_lat:.6f},{far_lon:.6f}"):
        result = plan(files, out, "--officers", "1", "--start", start)
        refused(
            result,
            f"--start '{start}' is more than 5 km from every household of the plan: read as longitude,latitude it is ",
            " km from the nearest, read as latitude,longitude ",
        )
        shown = result.output.split("longitude,latitude it is ")[1]
        assert shown.startswith(("20 km", "21 km")) == (start.startswith(f"{far_lon:.6f}")), shown
        assert not out.exists()
    # One order is no place on Earth: 95.5 is no latitude.
    refused(
        plan(files, out, "--officers", "1", "--start", "95.5,59.3"),
        "read as longitude,latitude it is 4154 km from the nearest, and read as latitude,longitude it is no "
        "place on Earth",
    )
    refused(
        plan(files, out, "--officers", "1", "--start", "59.3,95.5"),
        "read as latitude,longitude it is 4154 km from the nearest, and read as longitude,latitude it is no "
        "place on Earth",
    )
    refused(
        plan(files, out, "--officers", "1", "--start", "95.5,59.3", lang="sv"),
        "ligger mer än 5 km från varje hushåll i planen",
        "ingen plats på jorden",
    )
    # Neither degrees nor metres near the plan: the message gives a start in the plan's own area, each way.
    result = plan(files, out, "--officers", "1", "--start", "200,100")
    refused(
        result,
        "--start '200,100' is not a place within 5 km of the plan's households, read as "
        "longitude,latitude, as latitude,longitude or as EPSG:3006 (SWEREF99 TM) metres",
    )
    flat = " ".join(result.output.split())
    assert "60.53" not in flat and "26.95" not in flat  # no example from another country
    example = re.search(r"area: (\S+) \(LON,LAT\), (\S+) \(LAT,LON, as map apps copy it\) or (\S+) \(EPSG:3006", flat)
    assert example, flat
    lon, lat = (float(v) for v in example.group(1).split(","))
    east, north = (float(v) for v in example.group(3).split(","))
    assert abs(lon - LON) < 0.05 and abs(lat - LAT) < 0.05 and abs(east - X0) < 3000 and abs(north - Y0) < 3000
    assert not out.exists()


@pytest.mark.parametrize("order", ["east,north", "north,east"])
def test_a_start_in_sweref_99_tm_metres_is_read_and_said(files, tmp_path, order):
    """A Swedish analyst copies the station's coordinates from the register: SWEREF 99 TM, either order."""
    east, north = X0 + 100, Y0 - 100
    start = f"{east:.0f},{north:.0f}" if order == "east,north" else f"{north:.0f} {east:.0f}"
    result = plan(files, tmp_path / "out", "--officers", "1", "--start", start)
    assert result.exit_code == 0, result.output
    assert (
        f"--start '{start}' was read as EPSG:3006 (SWEREF99 TM) coordinates: east {east:.0f}, north {north:.0f}."
    ) in " ".join(result.output.split())
    from_degrees = plan(files, tmp_path / "deg", "--officers", "1", "--start", LON_LAT)
    routes = pd.read_csv(tmp_path / "out" / "routes.csv", dtype=str)
    assert (
        routes["household_id"].tolist()
        == pd.read_csv(tmp_path / "deg" / "routes.csv", dtype=str)["household_id"].tolist()
    )
    assert from_degrees.exit_code == 0
    swedish = plan(files, tmp_path / "sv", "--officers", "1", "--start", start, lang="sv")
    assert f"lästes som koordinater i EPSG:3006 (SWEREF99 TM): öst {east:.0f}, nord {north:.0f}." in " ".join(
        swedish.output.split()
    )


# --- never an empty field pack ----------------------------------------------------------------------


def test_a_budget_too_short_for_one_stop_is_an_error_and_leaves_no_folder(files, tmp_path):
    out = tmp_path / "out"
    result = plan(files, out, "--officers", "2", "--start", LON_LAT, "--hours", "0.05", "--minutes-per-stop", "5")
    refused(
        result,
        "The routes would collect nothing: --hours 0.05 (3 min) is too short for one stop, which takes "
        "at least 5.5 min at the door (--minutes-per-stop 5, plus --minutes-per-dwelling 0.5 for each "
        "dwelling)",
    )
    assert not out.exists()
    swedish = plan(files, out, "--officers", "2", "--start", LON_LAT, "--hours", "0.05", lang="sv")
    refused(swedish, "Rutterna skulle inte samla in något: --hours 0.05 (3 min) räcker inte till ett enda stopp")
    assert not out.exists()


def test_a_start_too_far_to_walk_to_any_stop_and_back_is_an_error(files, tmp_path):
    start_lon, start_lat = (float(v[0]) for v in to_lonlat([X0 + 5_000], [Y0]))  # under 5 km, over 30 minutes
    out = tmp_path / "out"
    result = plan(files, out, "--officers", "1", "--start", f"{start_lon:.6f},{start_lat:.6f}", "--hours", "0.5")
    refused(
        result,
        f"The routes would collect nothing: from the start ({start_lon:.6f}, {start_lat:.6f}) no "
        "household to visit can be reached and walked back from within --hours 0.5; the nearest is ",
        " m away as the crow flies. Give a start nearer the zones, or more --hours.",
    )
    metres = int(re.search(r"the nearest is (\d+) m", result.output).group(1))
    assert 3_000 < metres < 5_000
    assert not out.exists()
    swedish = plan(
        files, out, "--officers", "1", "--start", f"{start_lon:.6f},{start_lat:.6f}", "--hours", "0.5", lang="sv"
    )
    refused(swedish, "kan inget hushåll att besöka nås och gås tillbaka från inom --hours 0.5")
    # With more time the same start is walked from.
    assert (
        plan(files, out, "--officers", "1", "--start", f"{start_lon:.6f},{start_lat:.6f}", "--hours", "3").exit_code
        == 0
    )


def test_no_household_in_the_zones_is_an_error_and_leaves_no_folder(files, tmp_path):
    """On 2026-09-01 every burglary of the fixture is past its zone window."""
    b, h = files
    out = tmp_path / "out"
    args = (
        "plan",
        "--burglaries",
        b,
        "--households",
        h,
        "--date",
        "2026-09-01",
        "--out",
        out,
        "--solver",
        "greedy",
        "--officers",
        "1",
        "--start",
        LON_LAT,
    )
    refused(
        run(*args, "--lang", "en"),
        "The routes would collect nothing: there is no household to visit in the active zones",
        "Leave out --officers to write the plan alone.",
    )
    assert not out.exists()
    refused(run(*args, "--lang", "sv"), "det finns inget hushåll att besöka i de aktiva zonerna")
    assert not out.exists()
    # The same day without --officers is a plan of its own: zones, visits and plan.json, and exit 0.
    alone = run("plan", "--burglaries", b, "--households", h, "--date", "2026-09-01", "--out", out, "--lang", "en")
    assert alone.exit_code == 0, alone.output
    assert (out / "plan.json").exists() and not (out / "routes.csv").exists()


# --- the start time ------------------------------------------------------------------------------------


def test_start_time_sets_the_arrival_times(files, tmp_path):
    default = plan(files, tmp_path / "ten", "--officers", "2", "--start", LON_LAT)
    early = plan(files, tmp_path / "early", "--officers", "2", "--start", LON_LAT, "--start-time", "07:45")
    assert default.exit_code == 0 and early.exit_code == 0, default.output + early.output
    ten, quarter_to_eight = (pd.read_csv(tmp_path / name / "routes.csv") for name in ("ten", "early"))
    assert len(ten) and ten["household_id"].tolist() == quarter_to_eight["household_id"].tolist()

    def clock(text: str, minutes: float = 0) -> str:
        return (dt.datetime.strptime(text, "%H:%M") + dt.timedelta(minutes=minutes)).strftime("%H:%M")

    assert ten["arrival"].tolist() == [clock("10:00", m) for m in ten["minutes_from_start"]]
    assert quarter_to_eight["arrival"].tolist() == [clock(a, -135) for a in ten["arrival"]]


@pytest.mark.parametrize("value", ["25:00", "9.30", "10", "noon", "10:75"])
def test_a_bad_start_time_is_a_clear_error(files, tmp_path, value):
    refused(
        plan(files, tmp_path / "o", "--officers", "1", "--start", LON_LAT, "--start-time", value),
        f"--start-time: '{value}' is not a clock time HH:MM, such as 09:30.",
    )
    refused(
        plan(files, tmp_path / "o", "--officers", "1", "--start", LON_LAT, "--start-time", value, lang="sv"),
        f"--start-time: '{value}' är ingen klocktid TT:MM, som 09:30.",
    )
    assert not (tmp_path / "o").exists()


def test_a_bad_start_time_in_the_settings_file_names_the_file(files, tmp_path):
    settings = tmp_path / "local.toml"
    settings.write_text('[routes]\nstart_time = "half past nine"\n', encoding="utf-8")
    refused(
        plan(files, tmp_path / "o", "--settings", settings),
        f"{settings}: routes.start_time: 'half past nine' is not a clock time HH:MM",
    )


# --- the officers' names --------------------------------------------------------------------------------


def test_officer_names_go_into_the_officer_name_column(files, tmp_path):
    named = plan(files, tmp_path / "named", "--officers", "2", "--start", LON_LAT, "--officer-names", "Anna, Bertil")
    assert named.exit_code == 0, named.output
    routes = pd.read_csv(tmp_path / "named" / "routes.csv")
    assert list(routes.columns[:3]) == ["officer", "officer_name", "stop"]
    assert set(routes["officer"]) == {1, 2}
    assert (routes["officer_name"] == routes["officer"].map({1: "Anna", 2: "Bertil"})).all()
    unnamed = plan(files, tmp_path / "unnamed", "--officers", "2", "--start", LON_LAT)
    assert unnamed.exit_code == 0, unnamed.output
    routes = pd.read_csv(tmp_path / "unnamed" / "routes.csv", keep_default_na=False)
    assert "officer_name" in routes and (routes["officer_name"] == "").all()


@pytest.mark.parametrize(
    ("args", "english", "swedish"),
    [
        (
            ["--officers", "3", "--officer-names", "Anna,Bertil"],
            "--officer-names 'Anna,Bertil': the number of names (2) is not the number of officers (--officers 3). Give "
            "one name for each officer",
            "--officer-names 'Anna,Bertil': antalet namn (2) är inte antalet poliser",
        ),
        (
            ["--officers", "2", "--officer-names", "Anna,,Bertil"],
            "--officer-names 'Anna,,Bertil' has an empty name: give one name for each officer",
            "--officer-names 'Anna,,Bertil' har ett tomt namn",
        ),
        (["--officer-names", "Anna"], "--officer-names needs --officers", "--officer-names behöver --officers"),
    ],
)
def test_officer_names_that_do_not_match_the_officers_are_a_clear_error(files, tmp_path, args, english, swedish):
    refused(plan(files, tmp_path / "o", "--start", LON_LAT, *args), english)
    refused(plan(files, tmp_path / "o", "--start", LON_LAT, *args, lang="sv"), swedish)
    assert not (tmp_path / "o").exists()


# --- dates ---------------------------------------------------------------------------------------------


def test_a_plan_date_more_than_a_week_ahead_needs_allow_future(files, tmp_path):
    b, h = files
    ahead = dt.date.today() + dt.timedelta(days=8)

    def plan_on(day: dt.date, *args: str, lang: str = "en"):
        return run(
            "plan",
            "--burglaries",
            b,
            "--households",
            h,
            "--date",
            day.isoformat(),
            "--out",
            tmp_path / day.isoformat(),
            "--lang",
            lang,
            *args,
        )

    refused(
        plan_on(ahead),
        f"--date {ahead} is more than 7 days after today ({dt.date.today()}). Check the date, or add "
        "--allow-future to plan that far ahead.",
    )
    refused(plan_on(ahead, lang="sv"), f"--date {ahead} ligger mer än 7 dagar efter i dag ({dt.date.today()})")
    assert not (tmp_path / ahead.isoformat()).exists()
    assert plan_on(ahead, "--allow-future").exit_code == 0
    week = dt.date.today() + dt.timedelta(days=7)
    assert plan_on(week).exit_code == 0


@pytest.fixture
def store(tmp_path):
    """A store with two burglaries: one past the default retention cut-off, one still inside it."""
    lon, lat = to_lonlat([X0, X0 + 300], [Y0, Y0])
    old, recent = dt.date.today() - dt.timedelta(days=400), dt.date.today() - dt.timedelta(days=30)
    csv = tmp_path / "b.csv"
    pd.DataFrame(
        {"id": ["OLD", "RECENT"], "date": [old.isoformat(), recent.isoformat()], "lon": lon, "lat": lat}
    ).to_csv(csv, index=False)
    path = tmp_path / "cocoon.sqlite"
    assert run("ingest", csv, "--store", path).exit_code == 0
    return path


def burglaries_in(store) -> list[str]:
    with sqlite3.connect(store) as db:
        return sorted(row[0] for row in db.execute("SELECT burglary_id FROM burglaries"))


def test_purge_says_what_it_will_remove_before_removing_it(store):
    result = run("purge", "--store", store, "--lang", "en")
    assert result.exit_code == 0, result.output
    cut = dt.date.today() - dt.timedelta(days=56 + 90)
    assert result.output == (
        f"To be removed, everything dated before {cut}: 1 burglary, 0 visits, 0 plans (0 listed households), "
        "0 signs taken down; visitor names and household ids to be removed from 0 audit entries.\n"
        f"Removed everything dated before {cut}: 1 burglary, 0 visits, 0 plans (0 listed households), 0 signs "
        "taken down; visitor names and household ids removed from 0 audit entries.\n"
    )
    assert burglaries_in(store) == ["RECENT"]


def test_purge_later_than_the_retention_cut_off_needs_yes_without_a_terminal(store):
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    cut = dt.date.today() - dt.timedelta(days=56 + 90)
    result = run("purge", "--before", tomorrow, "--store", store, "--lang", "en")
    refused(
        result,
        f"To be removed, everything dated before {tomorrow}: 2 burglaries,",
        f"--before {tomorrow} is later than the retention cut-off {cut} and removes data still inside the "
        "retention period. There is no terminal to confirm on: add --yes to remove it. Nothing was removed.",
    )
    assert burglaries_in(store) == ["OLD", "RECENT"]  # counted, not removed
    refused(
        run("purge", "--before", tomorrow, "--store", store, "--lang", "sv"),
        f"Tas bort, allt daterat före {tomorrow}: 2 inbrott,",
        "lägg till --yes",
    )
    assert burglaries_in(store) == ["OLD", "RECENT"]
    done = run("purge", "--before", tomorrow, "--yes", "--store", store, "--lang", "en")
    assert done.exit_code == 0, done.output
    assert done.output.splitlines()[1].startswith(f"Removed everything dated before {tomorrow}: 2 burglaries,")
    assert burglaries_in(store) == []


def test_purge_later_than_the_retention_cut_off_asks_on_a_terminal(store, monkeypatch):
    monkeypatch.setattr(click.testing._NamedTextIOWrapper, "isatty", lambda self: True, raising=False)
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    cut = dt.date.today() - dt.timedelta(days=56 + 90)
    question = (
        f"--before {tomorrow} is later than the retention cut-off {cut}: this removes data still inside the "
        "retention period. Remove it? [y/N]: "
    )
    declined = run("purge", "--before", tomorrow, "--store", store, "--lang", "en", input="n\n")
    refused(declined, question, "Not confirmed: nothing was removed.")
    assert burglaries_in(store) == ["OLD", "RECENT"]
    swedish = run("purge", "--before", tomorrow, "--store", store, "--lang", "sv", input="n\n")
    refused(
        swedish,
        "det här tar bort uppgifter som fortfarande ska sparas. Ta bort dem?",
        "Inte bekräftat: inget togs bort.",
    )
    confirmed = run("purge", "--before", tomorrow, "--store", store, "--lang", "en", input="y\n")
    assert confirmed.exit_code == 0, confirmed.output
    assert question in confirmed.output and "Removed everything dated before" in confirmed.output
    assert burglaries_in(store) == []


def test_signs_down_on_a_day_still_to_come_is_refused(store):
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    refused(
        run("signs", "down", "--due", "--date", tomorrow.isoformat(), "--store", store, "--lang", "en"),
        f"--date {tomorrow} is after today ({dt.date.today()}): a sign can only be recorded as taken down on a day "
        "that has come.",
    )
    refused(
        run("signs", "down", "S1-1", "--date", tomorrow.isoformat(), "--store", store, "--lang", "sv"),
        f"--date {tomorrow} ligger efter i dag ({dt.date.today()})",
    )
    today = run("signs", "down", "--due", "--date", dt.date.today().isoformat(), "--store", store, "--lang", "en")
    assert today.exit_code == 0 and today.output == "Signs recorded as taken down: 0.\n", today.output
