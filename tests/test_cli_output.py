"""The whole screen output of every command, in English and in Swedish, exactly as printed.

Each test writes a handful of households and burglaries (around Stockholm, in SWEREF 99 TM, like
tests/conftest.py) into its own folder, runs the command the way a user types it, and compares
everything the command printed with the text written out below. The output is the same on every
machine: fixed dates and seeds, paths relative to the test's folder, and a terminal 100 columns
wide with no colours (rich takes the width from COLUMNS, and otherwise from the terminal that
pytest runs in). Standard output and standard error are compared separately.

`cocoon demo` is left out: it builds two OpenStreetMap areas with routes, the field pack and
offline maps, which takes too long for a test of its screen (tests/test_demo.py runs it).

Where today's output has a problem (English words in the Swedish output, "1 planer", values
read as markup, decimal points in Swedish), the expected text is the output as it is today and
a comment above the test names the problem, so that fixing it means changing the text here.
"""
# The expected screens are as wide as cocoon prints them (rich does not wrap plain text).
# ruff: noqa: E501

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
@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "en",
            """\
Cocooning plan for 2026-05-04
Distances in metres in EPSG:3006 (SWEREF99 TM).
Burglaries read: 3 (active: 1 high risk, 1 elevated; 1 expired).
Households to visit, by tier and phase
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━┳━━━━━━━━━━┳━━━━━━━┓
┃ Tier                                       ┃ High risk ┃ Elevated ┃ Total ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━╇━━━━━━━━━━╇━━━━━━━┩
│ A: burgled building and nearest neighbours │         4 │        2 │     6 │
│ B: within 200 m                            │         1 │        0 │     1 │
│ C: rest of the zone                        │        13 │        0 │    13 │
│ Total                                      │        18 │        2 │    20 │
└────────────────────────────────────────────┴───────────┴──────────┴───────┘
20 households with 40 dwellings are inside the zones.
Wrote zones.geojson, visits.csv, plan.json to plan.
""",
        ),
        (
            "sv",
            """\
Cocooningplan för 2026-05-04
Avstånd i meter i EPSG:3006 (SWEREF99 TM).
Inlästa inbrott: 3 (aktiva: 1 hög risk, 1 förhöjd; 1 utgången).
Hushåll att besöka, per nivå och fas
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━┳━━━━━━━━━┳━━━━━━━━┓
┃ Nivå                                    ┃ Hög risk ┃ Förhöjd ┃ Totalt ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━╇━━━━━━━━━╇━━━━━━━━┩
│ A: drabbad byggnad och närmaste grannar │        4 │       2 │      6 │
│ B: inom 200 m                           │        1 │       0 │      1 │
│ C: resten av zonen                      │       13 │       0 │     13 │
│ Totalt                                  │       18 │       2 │     20 │
└─────────────────────────────────────────┴──────────┴─────────┴────────┘
20 hushåll med 40 bostäder ligger inom zonerna.
Skrev zones.geojson, visits.csv, plan.json till plan.
""",
        ),
    ],
    ids=LANGUAGES,
)
def test_plan(inputs, lang, expected):
    assert screen(*PLAN, "--out", "plan", "--lang", lang) == expected


