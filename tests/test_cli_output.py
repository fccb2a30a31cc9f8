"""The whole screen output of every command, in English and in Swedish, exactly as printed.

Each test writes a handful of households and burglaries (around Stockholm, in SWEREF 99 TM, like
tests/conftest.py) into its own folder, runs the command the way a user types it, and compares
everything the command printed with its snapshot. The output is the same on every machine: fixed
dates and seeds, paths relative to the test's folder, and a terminal 100 columns wide with no
colours (rich takes the width from COLUMNS, and otherwise from the terminal that pytest runs in).
Standard output and standard error are compared separately.

The expected screens are declared snapshots: files in tests/screens/ named
``<test>-<case>-<lang>.txt`` (``status-refused-sv.txt`` is the Swedish error of test_status;
a test with one screen has no case), compared byte for byte by the ``snapshot`` fixture of
tests/conftest.py. A missing file fails the test. After a change to what a command prints,

    python -m pytest tests/test_cli_output.py --update-screens

rewrites the files from the output instead of comparing; ``git diff tests/screens`` then shows
every changed screen, to be read before it is committed. What a test can work out from its
inputs (a rejected row, a file written) stays an assertion in the test, not a snapshot.

`cocoon demo` is left out: it builds two OpenStreetMap areas with routes, the field pack and
offline maps, which takes too long for a test of its screen (tests/test_demo.py runs it).

Where today's output has a problem (English words in the Swedish output, "1 planer", values
read as markup, decimal points in Swedish), the snapshot is the output as it is today and a
comment above the test names the problem, so that fixing it means updating the snapshot.
The comment above each test says what its screens show.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner, Result

from cocoon.cli import main

SCREEN = {
    "COLUMNS": "100",
    "LINES": "40",
    # Nothing from the environment pytest runs in: no forced colours, no language, store or settings.
    "FORCE_COLOR": None,
    "TTY_COMPATIBLE": None,
    "TTY_INTERACTIVE": None,
    "COCOON_LANG": None,
    "COCOON_STORE": None,
    "COCOON_SETTINGS": None,
}

HOUSEHOLDS = """\
household_id,street,number,dwellings,x,y
H1,Storgatan,12,1,674000,6580000
H2,Storgatan,14,1,674020,6580000
H3,Storgatan,13,6,674010,6580030
H4,Storgatan,20,1,674090,6580000
H5,Kyrkvägen,3,12,674120,6580100
H6,Kyrkvägen,8,2,674350,6580100
H7,Ågatan,1,1,675000,6580000
H8,Ågatan,3,4,675040,6580020
H9,Ågatan,9,1,676500,6581000
H10,Skolgatan,1,1,673900,6580300
H11,Skolgatan,3,1,673920,6580300
H12,Skolgatan,5,1,673940,6580300
H13,Skolgatan,7,1,673960,6580300
H14,Skolgatan,9,1,673980,6580300
H15,Skolgatan,11,1,674000,6580300
H16,Skolgatan,13,1,674020,6580300
H17,Skolgatan,15,1,674040,6580300
H18,Skolgatan,17,1,674060,6580300
H19,Skolgatan,19,1,674080,6580300
H20,Skolgatan,21,1,674100,6580300
H21,Skolgatan,23,1,674120,6580300
"""
"""Entrances in SWEREF 99 TM: four next to B1 and two further off, two at B2, one at B3, and a row of
houses 300 m north of B1, far enough from the victims' homes for warning signs."""

BURGLARIES = """\
id,date,x,y,address
B1,2026-05-03 21:30,674000,6580000,Storgatan 12
B2,2026-04-10,675000,6580000,Ågatan 1
B3,2026-01-01,676500,6581000,Ågatan 9
"""
"""On 2026-05-04: B1 is high risk (reported the evening before), B2 elevated, B3 expired."""

NEAR_REPEATS = """\
id,date,x,y
K1,2026-01-05,674000,6580000
K2,2026-01-08,674040,6580030
K3,2026-02-10,676000,6580000
K4,2026-02-12,676050,6580000
K5,2026-03-20,674000,6582000
K6,2026-03-24,674000,6582060
K7,2026-04-25,676000,6582000
K8,2026-04-26,676030,6582040
"""
"""Four pairs of burglaries, each pair within 100 m and a few days; the pairs are 2 km and weeks apart."""

