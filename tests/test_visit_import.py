"""Visits imported from the field: record ids that keep a visit single however often and in
whatever order exports arrive, times as people and phones write them, ODK/Kobo exports, and bad
rows named one by one without losing the others."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import X0, Y0, to_lonlat

from cocoon.cli import main
from cocoon.errors import StoreError
from cocoon.store.database import SCHEMA_VERSION, open_store
from cocoon.store.outcomes import OUTCOMES
from cocoon.store.visit_records import parse_time


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture()
def planned(files, tmp_path):
    """A store with one plan made on 2026-05-04, and the ids of its first households."""
    b, h = files
    store = tmp_path / "cocoon.sqlite"
    assert run("ingest", b, "--store", store).exit_code == 0
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
    )
    assert result.exit_code == 0, result.output
    ids = pd.read_csv(tmp_path / "p" / "visits.csv", dtype=str)["household_id"].tolist()
    return store, ids


def visits(store: Path) -> list[tuple[str, str, str, str | None]]:
    with sqlite3.connect(store) as db:
        return db.execute(
            "SELECT household_id, outcome, visited_at, record_id FROM visits ORDER BY visited_at, household_id"
        ).fetchall()


def export(path: Path, rows: list[dict]) -> Path:
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def test_two_officers_exports_in_any_order_store_each_visit_once(planned, tmp_path):
    store, ids = planned
    one = export(
        tmp_path / "officer-1.csv",
        [
            {
                "record_id": "r-1a",
                "household_id": ids[0],
                "outcome": "face",
                "time": "2026-05-04T09:48:12+02:00",
                "visitor": "Officer 1",
            },
            {
                "record_id": "r-1b",
                "household_id": ids[1],
                "outcome": "nothome",
                "time": "2026-05-04T10:02:40+02:00",
                "visitor": "Officer 1",
            },
        ],
    )
    # The second officer's phone carries officer 1's first record too (shared, then exported again),
    # with its time rounded differently: the record id says it is the same visit.
    two = export(
        tmp_path / "officer-2.csv",
        [
            {
                "record_id": "r-1a",
                "household_id": ids[0],
                "outcome": "face",
                "time": "2026-05-04T09:49:00+02:00",
                "visitor": "Officer 1",
            },
            {
                "record_id": "r-2a",
                "household_id": ids[2],
                "outcome": "leaflet",
                "time": "2026-05-04T10:15:00+02:00",
                "visitor": "Officer 2",
            },
        ],
    )
    first = run("visits", "import", two, "--store", store, "--lang", "en")
    assert first.exit_code == 0, first.output
    assert first.output == "Visits recorded: 2 (rows without an outcome skipped: 0).\n"
    second = run("visits", "import", one, "--store", store, "--lang", "en")
    assert second.output == (
        "Visits recorded: 1; 1 was already recorded and is not stored again (rows without an outcome skipped: 0).\n"
    )
    again = run("visits", "import", two, "--store", store, "--lang", "en")
    assert "Visits recorded: 0; 2 were already recorded" in again.output
    assert visits(store) == [
        (ids[0], "face", "2026-05-04T09:49", "r-1a"),
        (ids[1], "nothome", "2026-05-04T10:02", "r-1b"),
        (ids[2], "leaflet", "2026-05-04T10:15", "r-2a"),
    ]


def test_the_store_refuses_a_record_id_twice(planned):
    store, ids = planned
    refused = pytest.raises(StoreError, match=r"UNIQUE constraint failed: visits\.record_id")
    with open_store(store) as opened, refused, opened.transaction() as db:
        for minute in ("10:00", "10:05"):
            db.execute(
                "INSERT INTO visits (household_id, outcome, visited_at, recorded_at, record_id) "
                "VALUES (?, 'face', ?, '2026-05-04', 'same')",
                (ids[0], f"2026-05-04T{minute}"),
            )


def test_a_store_of_schema_2_gets_record_ids_and_keeps_its_visits(planned, tmp_path):
    store, ids = planned
    assert (
        run("visits", "add", ids[0], "--outcome", "face", "--time", "2026-05-04 09:00", "--store", store).exit_code == 0
    )
    with sqlite3.connect(store) as db:  # what cocoon before record ids wrote
        db.executescript(
            "DROP INDEX visits_record; ALTER TABLE visits DROP COLUMN record_id; "
            "DROP TABLE evaluation_episodes; PRAGMA user_version = 2;"
        )
    page = export(
        tmp_path / "page.csv",
        [{"record_id": "r-9", "household_id": ids[1], "outcome": "kit", "time": "2026-05-04 11:00", "visitor": "PA 2"}],
    )
    for _ in range(2):
        assert run("visits", "import", page, "--store", store).exit_code == 0
    with sqlite3.connect(store) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        indexes = {r[1]: r[2] for r in db.execute("PRAGMA index_list(visits)")}
    assert indexes["visits_record"] == 1  # unique
    assert visits(store) == [(ids[0], "face", "2026-05-04T09:00", None), (ids[1], "kit", "2026-05-04T11:00", "r-9")]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("9:48", "2026-05-05T09:48"),
        ("09:48", "2026-05-05T09:48"),
        ("9.48", "2026-05-05T09:48"),
        ("2026-05-04 9:48", "2026-05-04T09:48"),
        ("2026-05-04T9:48", "2026-05-04T09:48"),
        ("2026-05-04T09:48:12+02:00", "2026-05-04T09:48"),
        ("2026-05-04T09:48:12.345+02:00", "2026-05-04T09:48"),
        ("2026-05-04 21:05:59", "2026-05-04T21:05"),
        ("25:10", None),
        ("9:75", None),
        ("soon", None),
        ("2026-02-31 9:48", None),
    ],
)
def test_times_are_read_as_officers_type_them_and_phones_write_them(cell, expected):
    when = parse_time(cell, dt.date(2026, 5, 5))
    assert (when.isoformat(timespec="minutes") if when else None) == expected


def test_a_time_with_a_one_digit_hour_does_not_stop_the_import(planned, tmp_path):
    store, ids = planned
    typed = export(
        tmp_path / "typed.csv",
        [
            {"household_id": ids[0], "outcome": "F", "time": "9:48", "visitor": "PA 1"},
            {"household_id": ids[1], "outcome": "N", "time": "10:05", "visitor": "PA 1"},
        ],
    )
    result = run("visits", "import", typed, "--date", "2026-05-04", "--store", store, "--lang", "en")
    assert result.output == "Visits recorded: 2 (rows without an outcome skipped: 0).\n"
    assert [v[2] for v in visits(store)] == ["2026-05-04T09:48", "2026-05-04T10:05"]


def test_bad_rows_are_named_one_by_one_and_the_others_stored(planned, tmp_path, monkeypatch):
    store, ids = planned
    monkeypatch.chdir(tmp_path)
    typed = export(
        tmp_path / "typed.csv",
        [
            {"household_id": ids[0], "outcome": "face", "time": "9:48", "visitor": "PA 1"},
            {"household_id": ids[1], "outcome": "face", "time": "half ten", "visitor": "PA 1"},
            {"household_id": ids[2], "outcome": "maybe", "time": "10:40", "visitor": "PA 1"},
            {"household_id": ids[3], "outcome": "leaflet", "time": "10:50", "visitor": "PA 1"},
        ],
    )
    refused = run("visits", "import", typed, "--date", "2026-05-04", "--store", store, "--lang", "en")
    assert refused.exit_code == 1 and visits(store) == []
    assert f"{typed}, row 3, column time: 'half ten' is not a time" in refused.output
    result = run("visits", "import", typed, "--date", "2026-05-04", "--skip-bad-rows", "--store", store, "--lang", "en")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[:4] == [
        "Visits recorded: 2 (rows without an outcome skipped: 0).",
        "2 rows could not be read and were not stored; they are listed with the reason in typed-rejected-rows.csv:",
        f"  {typed}, row 3, column time: 'half ten' is not a time; write YYYY-MM-DD HH:MM, or HH:MM with --date.",
        f"  {typed}, row 4, column outcome: 'maybe' is not an outcome; use one of face, nothome, leaflet, refused, "
        'noaccess, owner, revisit, kit, watch, its letter from the list (F, N, L, ...) or its words ("not home", '
        '"spoke to"; see docs/outputs.md).',
    ]
    assert [v[0] for v in visits(store)] == [ids[0], ids[3]]
    rejects = pd.read_csv(tmp_path / "typed-rejected-rows.csv", dtype=str)
    assert rejects[["row", "column", "value"]].values.tolist() == [["3", "time", "half ten"], ["4", "outcome", "maybe"]]


def test_an_odk_or_kobo_export_is_read_as_it_is(planned, tmp_path):
    """ODK Central's CSV export (start, end, deviceid, meta-instanceID, KEY) and KoboToolbox's (';',
    group paths, _uuid): the time is the form's start, on the phone's clock."""
    store, ids = planned
    odk = export(
        tmp_path / "odk.csv",
        [
            {
                "SubmissionDate": "2026-05-04T08:10:00.000Z",
                "start": "2026-05-04T09:48:12.345+02:00",
                "end": "2026-05-04T09:52:01.000+02:00",
                "deviceid": "collect:abc123",
                "username": "PA 1234",
                "household_id": ids[0],
                "outcome": "face",
                "meta-instanceID": "uuid:1111",
                "KEY": "uuid:1111",
            },
            {
                "SubmissionDate": "2026-05-04T08:20:00.000Z",
                "start": "2026-05-04T10:01:00.000+02:00",
                "end": "2026-05-04T10:02:00.000+02:00",
                "deviceid": "collect:abc123",
                "username": "PA 1234",
                "household_id": ids[1],
                "outcome": "nothome",
                "meta-instanceID": "uuid:2222",
                "KEY": "uuid:2222",
            },
        ],
    )
    kobo = tmp_path / "kobo.csv"
    pd.DataFrame(
        [
            {
                "start": "2026-05-04T10:30:00.000+02:00",
                "end": "2026-05-04T10:31:00.000+02:00",
                "deviceid": "ee.kobo:xyz",
                "household_id": ids[2],
                "outcome": "leaflet",
                "_id": "7",
                "_uuid": "k-3",
                "_submission_time": "2026-05-04T08:40:00",
            },
            {
                "start": "2026-05-04T09:48:12.345+02:00",
                "end": "",
                "deviceid": "ee.kobo:xyz",
                "household_id": ids[0],
                "outcome": "face",
                "_id": "8",
                "_uuid": "uuid:1111-copy",
                "_submission_time": "2026-05-04T08:45:00",
            },
        ]
    ).to_csv(kobo, index=False, sep=";")
    assert "Visits recorded: 2 (" in run("visits", "import", odk, "--store", store, "--lang", "en").output
    assert "Visits recorded: 0; 2 were" in run("visits", "import", odk, "--store", store, "--lang", "en").output
    # Kobo's copy of the first ODK visit has another id but the same household, time and outcome.
    assert "Visits recorded: 1; 1 was" in run("visits", "import", kobo, "--store", store, "--lang", "en").output
    with sqlite3.connect(store) as db:
        stored = db.execute(
            "SELECT household_id, outcome, visited_at, visitor, record_id FROM visits ORDER BY visited_at"
        ).fetchall()
    assert stored == [
        (ids[0], "face", "2026-05-04T09:48", "PA 1234", "uuid:1111"),
        (ids[1], "nothome", "2026-05-04T10:01", "PA 1234", "uuid:2222"),
        (ids[2], "leaflet", "2026-05-04T10:30", "ee.kobo:xyz", "k-3"),
    ]


def test_xlsform_and_door_list_for_odk_and_kobo(files, tmp_path):
    """--xlsform writes an XLSForm (survey, choices, settings) whose door question reads doors.csv,
    filtered to the officer's own stops; an export shaped by that form imports as it is."""
    from openpyxl import load_workbook

    b, h = files
    store, out = tmp_path / "cocoon.sqlite", tmp_path / "p"
    assert run("ingest", b, "--store", store).exit_code == 0
    start = "{:.6f},{:.6f}".format(*(float(v[0]) for v in to_lonlat([X0 + 100], [Y0 - 100])))
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
        "--officers",
        2,
        "--hours",
        1,
        "--start",
        start,
        "--xlsform",
        "--store",
        store,
        "--lang",
        "sv",
        "--csv-dialect",
        "plain",
    )
    assert result.exit_code == 0, result.output
    book = load_workbook(out / "visit-form.xlsx")
    assert book.sheetnames == ["survey", "choices", "settings"]
    survey = [[c.value for c in row] for row in book["survey"].iter_rows()]
    head = survey[0]
    assert head[:2] == ["type", "name"] and "label::Svenska (sv)" in head and "label::English (en)" in head
    rows = {r[1]: dict(zip(head, r, strict=True)) for r in survey[1:]}
    assert [rows[n]["type"] for n in ("start", "end", "deviceid", "username", "audit")] == [
        "start",
        "end",
        "deviceid",
        "username",
        "audit",
    ]
    assert rows["household_id"]["type"] == "select_one_from_file doors.csv"
    assert rows["household_id"]["choice_filter"] == "officer=${officer}"
    assert rows["outcome"]["type"] == "select_one outcome"
    choices = [[c.value for c in row] for row in book["choices"].iter_rows()]
    assert [r[1] for r in choices if r[0] == "outcome"] == list(OUTCOMES)
    settings = [[c.value for c in row] for row in book["settings"].iter_rows()]
    assert settings[0] == ["form_title", "form_id", "version", "default_language"]
    assert settings[1][1] == "cocoon_visits_20260504" and settings[1][3] == "Svenska (sv)"
    doors = pd.read_csv(out / "doors.csv", dtype=str)
    routes = pd.read_csv(out / "routes.csv", dtype=str)
    assert list(doors.columns) == ["name", "label", "officer", "stop", "tier"]
    assert doors["name"].tolist() == routes["household_id"].tolist()
    assert not doors.apply(lambda c: c.str.contains("burgled|inbrott", case=False)).any().any()
    export_rows = [
        {
            "start": "2026-05-04T10:00:00.000+02:00",
            "end": "2026-05-04T10:03:00.000+02:00",
            "deviceid": "collect:1",
            "username": "PA 1",
            "officer": doors["officer"][0],
            "household_id": doors["name"][0],
            "outcome": "watch",
            "meta-instanceID": "uuid:a",
            "KEY": "uuid:a",
        }
    ]
    odk = export(tmp_path / "odk.csv", export_rows)
    assert "Besök registrerade: 1 (" in run("visits", "import", odk, "--store", store, "--lang", "sv").output