# The solver is named in the user's language; Swedish numbers have a decimal comma ("0,3 km",
# "× 1,3") and spaces between thousands ("1 102").
@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "en",
            """\
Cocooning plan for 2026-05-04
Distances in metres in EPSG:3006 (SWEREF99 TM).
Burglaries read: 3 (active: 1 high risk, 1 elevated; 1 expired).
Households to visit, by tier and phase
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━┳━━━━━━━━━━┳━━━━━━━┓
┃ Tier                                       ┃ High risk ┃ Elevated ┃ Total ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━╇━━━━━━━━━━╇━━━━━━━┩
│ A: burgled building and nearest neighbours │         4 │        2 │     6 │
│ B: within 200 m                            │         1 │        0 │     1 │
│ C: rest of the zone                        │        13 │        0 │    13 │
│ Total                                      │        18 │        2 │    20 │
└────────────────────────────────────────────┴───────────┴──────────┴───────┘
20 households with 40 dwellings are inside the zones.
Walking routes (cocoon's own heuristic, straight lines)
┏━━━━━━━━━┳━━━━━━━┳━━━━━━━━━━━┳━━━━━━━┳━━━━━━━━┳━━━━━━━━━┓
┃ Officer ┃ Stops ┃ Dwellings ┃  Risk ┃   Walk ┃ Back at ┃
┡━━━━━━━━━╇━━━━━━━╇━━━━━━━━━━━╇━━━━━━━╇━━━━━━━━╇━━━━━━━━━┩
│ 1       │     4 │         9 │ 1,102 │ 0.3 km │   10:28 │
│ 2       │     2 │        13 │   666 │ 0.9 km │   10:28 │
└─────────┴───────┴───────────┴───────┴────────┴─────────┘
Risk collected: 1,768 of 2,290 (77 %) from 20 candidate households.
No walking network given: walking distances are straight lines × 1.3. Give --network FILE.osm.pbf for footpath distances.
2 of 2 active zones are left to the police and not on the volunteers' list: either the public map does not show the zone at the centre of its own grid cell, or a victim's home would be among its outer households. Everyone within 287 m of a zone's public point is always left to the police.
Zone 2: every place for a sign has a victim's home among its 8 nearest households, so no sign is planned there.
Wrote zones.geojson, visits.csv, plan.json, routes.csv, routes.gpx, officer-1.html, officer-2.html, visit-list.csv, visit-list.html, visit-list.pdf, visit-list-volunteer.html, visit-list-volunteer.pdf, handout.html, handout.pdf, signs.csv, signs.geojson, sign-poster.html, sign-poster.pdf, sign-poster-a3.pdf, property-owners.csv to field.
""",
        ),
        (
            "sv",
            """\
Cocooningplan för 2026-05-04
Avstånd i meter i EPSG:3006 (SWEREF99 TM).
Inlästa inbrott: 3 (aktiva: 1 hög risk, 1 förhöjd; 1 utgången).
Hushåll att besöka, per nivå och fas
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━┳━━━━━━━━━┳━━━━━━━━┓
┃ Nivå                                    ┃ Hög risk ┃ Förhöjd ┃ Totalt ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━╇━━━━━━━━━╇━━━━━━━━┩
│ A: drabbad byggnad och närmaste grannar │        4 │       2 │      6 │
│ B: inom 200 m                           │        1 │       0 │      1 │
│ C: resten av zonen                      │       13 │       0 │     13 │
│ Totalt                                  │       18 │       2 │     20 │
└─────────────────────────────────────────┴──────────┴─────────┴────────┘
20 hushåll med 40 bostäder ligger inom zonerna.
Gångrutter (cocoons egen heuristik, fågelvägen)
┏━━━━━━━┳━━━━━━━┳━━━━━━━━━━┳━━━━━━━┳━━━━━━━━┳━━━━━━━━━━┓
┃ Polis ┃ Stopp ┃ Bostäder ┃  Risk ┃   Gång ┃ Tillbaka ┃
┡━━━━━━━╇━━━━━━━╇━━━━━━━━━━╇━━━━━━━╇━━━━━━━━╇━━━━━━━━━━┩
│ 1     │     4 │        9 │ 1 102 │ 0,3 km │    10:28 │
│ 2     │     2 │       13 │   666 │ 0,9 km │    10:28 │
└───────┴───────┴──────────┴───────┴────────┴──────────┘
Insamlad risk: 1 768 av 2 290 (77 %) från 20 möjliga hushåll.
Inget gångnät angivet: gångavstånd är fågelvägen × 1,3. Ange --network FIL.osm.pbf för avstånd längs gångvägar.
2 av 2 aktiva zoner lämnas åt polisen och finns inte på volontärernas lista: antingen visar den offentliga kartan inte zonen mitt i dess egen rutcell, eller så skulle ett brottsoffers hem finnas bland dess yttre hushåll. Alla inom 287 m från en zons punkt på den offentliga kartan lämnas alltid åt polisen.
Zon 2: varje plats för en skylt har ett brottsoffers hem bland sina 8 närmaste hushåll, så ingen skylt planeras där.
Skrev zones.geojson, visits.csv, plan.json, routes.csv, routes.gpx, officer-1.html, officer-2.html, visit-list.csv, visit-list.html, visit-list.pdf, visit-list-volunteer.html, visit-list-volunteer.pdf, handout.html, handout.pdf, signs.csv, signs.geojson, sign-poster.html, sign-poster.pdf, sign-poster-a3.pdf, property-owners.csv till field.
""",
        ),
    ],
    ids=LANGUAGES,
)
def test_plan_with_officers(inputs, lang, expected):
    args = ("--out", "field", "--officers", "2", "--hours", "0.5", "--start", "Storgatan 12", "--solver", "greedy")
    assert screen(*PLAN, *args, "--lang", lang) == expected


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
@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "en",
            """\
Knox test: 8 burglaries, 2026-01-05 to 2026-04-26
Distances in EPSG:3006 (SWEREF99 TM) (straight-line distance; each band includes its lower limit); 19 simulations, seed 1; 28 pairs counted.
Knox ratio (observed / expected pairs)
┏━━━━━━━━━━┳━━━━━━━┳━━━━━━┳━━━━━━━┳━━━━━━━┳━━━━━━━┳━━━━━━━┳━━━━━━┓
┃ m \\ days ┃   0–7 ┃ 7–14 ┃ 14–21 ┃ 21–28 ┃ 28–42 ┃ 42–56 ┃  56+ ┃
┡━━━━━━━━━━╇━━━━━━━╇━━━━━━╇━━━━━━━╇━━━━━━━╇━━━━━━━╇━━━━━━━╇━━━━━━┩
│ 0–1      │     – │    – │     – │     – │     – │     – │    – │
│ 1–100    │ 15.20 │    – │     – │     – │  0.00 │  0.00 │ 0.00 │
│ 100–200  │     – │    – │     – │     – │     – │     – │    – │
│ 200–300  │     – │    – │     – │     – │     – │     – │    – │
│ 300–400  │     – │    – │     – │     – │     – │     – │    – │
│ 400–500  │     – │    – │     – │     – │     – │     – │    – │
│ 500+     │  0.00 │    – │     – │     – │  1.23 │  1.12 │ 1.15 │
└──────────┴───────┴──────┴───────┴───────┴───────┴───────┴──────┘
* significant: p ≤ 0.05 and ratio ≥ 1.2 (Near Repeat Calculator rule), in a cell with at least 10 expected pairs
No near-repeat pattern close by: the nearest distance band (1–100 m) is not significant in the first time band.
Significant means p ≤ 0.05 and Knox ratio ≥ 1.2 (the Near Repeat Calculator's rule) in a cell with at least 10 expected pairs, counting time bands in a row from the first.
Risk model fitted on 8 burglaries (112 days, 4.2 km²)
1 % of the model comes from these burglaries; the rest from the published defaults, which count as 200 burglaries. Grey values below are mostly defaults.
With so few burglaries the model is mostly the published defaults: it will rank much as the defaults do until more burglaries are fitted.
Follow-on burglaries per 1,000 burglaries, by distance and days after
┏━━━━━━━━━━━━━┳━━━━━━┳━━━━━━┳━━━━━━━┳━━━━━━━┳━━━━━━━━┳━━━━━━━━━┳━━━━━━━━━┓
┃ m \\ days    ┃  1–7 ┃ 8–14 ┃ 15–28 ┃ 29–56 ┃ 57–182 ┃ 183–365 ┃ 366–730 ┃
┡━━━━━━━━━━━━━╇━━━━━━╇━━━━━━╇━━━━━━━╇━━━━━━━╇━━━━━━━━╇━━━━━━━━━╇━━━━━━━━━┩
│ same place  │  0.2 │  0.1 │   0.1 │   0.2 │    0.0 │     0.0 │     0.0 │
│ 10–50 m     │ 17.4 │  1.5 │   1.3 │   2.6 │    0.0 │     0.0 │     0.0 │
│ 50–100 m    │ 11.8 │  4.1 │   3.5 │   6.9 │    0.0 │     0.0 │     0.0 │
│ 100–200 m   │ 19.6 │ 11.8 │   9.8 │  19.7 │    0.0 │     0.0 │     0.0 │
│ 200–300 m   │ 20.3 │ 12.2 │  10.2 │  20.4 │    0.0 │     0.0 │     0.0 │
│ 300–400 m   │ 18.7 │ 11.2 │   9.4 │  18.8 │    0.0 │     0.0 │     0.0 │
│ 400–500 m   │ 11.6 │  7.0 │   5.8 │  11.6 │    0.0 │     0.0 │     0.0 │
│ 500–1,000 m │  0.0 │  0.0 │   0.0 │   0.0 │    0.0 │     0.0 │     0.0 │
└─────────────┴──────┴──────┴───────┴───────┴────────┴─────────┴─────────┘
Same place: up to 10 m apart. 95 % intervals in the JSON output (--json); grey: under half from the data
The model is in the settings file: cocoon plan --settings local.toml ranks households with it, within the zones as set.
Only 8 burglaries: below about 200 the test has little power, so neither a pattern nor its absence is clear. Prefer the defaults unless a longer period says the same.
48 of 49 cells have fewer than 10 expected pairs: too few to judge, so they get no star and do not shape the suggestion.
Written: knox.json, local.toml
""",
        ),
        (
            "sv",
            """\
Knox-test: 8 inbrott, 2026-01-05 till 2026-04-26
Avstånd i EPSG:3006 (SWEREF99 TM) (fågelvägen; varje band omfattar sin nedre gräns); 19 simuleringar, frö 1; 28 par räknade.
Knox-kvot (observerade / förväntade par)
┏━━━━━━━━━━━┳━━━━━━━┳━━━━━━┳━━━━━━━┳━━━━━━━┳━━━━━━━┳━━━━━━━┳━━━━━━┓
┃ m \\ dagar ┃   0–7 ┃ 7–14 ┃ 14–21 ┃ 21–28 ┃ 28–42 ┃ 42–56 ┃  56+ ┃
┡━━━━━━━━━━━╇━━━━━━━╇━━━━━━╇━━━━━━━╇━━━━━━━╇━━━━━━━╇━━━━━━━╇━━━━━━┩
│ 0–1       │     – │    – │     – │     – │     – │     – │    – │
│ 1–100     │ 15,20 │    – │     – │     – │  0,00 │  0,00 │ 0,00 │
│ 100–200   │     – │    – │     – │     – │     – │     – │    – │
│ 200–300   │     – │    – │     – │     – │     – │     – │    – │
│ 300–400   │     – │    – │     – │     – │     – │     – │    – │
│ 400–500   │     – │    – │     – │     – │     – │     – │    – │
│ 500+      │  0,00 │    – │     – │     – │  1,23 │  1,12 │ 1,15 │
└───────────┴───────┴──────┴───────┴───────┴───────┴───────┴──────┘
* signifikant: p ≤ 0,05 och kvot ≥ 1,2 (Near Repeat Calculators regel), i en cell med minst 10 förväntade par
Inget närupprepningsmönster på nära håll: det närmaste avståndsbandet (1–100 m) är inte signifikant i det första tidsbandet.
Signifikant betyder p ≤ 0,05 och Knox-kvot ≥ 1,2 (Near Repeat Calculators regel) i en cell med minst 10 förväntade par, med tidsband i följd från det första.
Riskmodell anpassad till 8 inbrott (112 dagar, 4,2 km²)
1 % av modellen kommer från dessa inbrott; resten från de publicerade standardvärdena, som räknas som 200 inbrott. Grå värden nedan är mest standardvärden.
Med så få inbrott är modellen mest de publicerade standardvärdena: den rangordnar ungefär som standardvärdena tills fler inbrott anpassas.
Följdinbrott per 1 000 inbrott, efter avstånd och dagar efter
┏━━━━━━━━━━━━━┳━━━━━━┳━━━━━━┳━━━━━━━┳━━━━━━━┳━━━━━━━━┳━━━━━━━━━┳━━━━━━━━━┓
┃ m \\ dagar   ┃  1–7 ┃ 8–14 ┃ 15–28 ┃ 29–56 ┃ 57–182 ┃ 183–365 ┃ 366–730 ┃
┡━━━━━━━━━━━━━╇━━━━━━╇━━━━━━╇━━━━━━━╇━━━━━━━╇━━━━━━━━╇━━━━━━━━━╇━━━━━━━━━┩
│ samma plats │  0,2 │  0,1 │   0,1 │   0,2 │    0,0 │     0,0 │     0,0 │
│ 10–50 m     │ 17,4 │  1,5 │   1,3 │   2,6 │    0,0 │     0,0 │     0,0 │
│ 50–100 m    │ 11,8 │  4,1 │   3,5 │   6,9 │    0,0 │     0,0 │     0,0 │
│ 100–200 m   │ 19,6 │ 11,8 │   9,8 │  19,7 │    0,0 │     0,0 │     0,0 │
│ 200–300 m   │ 20,3 │ 12,2 │  10,2 │  20,4 │    0,0 │     0,0 │     0,0 │
│ 300–400 m   │ 18,7 │ 11,2 │   9,4 │  18,8 │    0,0 │     0,0 │     0,0 │
│ 400–500 m   │ 11,6 │  7,0 │   5,8 │  11,6 │    0,0 │     0,0 │     0,0 │
│ 500–1 000 m │  0,0 │  0,0 │   0,0 │   0,0 │    0,0 │     0,0 │     0,0 │
└─────────────┴──────┴──────┴───────┴───────┴────────┴─────────┴─────────┘
Samma plats: upp till 10 m isär. 95 %-intervall i JSON-utdata (--json); grått: under hälften från data
Modellen finns i inställningsfilen: cocoon plan --settings local.toml rangordnar hushåll med den, inom zonerna som de är inställda.
Bara 8 inbrott: under ungefär 200 har testet liten styrka, så varken ett mönster eller frånvaron av ett är tydlig. Välj hellre standardvärdena om inte en längre period visar samma sak.
48 av 49 celler har färre än 10 förväntade par: för få för att bedöma, så de får ingen stjärna och påverkar inte förslaget.
Skrivet: knox.json, local.toml
""",
        ),
    ],
    ids=LANGUAGES,
)
def test_calibrate(inputs, lang, expected):
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
    assert screen(*args, "--lang", lang, stderr=PROGRESS_LEFTOVER) == expected