VISITS = """\
household_id,outcome,time,visitor
H1,face,2026-05-04 10:05,PA 1234
H2,N,10:20,PA 1234
H3,,,
H4,lämnade informationsblad,2026-05-06 09:00,PA 5678
"""
"""Outcomes as typed in from the paper list: a code, a letter, a blank row and the Swedish words."""

PLAN = (
    "plan",
    "--burglaries",
    "burglaries.csv",
    "--households",
    "households.csv",
    "--crs",
    "EPSG:3006",
    "--date",
    "2026-05-04",
)
STORE = ("--store", "cocoon.sqlite")
LANGUAGES = ["en", "sv"]


def invoke(*args: str, env: dict[str, str | None] | None = None) -> Result:
    return CliRunner(env=env or SCREEN).invoke(main, list(args), catch_exceptions=False)


def screen(*args: str, stderr: str = "") -> str:
    """What a command that succeeds prints on standard output."""
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    assert result.stderr == stderr
    return result.stdout


def error(*args: str) -> str:
    """What a command that fails prints: nothing on standard output, the message on standard error."""
    result = invoke(*args)
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    return result.stderr


# The progress bar of calibrate and backtest is shown only on a terminal: a log or a pipe gets
# nothing on standard error.
PROGRESS_LEFTOVER = ""


def write_inputs(folder: Path) -> None:
    for name, content in (
        ("households.csv", HOUSEHOLDS),
        ("burglaries.csv", BURGLARIES),
        ("near-repeats.csv", NEAR_REPEATS),
        ("visits.csv", VISITS),
    ):
        (folder / name).write_text(content, encoding="utf-8")


@pytest.fixture
def inputs(tmp_path, monkeypatch):
    """The test's own folder, with the input files in it, as the current folder."""
    write_inputs(tmp_path)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture(scope="module")
def planned(tmp_path_factory):
    """A store with one plan made on 2026-05-04 for one officer (its field pack is in plan/)."""
    folder = tmp_path_factory.mktemp("planned")
    write_inputs(folder)
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)
        screen("ingest", "burglaries.csv", "--crs", "EPSG:3006", *STORE)
        screen(
            *PLAN,
            *STORE,
            "--out",
            "plan",
            "--officers",
            "1",
            "--start",
            "Storgatan 12",
            "--solver",
            "greedy",
            "--lang",
            "en",
        )
    return folder


@pytest.fixture
def store(planned, tmp_path, monkeypatch):
    """A copy of the planned store, in the test's own folder, as the current folder."""
    shutil.copytree(planned, tmp_path, dirs_exist_ok=True)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_screen_is_as_wide_as_columns_says(inputs):
    """The tests rely on COLUMNS: at 60 columns the plan's table folds its first column to fit."""
    result = invoke(*PLAN, "--out", "plan", "--lang", "en", env={**SCREEN, "COLUMNS": "60"})
    assert result.exit_code == 0, result.output
    table = [line for line in result.stdout.splitlines() if line.startswith(("┏", "┃", "┡", "│", "└"))]
    assert table and {len(line) for line in table} == {60}
    assert "│ A: burgled building and   │         4 │        2 │     6 │" in table


# One expired burglary is singular: "1 expired", "1 utgången".
@pytest.mark.parametrize("lang", LANGUAGES)
def test_plan(inputs, lang, snapshot):
    snapshot(screen(*PLAN, "--out", "plan", "--lang", lang))


# The solver is named in the user's language; Swedish numbers have a decimal comma ("0,3 km",
# "× 1,3") and spaces between thousands ("1 102").
@pytest.mark.parametrize("lang", LANGUAGES)
def test_plan_with_officers(inputs, lang, snapshot):
    args = ("--out", "field", "--officers", "2", "--hours", "0.5", "--start", "Storgatan 12", "--solver", "greedy")
    snapshot(screen(*PLAN, *args, "--lang", lang))


def test_values_are_printed_as_given_never_as_markup(inputs):
    # "[draft]" is text, not a rich style: it used to disappear from the screen.
    assert (
        screen(*PLAN, "--out", "plan [draft]", "--lang", "en").splitlines()[-1]
        == "Wrote zones.geojson, visits.csv, plan.json to plan [draft]."
    )
    assert Path("plan [draft]", "visits.csv").exists()