def _utc_ms(text: str) -> int:
    """Milliseconds since 1970 of a UTC time, as ODK's audit log writes them."""
    return int(dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC).timestamp() * 1000)


def _odk_export_with_audit(folder: Path, ids: list[str]) -> tuple[Path, Path]:
    odk = export(
        folder / "cocoon_visits_20260504.csv",
        [
            {
                "start": "2026-05-04T09:48:12.345+02:00",
                "end": "2026-05-04T09:58:01.000+02:00",
                "username": "PA 1234",
                "household_id": ids[0],
                "outcome": "face",
                "meta-instanceID": "uuid:1111",
                "KEY": "uuid:1111",
            },
            {
                "start": "2026-05-04T10:01:00.000+02:00",
                "end": "2026-05-04T10:02:00.000+02:00",
                "username": "PA 1234",
                "household_id": ids[1],
                "outcome": "nothome",
                "meta-instanceID": "uuid:2222",
                "KEY": "uuid:2222",
            },
            {
                "start": "2026-05-04T10:30:00",
                "end": "",
                "username": "PA 1234",
                "household_id": ids[2],
                "outcome": "leaflet",
                "meta-instanceID": "uuid:3333",
                "KEY": "uuid:3333",
            },
        ],
    )
    audit = folder / "cocoon_visits_20260504 - audit.csv"
    pd.DataFrame(
        [
            {
                "instance ID": "uuid:1111",
                "event": "form start",
                "node": "",
                "start": _utc_ms("2026-05-04T07:48:12"),
                "end": "",
            },
            {
                "instance ID": "uuid:1111",
                "event": "question",
                "node": "/data/household_id",
                "start": _utc_ms("2026-05-04T07:48:20"),
                "end": _utc_ms("2026-05-04T07:49:00"),
            },
            {
                "instance ID": "uuid:1111",
                "event": "question",
                "node": "/data/outcome",
                "start": _utc_ms("2026-05-04T07:49:00"),
                "end": _utc_ms("2026-05-04T07:50:10"),
            },
            # The officer went back to the outcome at the door five minutes later: that answer stands.
            {
                "instance ID": "uuid:1111",
                "event": "question",
                "node": "/data/outcome",
                "start": _utc_ms("2026-05-04T07:55:00"),
                "end": _utc_ms("2026-05-04T07:55:40"),
            },
            {
                "instance ID": "uuid:1111",
                "event": "end screen",
                "node": "",
                "start": _utc_ms("2026-05-04T07:58:00"),
                "end": "",
            },
            {
                "instance ID": "uuid:2222",
                "event": "form start",
                "node": "",
                "start": _utc_ms("2026-05-04T08:01:00"),
                "end": "",
            },
            {
                "instance ID": "uuid:3333",
                "event": "question",
                "node": "/data/outcome",
                "start": _utc_ms("2026-05-04T08:31:00"),
                "end": _utc_ms("2026-05-04T08:31:30"),
            },
            {
                "instance ID": "uuid:9999",
                "event": "question",
                "node": "/data/outcome",
                "start": _utc_ms("2026-05-04T09:00:00"),
                "end": "",
            },
        ]
    ).to_csv(audit, index=False)
    return odk, audit