# The study area named in the user's language; Swedish numbers with a decimal comma ("4,2 km²",
# "2,6 %", "22,06", "medel 0,43").
@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "en",
            """\
Backtest: 7 burglaries scored, 2026-01-06 to 2026-04-30
Zones of 500 m: high risk the 14 days after a burglary, all zones 56 days. Distances in EPSG:3006 (SWEREF99 TM); study area: the convex hull of all burglaries (4.2 km², 50 m grid).
At the area of the high-risk zones (burglaries of the last 14 days)
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━┳━━━━━━━┓
┃ Method                                 ┃ Area share ┃ Hit rate ┃   PAI ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━╇━━━━━━━┩
│ Zones, high risk (1–14 days)           │      2.6 % │   57.1 % │ 22.06 │
│ Prospective hot-spots (Bowers-Johnson) │      2.6 % │   57.1 % │ 22.06 │
│ Kernel density, last 56 days           │      2.6 % │   57.1 % │ 22.06 │
│ Hotspot counts, last year              │      2.6 % │   30.0 % │ 11.60 │
│ cocoon ranking model                   │      2.6 % │   57.1 % │ 22.06 │
└────────────────────────────────────────┴────────────┴──────────┴───────┘
At the area of all zones (burglaries of the last 56 days)
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━┳━━━━━━┓
┃ Method                                 ┃ Area share ┃ Hit rate ┃  PAI ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━╇━━━━━━┩
│ Zones, all (1–56 days)                 │      7.7 % │   57.1 % │ 7.47 │
│ Prospective hot-spots (Bowers-Johnson) │      7.7 % │   58.1 % │ 7.59 │
│ Kernel density, last 56 days           │      7.7 % │   57.7 % │ 7.54 │
│ Hotspot counts, last year              │      7.7 % │   33.9 % │ 4.43 │
│ cocoon ranking model                   │      7.7 % │   57.1 % │ 7.47 │
└────────────────────────────────────────┴────────────┴──────────┴──────┘
Sweep: zones of each radius and window
┏━━━━━━━━┳━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━┳━━━━━━━━┓
┃ Radius ┃ Days ┃ Area share ┃ Hit rate ┃    PAI ┃
┡━━━━━━━━╇━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━╇━━━━━━━━┩
│  100 m │    7 │      0.1 % │   57.1 % │ 593.90 │
│  100 m │   56 │      0.5 % │   57.1 % │ 118.53 │
│  500 m │    7 │      1.6 % │   57.1 % │  35.60 │
│  500 m │   56 │      7.7 % │   57.1 % │   7.47 │
└────────┴──────┴────────────┴──────────┴────────┘
The ranking model is not judged against the other methods: the period has burglaries on fewer than 8 weeks, too few to resample.
cocoon's ranking model catches 57.1 % at the high-risk zones' area, Bowers-Johnson 57.1 %: at least as good.
Follow-on burglaries: 42.9 % of the burglaries had another within 200 m and 14 days after (mean 0.43); 42.9 % within 500 m and 56 days (mean 0.43).
Written: backtest.json
""",
        ),
        (
            "sv",
            """\
Utvärdering: 7 inbrott bedömda, 2026-01-06 till 2026-04-30
Zoner på 500 m: hög risk 14 dagar efter ett inbrott, alla zoner 56 dagar. Avstånd i EPSG:3006 (SWEREF99 TM); studieområde: det minsta konvexa område som rymmer alla inbrott (4,2 km², rutnät 50 m).
Vid högriskzonernas yta (inbrott de senaste 14 dagarna)
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━┓
┃ Metod                                  ┃ Andel av ytan ┃ Träffandel ┃   PAI ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━┩
│ Zoner, hög risk (1–14 dagar)           │         2,6 % │     57,1 % │ 22,06 │
│ Prospektiva hot spots (Bowers-Johnson) │         2,6 % │     57,1 % │ 22,06 │
│ Kärntäthet, senaste 56 dagarna         │         2,6 % │     57,1 % │ 22,06 │
│ Hot spots, antal senaste året          │         2,6 % │     30,0 % │ 11,60 │
│ cocoons rankningsmodell                │         2,6 % │     57,1 % │ 22,06 │
└────────────────────────────────────────┴───────────────┴────────────┴───────┘
Vid alla zoners yta (inbrott de senaste 56 dagarna)
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━┓
┃ Metod                                  ┃ Andel av ytan ┃ Träffandel ┃  PAI ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━┩
│ Zoner, alla (1–56 dagar)               │         7,7 % │     57,1 % │ 7,47 │
│ Prospektiva hot spots (Bowers-Johnson) │         7,7 % │     58,1 % │ 7,59 │
│ Kärntäthet, senaste 56 dagarna         │         7,7 % │     57,7 % │ 7,54 │
│ Hot spots, antal senaste året          │         7,7 % │     33,9 % │ 4,43 │
│ cocoons rankningsmodell                │         7,7 % │     57,1 % │ 7,47 │
└────────────────────────────────────────┴───────────────┴────────────┴──────┘
Svep: zoner för varje radie och fönster
┏━━━━━━━┳━━━━━━━┳━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━┓
┃ Radie ┃ Dagar ┃ Andel av ytan ┃ Träffandel ┃    PAI ┃
┡━━━━━━━╇━━━━━━━╇━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━┩
│ 100 m │     7 │         0,1 % │     57,1 % │ 593,90 │
│ 100 m │    56 │         0,5 % │     57,1 % │ 118,53 │
│ 500 m │     7 │         1,6 % │     57,1 % │  35,60 │
│ 500 m │    56 │         7,7 % │     57,1 % │   7,47 │
└───────┴───────┴───────────────┴────────────┴────────┘
Rankningsmodellen bedöms inte mot de andra metoderna: perioden har inbrott under färre än 8 veckor, för få för att dra om.
cocoons rankningsmodell fångar 57,1 % vid högriskzonernas yta, Bowers-Johnson 57,1 %: minst lika bra.
Följdinbrott: 42,9 % av inbrotten följdes av ett till inom 200 m och 14 dagar (medel 0,43); 42,9 % inom 500 m och 56 dagar (medel 0,43).
Skrivet: backtest.json
""",
        ),
    ],
    ids=LANGUAGES,
)
def test_backtest(inputs, lang, expected):
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
    assert screen(*args, "--lang", lang, stderr=PROGRESS_LEFTOVER) == expected


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
@pytest.mark.parametrize(
    ("lang", "first", "again"),
    [
        (
            "en",
            """\
Burglaries added to the store: 3; already there: 0.
""",
            """\
Burglaries added to the store: 1; already there: 1.
1 burglary is already in the store with another date or place; the stored details were kept:
  B2: stored 2026-04-10 00:00 (18.07551, 59.32246); this file 2026-04-11 00:00 (18.07551, 59.32246) (0 m apart)
1 unusable row was left out; it is listed with the reason in later-rejected-rows.csv.
""",
        ),
        (
            "sv",
            """\
Inbrott tillagda i databasen: 3; fanns redan: 0.
""",
            """\
Inbrott tillagda i databasen: 1; fanns redan: 1.
1 inbrott finns redan i databasen med ett annat datum eller en annan plats; de sparade uppgifterna behölls:
  B2: sparat 2026-04-10 00:00 (18.07551, 59.32246); den här filen 2026-04-11 00:00 (18.07551, 59.32246) (0 m ifrån)
1 oanvändbar rad lämnades utanför; den listas med orsaken i later-rejected-rows.csv.
""",
        ),
    ],
    ids=LANGUAGES,
)
def test_ingest(inputs, lang, first, again):
    Path("later.csv").write_text(LATER, encoding="utf-8")
    assert screen("ingest", "burglaries.csv", "--crs", "EPSG:3006", *STORE, "--lang", lang) == first
    assert screen("ingest", "later.csv", "--crs", "EPSG:3006", "--skip-bad-rows", *STORE, "--lang", lang) == again
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


