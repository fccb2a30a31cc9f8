"""Files that are not what their name says, rows split by decimal commas, absurd headers, and ids
that match stored ones only once case and invisible characters are ignored: a clear error naming
the file (and row) or the right reading, exit 1, never a traceback."""

from __future__ import annotations

import io
import sqlite3
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from cocoon.cli import main
from cocoon.inputs.tables import MAX_COLUMNS, read_table

LONLAT_ROWS = [
    "B1,2026-05-01,18.0686,59.3293",
    "B2,2026-04-10,18.0700,59.3300",
    "B3,2026-01-01,18.0650,59.3250",
    "B4,2026-04-20,18.0720,59.3310",
]


def run(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args])


def refused(result, *named: str) -> None:
    """Exit 1, no traceback, and the message names each of ``named``."""
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    flat = " ".join(result.output.split())  # the terminal wraps long lines
    for name in named:
        assert name in flat, (name, result.output)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def both_commands(tmp_path: Path, burglaries: Path, households: Path) -> list:
    plan = run(
        "plan",
        "--burglaries",
        burglaries,
        "--households",
        households,
        "--date",
        "2026-05-04",
        "--out",
        tmp_path / "out",
        "--lang",
        "en",
    )
    ingest = run("ingest", burglaries, "--store", tmp_path / "s.sqlite", "--lang", "en")
    return [plan, ingest]


# --- decimal commas in a comma-separated file -------------------------------------------------


@pytest.mark.parametrize(
    ("rows", "row"),
    [
        (["B1,2026-05-01,18,0686,59,3293", "B2,2026-05-02,18.0690,59.3295"], 2),
        (["B1,2026-05-01,18,0686,59,3293", "B2,2026-05-02,18,0690,59,3295"], 2),
        (["B1,2026-05-01,18.0686,59.3293", "B2,2026-05-02,18.0690,59.3295", "B3,2026-05-03,18,0700,59,3300"], 4),
    ],
)
def test_decimal_commas_split_the_row(files, tmp_path, rows, row):
    _, h = files
    b = write(tmp_path / "comma.csv", "id,date,lon,lat\n" + "\n".join(rows) + "\n")
    for result in both_commands(tmp_path, b, h):
        refused(result, f"{b}, row {row}:", "6 fields", "the header has 4", "decimal comma", "';'")


def test_decimal_commas_in_sweref_coordinates(files, tmp_path):
    _, h = files
    b = write(tmp_path / "sweref.csv", "id,date,x,y\nB1,2026-05-01,674000,5,6580000,5\n")
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
        tmp_path / "o",
        "--lang",
        "en",
    )
    refused(result, f"{b}, row 2:", "decimal comma")


def test_more_fields_that_are_not_numbers(files, tmp_path):
    _, h = files
    b = write(tmp_path / "extra.csv", "id,date,lon,lat\nB1,2026-05-01,18.0686,59.3293,Storgatan 1, entrance B\n")
    for result in both_commands(tmp_path, b, h):
        refused(result, f"{b}, row 2:", "6 fields", "the header has 4", "quote")


def test_a_delimiter_at_the_end_of_every_row_is_read(files, tmp_path):
    """An empty field after the last column (some exports end each row with a comma) loses nothing."""
    b = write(tmp_path / "trailing.csv", "id,date,lon,lat\n" + "\n".join(r + "," for r in LONLAT_ROWS) + "\n")
    table = read_table(b)
    assert list(table.frame.columns) == ["id", "date", "lon", "lat"]
    assert table.frame["id"].tolist() == ["B1", "B2", "B3", "B4"]
    assert table.frame["lat"].tolist()[0] == "59.3293"
    result = run("ingest", b, "--store", tmp_path / "s.sqlite", "--lang", "en")
    assert result.exit_code == 0, result.output
    assert "added to the store: 4" in result.output


# --- headers ----------------------------------------------------------------------------------


def test_a_repeated_column_name_is_refused(files, tmp_path):
    _, h = files
    b = write(tmp_path / "dup.csv", "id,date,lon,lat,id\n" + "\n".join(r + ",X" for r in LONLAT_ROWS) + "\n")
    for result in both_commands(tmp_path, b, h):
        refused(result, str(b), "columns 'id' and 'id' have the same name")


def test_a_header_of_absurdly_many_columns_is_refused(files, tmp_path):
    _, h = files
    names = ",".join(["id"] * (MAX_COLUMNS + 1000))
    b = write(tmp_path / "wide.csv", f"{names}\n" + ",".join(["B1"] * (MAX_COLUMNS + 1000)) + "\n")
    for result in both_commands(tmp_path, b, h):
        refused(result, f"{b}: the header has {MAX_COLUMNS + 1000:,} columns", f"at most {MAX_COLUMNS:,}")