def test_odk_audit_log_gives_the_time_the_outcome_was_tapped(planned, tmp_path):
    """ODK Central's FORM - audit.csv beside FORM.csv is found and read: a record's time is when
    its outcome question was last left, on the phone's clock (the offset of its start). Records the
    log cannot time keep the export's time, and each such case is said."""
    store, ids = planned
    odk, _ = _odk_export_with_audit(tmp_path, ids)
    result = run("visits", "import", odk, "--store", store, "--lang", "en")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "Visits recorded: 3 (rows without an outcome skipped: 0).",
        f"Times from the audit log {tmp_path / 'cocoon_visits_20260504 - audit.csv'}: when the outcome was tapped, "
        "for 1 of 3 records.",
        "1 record keeps its time from the export: it has no outcome in the audit log.",
        "1 record keeps its time from the export: its start and end carry no offset (+02:00) to read the audit's "
        "UTC times by.",
        "The audit log also has 1 record that is not in this export (another download?); it was not used.",
    ]
    assert visits(store) == [
        (ids[0], "face", "2026-05-04T09:55", "uuid:1111"),
        (ids[1], "nothome", "2026-05-04T10:01", "uuid:2222"),
        (ids[2], "leaflet", "2026-05-04T10:30", "uuid:3333"),
    ]
    again = run("visits", "import", odk, "--store", store, "--lang", "sv")
    assert "3 var redan registrerade" in again.output and "för 1 av 3 poster" in again.output