@pytest.mark.parametrize(
    ("lang", "expected", "refused"),
    [
        (
            "en",
            """\
Visits recorded: 3 (rows without an outcome skipped: 1).
""",
            """\
Error: wrong.csv: 3 rows cannot be imported, so nothing was imported. Fix them and import the file again (the first 3 are listed):
  wrong.csv, row 3, column outcome: 'maybe' is not an outcome; use one of face, nothome, leaflet, refused, noaccess, owner, revisit, kit, watch, its letter from the list (F, N, L, ...) or its words ("not home", "spoke to"; see docs/outputs.md).
  wrong.csv, row 4, column household_id: household 'H99' is not on any plan in the store.
  wrong.csv, row 5, column time: 'soon' is not a time; write YYYY-MM-DD HH:MM, or HH:MM with --date.
""",
        ),
        (
            "sv",
            """\
Besök registrerade: 3 (rader utan utfall hoppades över: 1).
""",
            """\
Fel: wrong.csv: 3 rader kan inte läsas in, så inget lästes in. Rätta dem och läs in filen igen (de första 3 visas):
  wrong.csv, rad 3, kolumn outcome: 'maybe' är inget utfall; använd ett av face, nothome, leaflet, refused, noaccess, owner, revisit, kit, watch, dess bokstav från listan (F, N, L, ...) eller ord ("ej hemma", "pratade med"; se docs/outputs.md).
  wrong.csv, rad 4, kolumn household_id: hushållet 'H99' finns inte i någon plan i databasen.
  wrong.csv, rad 5, kolumn time: 'soon' är ingen tid; skriv ÅÅÅÅ-MM-DD TT:MM, eller TT:MM med --date.
""",
        ),
    ],
    ids=LANGUAGES,
)
def test_visits_import(store, lang, expected, refused):
    assert screen("visits", "import", "visits.csv", "--date", "2026-05-05", *STORE, "--lang", lang) == expected
    Path("wrong.csv").write_text(TYPED_WRONG, encoding="utf-8")
    assert error("visits", "import", "wrong.csv", "--date", "2026-05-05", *STORE, "--lang", lang) == refused