def test_a_one_megabyte_header_line_is_refused(tmp_path):
    b = write(tmp_path / "huge.csv", "date," * 200_000 + "id\nB1\n")
    result = run("ingest", b, "--store", tmp_path / "s.sqlite", "--lang", "en")
    refused(result, f"{b}: the header has 200,001 columns")


def test_many_distinct_columns_below_the_limit_are_read(tmp_path):
    extra = [f"extra{i}" for i in range(MAX_COLUMNS - 4)]
    header = ",".join(["id", "date", "lon", "lat", *extra])
    b = write(tmp_path / "wide.csv", header + "\n" + "\n".join(r + "," * len(extra) for r in LONLAT_ROWS) + "\n")
    table = read_table(b)
    assert len(table.frame.columns) == MAX_COLUMNS
    assert table.frame["lat"].tolist()[0] == "59.3293"


def test_empty_header_cells_keep_their_placeholder_names(tmp_path):
    b = write(
        tmp_path / "blank.csv",
        "id,,date,,lon,lat\n"
        + "\n".join(",".join([r.split(",")[0], "", r.split(",")[1], "", *r.split(",")[2:]]) for r in LONLAT_ROWS)
        + "\n",
    )
    assert list(read_table(b).frame.columns) == ["id", "Unnamed: 1", "date", "Unnamed: 3", "lon", "lat"]


# --- files that are not CSV text --------------------------------------------------------------


def csv_text() -> str:
    return "id,date,lon,lat\n" + "\n".join(LONLAT_ROWS) + "\n"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_text_is_read_and_said(tmp_path, encoding):
    """With a byte-order mark (utf-16) or without one (-le, -be): read, and a note says how."""
    b = tmp_path / "utf16.csv"
    b.write_bytes(csv_text().replace("B1", "Bå1").encode(encoding))
    table = read_table(b)
    assert table.frame["id"].tolist() == ["Bå1", "B2", "B3", "B4"]
    assert [key for key, _ in table.notes] == ["file_checks.read_as_utf16"]
    result = run("ingest", b, "--store", tmp_path / "s.sqlite", "--lang", "en")
    assert result.exit_code == 0, result.output
    assert "added to the store: 4" in result.output
    assert "utf16.csv is UTF-16 text" in " ".join(result.output.split())


def test_a_zip_archive_named_csv(files, tmp_path):
    _, h = files
    b = tmp_path / "export.csv"
    with zipfile.ZipFile(b, "w") as archive:
        archive.writestr("burglaries.csv", csv_text())
    for result in both_commands(tmp_path, b, h):
        refused(result, f"{b}: this is a zip archive", "burglaries.csv", "Unpack it")


def xlsx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", "<worksheet/>")
    return buffer.getvalue()


OLD_XLS = bytes.fromhex("D0CF11E0A1B11AE1") + bytes(504)


@pytest.mark.parametrize("content", [xlsx_bytes(), OLD_XLS], ids=["xlsx", "xls"])
@pytest.mark.parametrize("name", ["burglaries.csv", "burglaries.xlsx"])
def test_an_excel_workbook(files, tmp_path, content, name):
    _, h = files
    b = tmp_path / name
    b.write_bytes(content)
    for result in both_commands(tmp_path, b, h):
        refused(result, f"{b}: this is an Excel workbook", "File > Save as > CSV UTF-8")


def test_svenska(files, tmp_path):
    b = tmp_path / "b.csv"
    b.write_bytes(xlsx_bytes())
    refused(run("ingest", b, "--store", tmp_path / "s.sqlite", "--lang", "sv"), "Excel-arbetsbok", "CSV UTF-8")


# --- ids matched against the store ------------------------------------------------------------


def test_ids_differing_by_case_or_invisible_characters_match_the_store(tmp_path):
    store = tmp_path / "s.sqlite"
    first = write(tmp_path / "first.csv", csv_text())
    assert run("ingest", first, "--store", store, "--lang", "en").exit_code == 0
    again = tmp_path / "again.csv"
    again.write_text(
        "id,date,lon,lat\n"
        "b1,2026-05-01,18.0686,59.3293\n"  # case only: already there
        "B2\u200b,2026-04-10,18.0700,59.3300\n"  # a zero-width space: already there
        "B\u200b3,2026-02-01,18.0650,59.3250\n"  # another date: a conflict, stored kept
        "B5,2026-05-02,18.0690,59.3295\n",
        encoding="utf-8",
    )
    result = run("ingest", again, "--store", store, "--lang", "en")
    assert result.exit_code == 0, result.output
    assert "added to the store: 1; already there: 2" in result.output
    assert "1 burglary is already in the store with another date or place" in result.output
    with sqlite3.connect(store) as db:
        stored = sorted(r[0] for r in db.execute("SELECT burglary_id FROM burglaries"))
        b3 = db.execute("SELECT first_time FROM burglaries WHERE burglary_id = 'B3'").fetchone()[0]
    assert stored == ["B1", "B2", "B3", "B4", "B5"]
    assert b3.startswith("2026-01-01")
