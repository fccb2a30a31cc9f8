"""The store refuses what is not a cocoon store, never corrupts it, and keeps an honest audit log."""

from __future__ import annotations

import os
import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import X0, Y0, to_lonlat

from cocoon.cli import main
from cocoon.store.queries import redacted

START = "{:.6f},{:.6f}".format(*(float(v[0]) for v in to_lonlat([X0 + 100], [Y0 - 100])))


def run(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture
def stored(files, tmp_path):
    b, h = files
    store = tmp_path / "cocoon.sqlite"
    assert run("ingest", b, "--store", store, "--lang", "en").exit_code == 0
    result = run(
        "plan",
        "--burglaries",
        b,
        "--households",
        h,
        "--date",
        "2026-05-04",
        "--out",
        tmp_path / "p",
        "--store",
        store,
        "--lang",
        "en",
        "--officers",
        "1",
        "--start",
        START,
        "--solver",
        "greedy",
    )
    assert result.exit_code == 0, result.output
    return store, b, h, tmp_path


def every_command(store: Path, b: Path, h: Path, folder: Path) -> list[tuple[str, ...]]:
    """One call of each command that uses the store."""
    visits = folder / "visits-in.csv"
    pd.DataFrame({"household_id": ["H001"], "outcome": ["face"], "time": ["2026-05-04 10:00"]}).to_csv(
        visits, index=False
    )
    return [
        ("ingest", str(b), "--store", str(store)),
        (
            "plan",
            "--burglaries",
            str(b),
            "--households",
            str(h),
            "--date",
            "2026-05-04",
            "--out",
            str(folder / "p-again"),
            "--store",
            str(store),
        ),
        ("visits", "import", str(visits), "--store", str(store)),
        ("visits", "add", "H001", "--outcome", "face", "--time", "2026-05-04 10:00", "--store", str(store)),
        ("signs", "up", str(folder / "p" / "signs.csv"), "--store", str(store)),
        ("signs", "down", "--due", "--store", str(store)),
        ("status", "--store", str(store), "--out", str(folder / "status-out")),
        ("purge", "--store", str(store), "--before", "2026-01-01"),
    ]


def refused_everywhere(commands: list[tuple[str, ...]], message: str) -> None:
    for command in commands:
        result = run(*command, "--lang", "en")
        assert result.exit_code == 1, (command, result.output)
        assert "Traceback" not in result.output and message in result.output, (command, result.output)


def test_another_programs_sqlite_file_is_refused_and_left_alone(stored):
    _, b, h, tmp_path = stored
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE invoices (id INTEGER, amount REAL)")
    before = other.read_bytes()
    refused_everywhere(every_command(other, b, h, tmp_path), "is an SQLite file of another program")
    assert other.read_bytes() == before


def test_an_empty_or_truncated_store_is_refused_in_every_command(stored):
    store, b, h, folder = stored
    empty = folder / "empty.sqlite"
    empty.write_bytes(b"")
    refused_everywhere(every_command(empty, b, h, folder), "is an empty file, not a cocoon store")
    truncated = folder / "truncated.sqlite"
    truncated.write_bytes(store.read_bytes()[:3000])
    refused_everywhere(every_command(truncated, b, h, folder), "is damaged or not a cocoon store")


def test_a_store_that_cannot_be_written_gives_a_clear_error(stored, monkeypatch):
    """A read-only store (the check is the operating system's answer to "may I write?"; the tests
    may run as root, who may write anyway, so the answer is given here)."""
    store, b, h, folder = stored
    monkeypatch.setattr("cocoon.store.database.writable", lambda path: False)
    refused_everywhere(every_command(store, b, h, folder), "cannot be written")


def test_a_store_missing_a_table_or_a_column_is_refused(stored):
    store, b, h, folder = stored
    no_table = folder / "no-table.sqlite"
    no_table.write_bytes(store.read_bytes())
    with sqlite3.connect(no_table) as db:
        db.execute("DROP TABLE visits")
    refused_everywhere(every_command(no_table, b, h, folder), "has no table visits")
    no_column = folder / "no-column.sqlite"
    no_column.write_bytes(store.read_bytes())
    with sqlite3.connect(no_column) as db:
        db.execute("ALTER TABLE signs DROP COLUMN planned_down")
    refused_everywhere(every_command(no_column, b, h, folder), "table signs has no column planned_down")


def test_reingesting_an_id_elsewhere_or_on_another_day_is_a_conflict_with_both_versions(stored):
    store, b, _, folder = stored
    moved = pd.read_csv(b)
    lon, lat = to_lonlat([X0 + 150], [Y0])
    moved.loc[0, ["lon", "lat"]] = [round(float(lon[0]), 8), round(float(lat[0]), 8)]  # 150 m east of B1
    nudged = pd.read_csv(b)
    lon, lat = to_lonlat([X0 + 3], [Y0])
    nudged.loc[0, ["lon", "lat"]] = [round(float(lon[0]), 8), round(float(lat[0]), 8)]  # 3 m: the same place
    moved.to_csv(folder / "moved.csv", index=False)
    nudged.to_csv(folder / "nudged.csv", index=False)
    result = run("ingest", folder / "moved.csv", "--store", store, "--lang", "en")
    assert result.exit_code == 0
    assert "1 burglary is already in the store with another date or place" in result.output
    assert "B1: stored 2026-05-01 00:00 (" in result.output and "(150 m apart)" in result.output
    result = run("ingest", folder / "nudged.csv", "--store", store, "--lang", "en")
    assert "already there: 4." in result.output and "another date or place" not in result.output


def test_the_audit_log_records_the_system_user_and_failed_commands(stored, monkeypatch):
    import pwd

    store, _, _, folder = stored
    monkeypatch.setenv("LOGNAME", "someone-else")
    monkeypatch.setenv("USER", "someone-else")
    bad = folder / "bad-visits.csv"
    pd.DataFrame({"household_id": ["NOT-LISTED"], "outcome": ["face"], "time": ["2026-05-04 10:00"]}).to_csv(
        bad, index=False
    )
    assert run("visits", "import", bad, "--store", store, "--lang", "en").exit_code == 1
    with sqlite3.connect(store) as db:
        user, command, error = db.execute(
            "SELECT user, command, error FROM audit ORDER BY audit_id DESC LIMIT 1"
        ).fetchone()
    assert user == pwd.getpwuid(os.getuid()).pw_name != "someone-else"
    assert "visits import" in command and "NOT-LISTED" in error and "cannot be imported" in error


def test_purge_takes_visitor_names_and_household_ids_out_of_the_audit_log(stored):
    store, _, _, _ = stored
    assert (
        run(
            "visits",
            "add",
            "H001",
            "--outcome",
            "face",
            "--time",
            "2026-05-04 10:05",
            "--visitor",
            "PA Jane Doe",
            "--store",
            store,
        ).exit_code
        == 0
    )
    with sqlite3.connect(store) as db:
        before = db.execute("SELECT command FROM audit WHERE command LIKE '%visits add%'").fetchone()[0]
    assert "H001" in before and "Jane Doe" in before
    assert run("purge", "--before", "2026-06-01", "--store", store, "--lang", "en").exit_code == 0
    with sqlite3.connect(store) as db:
        commands = [row[0] for row in db.execute("SELECT command FROM audit")]
    assert not any("H001" in c or "Jane Doe" in c for c in commands), commands
    assert any("visits add [removed]" in c and "--visitor [removed]" in c for c in commands)


def test_redaction_of_recorded_command_lines():
    assert (
        redacted("cocoon visits add H7 --outcome face --visitor 'A B'")
        == "cocoon visits add [removed] --outcome face --visitor [removed]"
    )
    assert redacted("cocoon plan --start 'Storgatan 12' --out x") == "cocoon plan --start [removed] --out x"
    assert redacted("cocoon plan --start=Storgatan --out x") == "cocoon plan --start=[removed] --out x"
    assert redacted("cocoon visits add 'unbalanced") == "cocoon visits add [removed]"


def test_gpx_stays_well_formed_with_control_characters_in_labels(tmp_path):
    lon, lat = to_lonlat([X0, X0 + 40, X0 + 80], [Y0, Y0, Y0])
    households = pd.DataFrame(
        {
            "household_id": ["H1", "H2", "H3"],
            "label": ["Gata\x00 1", "Gata\x1b[31m 2\x07", "Gata \x0c3"],
            "lon": lon.round(8),
            "lat": lat.round(8),
            "dwellings": 1,
        }
    )
    burglaries = pd.DataFrame(
        {"id": ["B1"], "date": ["2026-05-01"], "lon": [lon[0].round(8)], "lat": [lat[0].round(8)]}
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
        "--officers",
        "1",
        "--start",
        START,
        "--solver",
        "greedy",
    )
    assert result.exit_code == 0, result.output
    root = ET.parse(tmp_path / "out" / "routes.gpx").getroot()
    names = [e.text for e in root.iter() if e.tag.endswith("name") and e.text]
    assert any("Gata" in n for n in names)
    assert not any(ch in n for n in names for ch in "\x00\x1b\x07\x0c")