# A single visit is reported as one visit; the error names the codes, the letters and the words.
@pytest.mark.parametrize(
    ("lang", "expected", "refused"),
    [
        (
            "en",
            """\
Visit to H5 recorded.
""",
            """\
Error: --outcome 'later' is not an outcome; use one of face, nothome, leaflet, refused, noaccess, owner, revisit, kit, watch, its letter from the list (F, N, L, ...) or its words ("not home", "spoke to"; see docs/outputs.md).
""",
        ),
        (
            "sv",
            """\
Besöket hos H5 är registrerat.
""",
            """\
Fel: --outcome 'later' är inget utfall; använd ett av face, nothome, leaflet, refused, noaccess, owner, revisit, kit, watch, dess bokstav från listan (F, N, L, ...) eller ord ("ej hemma", "pratade med"; se docs/outputs.md).
""",
        ),
    ],
    ids=LANGUAGES,
)
def test_visits_add(store, lang, expected, refused):
    visit = ("--time", "2026-05-04 11:10", "--visitor", "PA 1234", *STORE, "--lang", lang)
    assert screen("visits", "add", "H5", "--outcome", "ingen hemma", *visit) == expected
    assert error("visits", "add", "H5", "--outcome", "later", *visit) == refused


# Recording the whole file again records the one sign not yet up and names the two that were
# (their first day up stands).
@pytest.mark.parametrize(
    ("lang", "some", "all_of_them", "unknown"),
    [
        (
            "en",
            "Signs recorded as up: 2.\n",
            "Signs recorded as up: 1.\nAlready recorded as up, left as they were: S1-1, S1-2.\n",
            "Error: plan/signs.csv has no sign S9-9.\n",
        ),
        (
            "sv",
            "Skyltar registrerade som uppsatta: 2.\n",
            "Skyltar registrerade som uppsatta: 1.\nRedan registrerade som uppsatta, lämnades som de var: S1-1, S1-2.\n",
            "Fel: plan/signs.csv har ingen skylt S9-9.\n",
        ),
    ],
    ids=LANGUAGES,
)
def test_signs_up(store, lang, some, all_of_them, unknown):
    assert (
        screen(
            "signs",
            "up",
            "plan/signs.csv",
            "--sign",
            "S1-1",
            "--sign",
            "S1-2",
            "--date",
            "2026-05-04",
            *STORE,
            "--lang",
            lang,
        )
        == some
    )
    assert screen("signs", "up", "plan/signs.csv", "--date", "2026-05-05", *STORE, "--lang", lang) == all_of_them
    assert error("signs", "up", "plan/signs.csv", "--sign", "S9-9", *STORE, "--lang", lang) == unknown