def test_terminal_escape_sequences_from_the_inputs_are_not_sent_to_the_terminal(inputs):
    """A cell holding ESC [2J (clear screen) or ESC ]0; (set title) is shown as \\x1b, on screen and in
    error messages."""
    Path("evil.csv").write_text("id,date,x,y\nB1,\x1b[2J2026-13-45,674000,6580000\n", encoding="utf-8")
    message = error(
        "plan",
        "--burglaries",
        "evil.csv",
        "--households",
        "households.csv",
        "--crs",
        "EPSG:3006",
        "--date",
        "2026-05-04",
        "--out",
        "evil",
        "--lang",
        "en",
    )
    assert "\x1b" not in message and "\\x1b[2J2026-13-45" in message
    # An id with an escape sequence, listed as a conflict when it comes back with other details.
    for x in (674000, 675000):
        Path("evil-ids.csv").write_text(f"id,date,x,y\nB\x1b]0;owned\x07,2026-05-01,{x},6580000\n", encoding="utf-8")
        shown = screen("ingest", "evil-ids.csv", "--crs", "EPSG:3006", "--store", "evil.sqlite", "--lang", "en")
    assert "\x1b" not in shown and "\x07" not in shown and "B\\x1b]0;owned\\x07" in shown


# The distance measure and the band rule in words; Swedish numbers with a decimal comma
# everywhere ("p ≤ 0,05", "15,20"). Eight burglaries are too few: no cell has 10 expected pairs,
# so none is starred, the settings file keeps the settings in force, and the screen says why.
@pytest.mark.parametrize("lang", LANGUAGES)
def test_calibrate(inputs, lang, snapshot):
    args = (
        "calibrate",
        "near-repeats.csv",
        "--crs",
        "EPSG:3006",
        "--nrep",
        "19",
        "--seed",
        "1",
        "--json",
        "knox.json",
        "--write-settings",
        "local.toml",
    )
    snapshot(screen(*args, "--lang", lang, stderr=PROGRESS_LEFTOVER))


# The study area named in the user's language; Swedish numbers with a decimal comma ("4,2 km²",
# "2,6 %", "22,06", "medel 0,43").
@pytest.mark.parametrize("lang", LANGUAGES)
def test_backtest(inputs, lang, snapshot):
    args = (
        "backtest",
        "near-repeats.csv",
        "--crs",
        "EPSG:3006",
        "--from",
        "2026-01-06",
        "--to",
        "2026-04-30",
        "--sweep-radius",
        "100,500",
        "--sweep-days",
        "7,56",
        "--json",
        "backtest.json",
    )
    snapshot(screen(*args, "--lang", lang, stderr=PROGRESS_LEFTOVER))


LATER = """\
id,date,x,y,address
B2,2026-04-11,675000,6580000,Ågatan 1
B3,2026-01-01,676500,6581000,Ågatan 9
B4,2026-05-04,674100,6580050,Storgatan 16
B5,2026-02-31,674100,6580050,Storgatan 16
"""
"""A later export: B2 with another date, B3 unchanged, B4 new, and B5 with a date that does not exist."""


# One of a kind is singular ("1 burglary is", "1 oanvändbar rad"); with --skip-bad-rows the rows
# left out are written with the reason to a rejects file.
@pytest.mark.parametrize("lang", LANGUAGES)
def test_ingest(inputs, lang, snapshot):
    Path("later.csv").write_text(LATER, encoding="utf-8")
    snapshot(screen("ingest", "burglaries.csv", "--crs", "EPSG:3006", *STORE, "--lang", lang), "first")
    snapshot(screen("ingest", "later.csv", "--crs", "EPSG:3006", "--skip-bad-rows", *STORE, "--lang", lang), "again")
    assert sorted(p.name for p in Path().iterdir()) == sorted(
        [
            "burglaries.csv",
            "cocoon.sqlite",
            "households.csv",
            "later.csv",
            "later-rejected-rows.csv",
            "near-repeats.csv",
            "visits.csv",
        ]
    )
    rejects = pd.read_csv("later-rejected-rows.csv", dtype=str)
    assert (rejects["id"].tolist(), rejects["row"].tolist(), rejects["value"].tolist()) == (
        ["B5"],
        ["5"],
        ["2026-02-31"],
    )