def test_an_audit_log_named_with_audit_and_its_bad_rows(planned, tmp_path):
    store, ids = planned
    odk, audit = _odk_export_with_audit(tmp_path, ids)
    elsewhere = tmp_path / "downloads" / "log.csv"
    elsewhere.parent.mkdir()
    audit.rename(elsewhere)
    plain = run("visits", "import", odk, "--store", store, "--lang", "en")  # no log beside it: the start
    assert plain.exit_code == 0 and "audit" not in plain.output
    assert visits(store)[0][2] == "2026-05-04T09:48"

    store2 = tmp_path / "second.sqlite"
    shutil.copy(store, store2)
    with sqlite3.connect(store2) as db:
        db.execute("DELETE FROM visits")
    named = run("visits", "import", odk, "--audit", elsewhere, "--store", store2, "--lang", "en")
    assert named.exit_code == 0 and "for 1 of 3 records" in named.output
    assert visits(store2)[0][2] == "2026-05-04T09:55"

    log = pd.read_csv(elsewhere, dtype=str, keep_default_na=False)
    log.loc[2, "end"] = "09:50"
    log.to_csv(elsewhere, index=False)
    with sqlite3.connect(store2) as db:
        db.execute("DELETE FROM visits")
    bad = run("visits", "import", odk, "--audit", elsewhere, "--store", store2, "--lang", "en")
    assert bad.exit_code != 0 and "Traceback" not in bad.output
    assert f"{elsewhere}: 1 row of the audit log cannot be read, so nothing was imported" in bad.output
    assert f"{elsewhere}, row 4, column end: '09:50' is not a time in milliseconds since 1970" in bad.output
    assert visits(store2) == []

    not_a_log = run("visits", "import", odk, "--audit", odk, "--store", store2, "--lang", "en")
    assert not_a_log.exit_code != 0
    assert f"{odk}: this is not an ODK audit log; it has no column for instance ID, event, node" in not_a_log.output

    typed = export(tmp_path / "typed.csv", [{"household_id": ids[0], "outcome": "face", "time": "2026-05-04 9:48"}])
    no_ids = run("visits", "import", typed, "--audit", elsewhere, "--store", store2, "--lang", "en")
    assert no_ids.exit_code != 0
    assert (
        "is matched to the visits by record id (ODK's meta-instanceID), but this file has no record id" in no_ids.output
    )