@pytest.mark.parametrize(
    ("lang", "given", "due", "unknown"),
    [
        (
            "en",
            "Signs recorded as taken down: 2.\n",
            "Signs recorded as taken down: 1.\n",
            "Error: No sign S9-9 is recorded as up in the store.\n",
        ),
        (
            "sv",
            "Skyltar registrerade som nedtagna: 2.\n",
            "Skyltar registrerade som nedtagna: 1.\n",
            "Fel: Ingen skylt S9-9 är registrerad som uppsatt i databasen.\n",
        ),
    ],
    ids=LANGUAGES,
)
def test_signs_down(store, lang, given, due, unknown):
    screen("signs", "up", "plan/signs.csv", "--date", "2026-05-04", *STORE)
    assert screen("signs", "down", "S1-1", "S1-2", "--date", "2026-05-20", *STORE, "--lang", lang) == given
    # The three signs of B1's zone are due down on 2026-06-28, the last day of the zone.
    assert screen("signs", "down", "--due", "--date", "2026-06-30", *STORE, "--lang", lang) == due
    assert error("signs", "down", "S9-9", "--date", "2026-06-30", *STORE, "--lang", lang) == unknown


def delivered() -> None:
    """The visits of VISITS, every sign put up on the plan's day, and S1-1 taken down."""
    screen("visits", "import", "visits.csv", "--date", "2026-05-05", *STORE)
    screen("signs", "up", "plan/signs.csv", "--date", "2026-05-04", *STORE)
    screen("signs", "down", "S1-1", "--date", "2026-05-20", *STORE)


