"""A Swedish police area's own day: its exports in, spreadsheets Swedish Excel opens with a
double-click out, and cocoon's own files read back after Excel has saved them."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import X0, Y0, to_lonlat

from cocoon.cli import main

START = "{:.6f},{:.6f}".format(*(float(v[0]) for v in to_lonlat([X0 + 100], [Y0 - 100])))
PEOPLE_FILES = ("visits.csv", "visit-list.csv", "routes.csv", "signs.csv", "property-owners.csv")
BOM = b"\xef\xbb\xbf"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def comma(value: float, digits: int = 1) -> str:
    return f"{value:.{digits}f}".replace(".", ",")


@pytest.fixture()
def exports(tmp_path, household_frame, burglary_frame):
    """The burglary export and the household register as the area's systems write them: ';',
    decimal comma, UTF-8 with BOM, SWEREF 99 TM; a time column; the register's own ids."""
    burglaries = pd.DataFrame(
        {
            "Ärendenummer": ["K104714", "K104715", "K104716", "K104717"],
            "Brottsdatum": burglary_frame["date"],
            "Klockslag": ["21:30", "0815", "", "kl. 7.05"],
            "Adress": burglary_frame["address"],
            "X": burglary_frame["x"].map(comma),
            "Y": burglary_frame["y"].map(comma),
        }
    )
    b = tmp_path / "inbrott.csv"
    burglaries.to_csv(b, sep=";", index=False, encoding="utf-8-sig")
    register = pd.DataFrame(
        {
            "Hushålls-ID": household_frame["household_id"],
            "Gatuadress": household_frame["street"] + " " + household_frame["number"],
            "Gatunamn": household_frame["street"],
            "Nummer": household_frame["number"],
            "Postnummer": "112 34",
            "Ort": "Stockholm",
            "X": household_frame["x"].map(comma),
            "Y": household_frame["y"].map(comma),
            "Antal lägenheter": household_frame["dwellings"],
            "Byggnadstyp": "flerbostadshus",
            "Fastighetsägare": "Brf Solen",
            "Byggnads-ID": household_frame["street"] + household_frame["number"],
        }
    )
    h = tmp_path / "hushall.csv"
    register.to_csv(h, sep=";", index=False, encoding="utf-8-sig")
    return b, h


def plan(exports, out, *extra):
    b, h = exports
    result = run(
        "plan",
        "--burglaries",
        b,
        "--households",
        h,
        "--crs",
        "EPSG:3006",
        "--date",
        "2026-05-04",
        "--out",
        out,
        "--officers",
        "2",
        "--start",
        START,
        "--solver",
        "greedy",
        *extra,
    )
    assert result.exit_code == 0, result.output
    return result


def header_and_first_row(path: Path) -> tuple[bytes, list[str], list[str]]:
    raw = path.read_bytes()
    lines = raw.decode("utf-8-sig").splitlines()
    return raw[:3], lines[0].split(";"), lines[1].split(";") if len(lines) > 1 else []


def test_with_swedish_every_spreadsheet_opens_in_swedish_excel(exports, tmp_path):
    out = tmp_path / "plan"
    plan(exports, out, "--lang", "sv")
    for name in PEOPLE_FILES:
        start, header, _ = header_and_first_row(out / name)
        assert start == BOM, name
        assert len(header) > 2, f"{name}: not separated by ';'"
    routes = pd.read_csv(out / "routes.csv", sep=";", decimal=",", encoding="utf-8-sig", dtype={"Hushålls-id": str})
    assert {"Polis", "Stopp", "Hushålls-id", "Adress", "Longitud", "Latitud", "Ankomst"} <= set(routes.columns)
    assert routes["Longitud"].dtype == float and routes["Poäng"].dtype == float
    text = (out / "routes.csv").read_text(encoding="utf-8-sig")
    assert re.search(r";18,\d{1,6};59,\d{1,6};", text), "coordinates with a decimal comma and at most 6 decimals"
    assert not re.search(r"\d\.\d", text.split("\n", 1)[1]), "no decimal point left"
    visits = pd.read_csv(out / "visits.csv", sep=";", decimal=",", encoding="utf-8-sig")
    assert {"Hushålls-id", "Nivå", "Avstånd (m)", "Inbrott här"} <= set(visits.columns)
    assert set(visits["Inbrott här"]) <= {"ja", "nej"}


def test_the_plain_dialect_keeps_the_column_names(exports, tmp_path):
    plan(exports, tmp_path / "plain", "--lang", "sv", "--csv-dialect", "plain")
    for name in PEOPLE_FILES:
        start, header, _ = header_and_first_row(tmp_path / "plain" / name)
        assert start != BOM and ";" not in ",".join(header)
    routes = pd.read_csv(tmp_path / "plain" / "routes.csv")
    assert {"officer", "stop", "household_id", "lon", "lat"} <= set(routes.columns)
    assert all(len(str(v).split(".")[1]) <= 6 for v in routes["lon"])
    plan(exports, tmp_path / "swedish", "--lang", "en", "--csv-dialect", "excel-sv")
    assert (tmp_path / "swedish" / "routes.csv").read_bytes().startswith(BOM)
    settings = tmp_path / "s.toml"
    settings.write_text('csv_dialect = "plain"\n')
    plan(exports, tmp_path / "setting", "--lang", "sv", "--settings", settings)
    assert not (tmp_path / "setting" / "visits.csv").read_bytes().startswith(BOM)


def excel_saves(path: Path, frame: pd.DataFrame) -> None:
    """What Swedish Excel writes with "Save as CSV (semicolon)": Windows-1252, ';', CRLF."""
    path.write_bytes(frame.to_csv(sep=";", index=False, lineterminator="\r\n").encode("cp1252"))