TYPED_WRONG = """\
household_id,outcome,time,visitor
H1,F,2026-05-04 10:05,PA 1234
H2,maybe,10:20,PA 1234
H99,N,10:30,PA 1234
H4,L,soon,PA 1234
"""


# The outcomes of VISITS recorded, the blank row counted apart; then a file with three bad rows,
# each named by row and column, and nothing stored.
@pytest.mark.parametrize("lang", LANGUAGES)
def test_visits_import(store, lang, snapshot):
    snapshot(screen("visits", "import", "visits.csv", "--date", "2026-05-05", *STORE, "--lang", lang), "recorded")
    Path("wrong.csv").write_text(TYPED_WRONG, encoding="utf-8")
    snapshot(error("visits", "import", "wrong.csv", "--date", "2026-05-05", *STORE, "--lang", lang), "refused")


# A single visit is reported as one visit; the error names the codes, the letters and the words.
@pytest.mark.parametrize("lang", LANGUAGES)
def test_visits_add(store, lang, snapshot):
    visit = ("--time", "2026-05-04 11:10", "--visitor", "PA 1234", *STORE, "--lang", lang)
    snapshot(screen("visits", "add", "H5", "--outcome", "ingen hemma", *visit), "recorded")
    snapshot(error("visits", "add", "H5", "--outcome", "later", *visit), "refused")


# Recording the whole file again records the one sign not yet up and names the two that were
# (their first day up stands).
@pytest.mark.parametrize("lang", LANGUAGES)
def test_signs_up(store, lang, snapshot):
    two = ("--sign", "S1-1", "--sign", "S1-2")
    snapshot(screen("signs", "up", "plan/signs.csv", *two, "--date", "2026-05-04", *STORE, "--lang", lang), "some")
    snapshot(screen("signs", "up", "plan/signs.csv", "--date", "2026-05-05", *STORE, "--lang", lang), "all")
    snapshot(error("signs", "up", "plan/signs.csv", "--sign", "S9-9", *STORE, "--lang", lang), "unknown")


# Signs taken down by id and by --due; a sign that is not up is refused by its id.
@pytest.mark.parametrize("lang", LANGUAGES)
def test_signs_down(store, lang, snapshot):
    screen("signs", "up", "plan/signs.csv", "--date", "2026-05-04", *STORE)
    snapshot(screen("signs", "down", "S1-1", "S1-2", "--date", "2026-05-20", *STORE, "--lang", lang), "given")
    # The three signs of B1's zone are due down on 2026-06-28, the last day of the zone.
    snapshot(screen("signs", "down", "--due", "--date", "2026-06-30", *STORE, "--lang", lang), "due")
    snapshot(error("signs", "down", "S9-9", "--date", "2026-06-30", *STORE, "--lang", lang), "unknown")


def delivered() -> None:
    """The visits of VISITS, every sign put up on the plan's day, and S1-1 taken down."""
    screen("visits", "import", "visits.csv", "--date", "2026-05-05", *STORE)
    screen("signs", "up", "plan/signs.csv", "--date", "2026-05-04", *STORE)
    screen("signs", "down", "S1-1", "--date", "2026-05-20", *STORE)


# Short headings that fit 100 columns in both languages, explained in the caption; the time of
# each report.
@pytest.mark.parametrize("lang", LANGUAGES)
def test_status(store, lang, snapshot):
    delivered()
    # B1 was reported on 2026-05-03 at 21:30: H1 was reached 12.5 h later and H2 (nobody home)
    # 37 h later; H4 got a leaflet after 48 h; H3 and H5 had no visit.
    report = screen("status", "--date", "2026-07-01", *STORE, "--lang", lang)
    snapshot(report, "report")
    snapshot(error("status", "--date", "2026-07-01", *STORE, "--lang", lang), "refused")
    assert screen("status", "--date", "2026-07-01", "--overwrite", *STORE, "--lang", lang) == report


# Each purge first says what it will remove, then removes it: one of a kind is singular.
@pytest.mark.parametrize("lang", LANGUAGES)
def test_purge(store, lang, snapshot):
    delivered()
    snapshot(screen("purge", "--before", "2026-04-15", *STORE, "--lang", lang), "older")
    snapshot(screen("purge", "--before", "2026-06-01", *STORE, "--lang", lang), "rest")