# Short headings that fit 100 columns in both languages, explained in the caption; the time of
# each report.
@pytest.mark.parametrize(
    ("lang", "expected", "refused"),
    [
        (
            "en",
            """\
Delivery status on 2026-07-01
2 burglaries with 7 tier A and B households to visit.
┏━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━┳━━━━━━━━┳━━━━━━━┳━━━━━━━━━┳━━━━━━┓
┃ Burglary ┃ Reported         ┃ Households ┃ ≤ 24 h ┃ ≤ 48 h ┃ Spoke ┃ Leaflet ┃ None ┃
┡━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━╇━━━━━━━━╇━━━━━━━╇━━━━━━━━━╇━━━━━━┩
│ B1       │ 2026-05-03 21:30 │          5 │      1 │      2 │     1 │       1 │    2 │
│ B2       │ 2026-04-10 00:00 │          2 │      0 │      0 │     0 │       0 │    2 │
│ Total    │                  │          7 │   14 % │   29 % │  14 % │    14 % │ 57 % │
└──────────┴──────────────────┴────────────┴────────┴────────┴───────┴─────────┴──────┘
Tier A and B households of each burglary's first plan. ≤ 24 h, ≤ 48 h: a visit was attempted within that time of the report. Spoke: spoke to someone face to face. Leaflet: a leaflet left, nobody spoken to. None: no visit recorded.
Signs overdue for removal: 2
  S1-2: due down 2026-06-28
  S1-3: due down 2026-06-28
Written: status-2026-07-01/status.csv, status-2026-07-01/status.html
""",
            """\
Error: The output folder status-2026-07-01 is not empty. Choose another folder, or add --overwrite to replace it (a folder cocoon did not write is kept, moved aside).
""",
        ),
        (
            "sv",
            """\
Leveransstatus 2026-07-01
2 inbrott med 7 hushåll på nivå A och B att besöka.
┏━━━━━━━━━┳━━━━━━━━━━━━━━━━━━┳━━━━━━━━━┳━━━━━━━━┳━━━━━━━━┳━━━━━━━━┳━━━━━━┳━━━━━━━┓
┃ Inbrott ┃ Anmält           ┃ Hushåll ┃ ≤ 24 h ┃ ≤ 48 h ┃ Pratat ┃ Lapp ┃ Inget ┃
┡━━━━━━━━━╇━━━━━━━━━━━━━━━━━━╇━━━━━━━━━╇━━━━━━━━╇━━━━━━━━╇━━━━━━━━╇━━━━━━╇━━━━━━━┩
│ B1      │ 2026-05-03 21:30 │       5 │      1 │      2 │      1 │    1 │     2 │
│ B2      │ 2026-04-10 00:00 │       2 │      0 │      0 │      0 │    0 │     2 │
│ Totalt  │                  │       7 │   14 % │   29 % │   14 % │ 14 % │  57 % │
└─────────┴──────────────────┴─────────┴────────┴────────┴────────┴──────┴───────┘
Hushåll på nivå A och B i varje inbrotts första plan. ≤ 24 h, ≤ 48 h: ett besök försöktes inom den tiden från anmälan. Pratat: talat med någon ansikte mot ansikte. Lapp: informationsblad lämnat, ingen att tala med. Inget: inget besök registrerat.
Skyltar som borde ha tagits ned: 2
  S1-2: ska ned 2026-06-28
  S1-3: ska ned 2026-06-28
Skrivet: status-2026-07-01/status.csv, status-2026-07-01/status.html
""",
            """\
Fel: Utmappen status-2026-07-01 är inte tom. Välj en annan mapp eller lägg till --overwrite för att ersätta den (en mapp som cocoon inte skrivit flyttas undan, den raderas inte).
""",
        ),
    ],
    ids=LANGUAGES,
)
def test_status(store, lang, expected, refused):
    delivered()
    # B1 was reported on 2026-05-03 at 21:30: H1 was reached 12.5 h later and H2 (nobody home)
    # 37 h later; H4 got a leaflet after 48 h; H3 and H5 had no visit.
    assert screen("status", "--date", "2026-07-01", *STORE, "--lang", lang) == expected
    assert error("status", "--date", "2026-07-01", *STORE, "--lang", lang) == refused
    assert screen("status", "--date", "2026-07-01", "--overwrite", *STORE, "--lang", lang) == expected