@pytest.mark.parametrize("register_ids", [True, False], ids=["Hushålls-ID", "no ids"])
def test_a_swedish_analysts_day(exports, tmp_path, register_ids):
    """Plan with the field pack and maps in Swedish into the store; the visit list filled in and
    saved by Excel, imported twice; signs up and down; status; purge. Once with the register's
    own ids, once with a register without an id column (ids made from address and position)."""
    _, h = exports
    if not register_ids:
        register = pd.read_csv(h, sep=";", encoding="utf-8-sig", dtype=str).drop(columns=["Hushålls-ID"])
        register.to_csv(h, sep=";", index=False, encoding="utf-8-sig")
    store = tmp_path / "cocoon.sqlite"
    out = tmp_path / "plan"
    ingested = run("ingest", exports[0], "--crs", "EPSG:3006", "--store", store, "--lang", "sv")
    assert ingested.exit_code == 0, ingested.output
    result = plan(exports, out, "--lang", "sv", "--store", store, "--maps", "--officer-names", "Anna,Bertil")
    assert "Databasen:" in result.output and "Lager" not in result.output
    assert "1 utgångna" not in result.output
    assert (out / "map.html").exists() and "Polis 1" not in (out / "visit-list.html").read_text(encoding="utf-8")
    assert "Anna" in (out / "visit-list.html").read_text(encoding="utf-8")

    filled = pd.read_csv(out / "visit-list.csv", sep=";", decimal=",", encoding="utf-8-sig", dtype=str)
    assert list(filled.columns)[:5] == ["Polis", "Stopp", "Hushålls-id", "Adress", "Nivå"]
    filled = filled.head(4).copy()
    filled["Utfall"] = ["ej hemma", "pratade med", "lapp lämnad", ""]
    filled["Tid"] = ["09:40", "09:55", "10:05", ""]
    filled["Besökare"] = "Anna"
    typed = tmp_path / "ifylld.csv"
    excel_saves(typed, filled)
    first = run("visits", "import", typed, "--date", "2026-05-05", "--store", store, "--lang", "sv")
    assert first.exit_code == 0, first.output
    assert "Besök registrerade: 3 (rader utan utfall hoppades över: 1)." in first.output
    again = run("visits", "import", typed, "--date", "2026-05-05", "--store", store, "--lang", "sv")
    assert "Besök registrerade: 0; 3 var redan registrerade och sparades inte igen" in again.output
    with sqlite3.connect(store) as db:
        stored = dict(db.execute("SELECT household_id, outcome FROM visits").fetchall())
    ids = filled["Hushålls-id"].tolist()
    assert all(i.startswith("H") if register_ids else i.startswith("addr-") for i in ids)
    assert stored == {ids[0]: "nothome", ids[1]: "face", ids[2]: "leaflet"}

    signs = pd.read_csv(out / "signs.csv", sep=";", decimal=",", encoding="utf-8-sig", dtype={"Skylt-id": str})
    excel_saves(tmp_path / "skyltar.csv", signs)
    up = run("signs", "up", tmp_path / "skyltar.csv", "--date", "2026-05-04", "--store", store, "--lang", "sv")
    assert up.exit_code == 0 and f"Skyltar registrerade som uppsatta: {len(signs)}." in up.output
    first_sign = signs["Skylt-id"].iloc[0]
    assert run("signs", "down", first_sign, "--date", "2026-05-05", "--store", store).exit_code == 0
    again = run("signs", "up", tmp_path / "skyltar.csv", "--date", "2026-05-06", "--store", store, "--lang", "sv")
    assert f"Redan registrerade som nedtagna, sattes inte upp igen: {first_sign}." in again.output
    with sqlite3.connect(store) as db:
        assert db.execute("SELECT taken_down FROM signs WHERE sign_id = ?", (first_sign,)).fetchone() == ("2026-05-05",)

    exclude = tmp_path / "utesluten.csv"
    excel_saves(exclude, pd.DataFrame({"Hushålls-id": [ids[3]]}))
    replan = run(
        "plan",
        "--households",
        h,
        "--crs",
        "EPSG:3006",
        "--date",
        "2026-05-05",
        "--out",
        tmp_path / "p2",
        "--store",
        store,
        "--exclude",
        exclude,
        "--lang",
        "sv",
    )
    assert replan.exit_code == 0, replan.output
    listed = pd.read_csv(tmp_path / "p2" / "visits.csv", sep=";", decimal=",", encoding="utf-8-sig", dtype=str)
    assert ids[1] not in set(listed["Hushålls-id"]) and ids[3] not in set(listed["Hushålls-id"])
    assert ids[0] in set(listed["Hushålls-id"])  # nobody was home: back for a revisit

    status = run("status", "--date", "2026-05-06", "--out", tmp_path / "status", "--store", store, "--lang", "sv")
    assert status.exit_code == 0, status.output
    assert "K104714" in status.output and "2026-05-01 21:30" in status.output
    start, header, _ = header_and_first_row(tmp_path / "status" / "status.csv")
    assert start == BOM and header[:3] == ["Inbrotts-id", "Anmält", "Hushåll"]

    purge = run("purge", "--before", "2026-05-06", "--store", store, "--lang", "sv")
    assert purge.exit_code == 0, purge.output
    assert (
        "Tog bort allt daterat före 2026-05-06: 4 inbrott, 3 besök, 2 planer (144 listade hushåll), 1 nedtagen skylt;"
    ) in purge.output