# Each purge first says what it will remove, then removes it: one of a kind is singular.
@pytest.mark.parametrize(
    ("lang", "older", "rest"),
    [
        (
            "en",
            """\
To be removed, everything dated before 2026-04-15: 2 burglaries, 0 visits, 0 plans (0 listed households), 0 signs taken down; visitor names and household ids to be removed from 0 audit entries.
Removed everything dated before 2026-04-15: 2 burglaries, 0 visits, 0 plans (0 listed households), 0 signs taken down; visitor names and household ids removed from 0 audit entries.
""",
            """\
To be removed, everything dated before 2026-06-01: 1 burglary, 3 visits, 1 plan (20 listed households), 1 sign taken down; visitor names and household ids to be removed from 0 audit entries.
Removed everything dated before 2026-06-01: 1 burglary, 3 visits, 1 plan (20 listed households), 1 sign taken down; visitor names and household ids removed from 0 audit entries.
""",
        ),
        (
            "sv",
            """\
Tas bort, allt daterat före 2026-04-15: 2 inbrott, 0 besök, 0 planer (0 listade hushåll), 0 nedtagna skyltar; besökarnamn och hushålls-id tas bort ur 0 poster i loggen.
Tog bort allt daterat före 2026-04-15: 2 inbrott, 0 besök, 0 planer (0 listade hushåll), 0 nedtagna skyltar; besökarnamn och hushålls-id togs bort ur 0 poster i loggen.
""",
            """\
Tas bort, allt daterat före 2026-06-01: 1 inbrott, 3 besök, 1 plan (20 listade hushåll), 1 nedtagen skylt; besökarnamn och hushålls-id tas bort ur 0 poster i loggen.
Tog bort allt daterat före 2026-06-01: 1 inbrott, 3 besök, 1 plan (20 listade hushåll), 1 nedtagen skylt; besökarnamn och hushålls-id togs bort ur 0 poster i loggen.
""",
        ),
    ],
    ids=LANGUAGES,
)
def test_purge(store, lang, older, rest):
    delivered()
    assert screen("purge", "--before", "2026-04-15", *STORE, "--lang", lang) == older
    assert screen("purge", "--before", "2026-06-01", *STORE, "--lang", lang) == rest
