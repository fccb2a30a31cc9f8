"""The store: ingest, visits, signs, re-planning, status, purge, audit, and its reliability."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from cocoon.cli import main


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture()
def stored(files, tmp_path):
    """A store with the fixture's burglaries and one plan made on 2026-05-04."""
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
        tmp_path / "p1",
        "--store",
        store,
        "--lang",
        "en",
    )
    assert result.exit_code == 0, result.output
    return store, b, h, tmp_path


def rows(store: Path, table: str) -> int:
    with sqlite3.connect(store) as db:
        return db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def listed(tmp_path: Path, plan: str = "p1") -> pd.DataFrame:
    return pd.read_csv(tmp_path / plan / "visits.csv", dtype={"household_id": str})


def test_ingest_is_idempotent_and_keeps_stored_records(stored):
    store, b, _, tmp_path = stored
    assert rows(store, "burglaries") == 4
    result = run("ingest", b, "--store", store, "--lang", "en")
    assert result.exit_code == 0 and "Burglaries added to the store: 0; already there: 4." in result.output
    changed = pd.read_csv(b)
    changed.loc[0, "date"] = "2026-05-02"
    changed.to_csv(tmp_path / "changed.csv", index=False)
    result = run("ingest", tmp_path / "changed.csv", "--store", store, "--lang", "en")
    assert "1 burglary is already in the store with another date or place" in result.output
    assert "B1: stored 2026-05-01 00:00 (" in result.output and "this file 2026-05-02 00:00 (" in result.output
    assert rows(store, "burglaries") == 4


def visits_file(path: Path, records: list[tuple[str, str, str]]) -> Path:
    pd.DataFrame(records, columns=["household_id", "outcome", "time"]).assign(visitor="PA 1").to_csv(path, index=False)
    return path


def test_replanning_leaves_out_reached_households_and_brings_back_not_home(stored):
    store, _, h, tmp_path = stored
    first = listed(tmp_path)
    face, not_home = first["household_id"].iloc[0], first["household_id"].iloc[1]
    path = visits_file(tmp_path / "v.csv", [(face, "face", "2026-05-04 10:00"), (not_home, "N", "2026-05-04 10:10")])
    result = run("visits", "import", path, "--store", store, "--lang", "en")
    assert result.exit_code == 0 and "Visits recorded: 2" in result.output
    result = run(
        "plan", "--store", store, "--households", h, "--date", "2026-05-05", "--out", tmp_path / "p2", "--lang", "en"
    )
    assert result.exit_code == 0, result.output
    assert (
        "1 household settled in the window (spoke face to face, refused, took a marking kit or joined "
        "neighbourhood watch) is left out; 1 where nobody was home" in " ".join(result.output.split())
    )
    second = listed(tmp_path, "p2")
    assert face not in set(second["household_id"])
    flagged = second.set_index("household_id")["revisit"]
    assert flagged[not_home] == "2026-05-04" and flagged.drop(not_home).isna().all()


def test_refused_kit_and_watch_households_do_not_come_back_but_leaflet_and_no_access_do(stored):
    store, _, h, tmp_path = stored
    first = listed(tmp_path)["household_id"].tolist()
    outcomes = {
        "refused": first[0],
        "kit": first[1],
        "watch": first[2],
        "leaflet": first[3],
        "noaccess": first[4],
        "owner": first[5],
    }
    path = visits_file(
        tmp_path / "v.csv", [(hid, code, f"2026-05-04 10:{i:02d}") for i, (code, hid) in enumerate(outcomes.items())]
    )
    assert run("visits", "import", path, "--store", store, "--lang", "en").exit_code == 0
    result = run(
        "plan", "--store", store, "--households", h, "--date", "2026-05-05", "--out", tmp_path / "p2", "--lang", "en"
    )
    assert result.exit_code == 0, result.output
    second = set(listed(tmp_path, "p2")["household_id"])
    assert not second & {outcomes["refused"], outcomes["kit"], outcomes["watch"]}
    assert {outcomes["leaflet"], outcomes["noaccess"], outcomes["owner"]} <= second
    flat = " ".join(result.output.split())
    assert (
        "3 households in the zones left out, already settled in the window according to the store "
        "(marking kit given 1, refused 1, interested in neighbourhood watch 1)."
    ) in flat
    assert "--exclude" not in flat  # the store left them out, not --exclude


def test_exclude_and_store_are_counted_apart(stored):
    store, _, h, tmp_path = stored
    first = listed(tmp_path)["household_id"].tolist()
    path = visits_file(tmp_path / "v.csv", [(first[0], "face", "2026-05-04 10:00")])
    assert run("visits", "import", path, "--store", store, "--lang", "en").exit_code == 0
    (tmp_path / "exclude.csv").write_text(f"household_id\n{first[1]}\n{first[2]}\n")
    result = run(
        "plan",
        "--store",
        store,
        "--households",
        h,
        "--date",
        "2026-05-05",
        "--out",
        tmp_path / "p2",
        "--exclude",
        tmp_path / "exclude.csv",
        "--lang",
        "sv",
    )
    assert result.exit_code == 0, result.output
    flat = " ".join(result.output.split())
    assert "2 hushåll utelämnade med --exclude." in flat
    assert (
        "1 hushåll i zonerna utelämnade, redan klara i fönstret enligt databasen (pratade ansikte mot "
        "ansikte 1)." in flat
    )


def test_a_mistyped_store_is_refused_and_not_created(files, tmp_path):
    b, h = files
    typo = tmp_path / "cocon.sqlite"
    for extra in ((), ("--burglaries", b)):
        result = run(
            "plan",
            "--store",
            typo,
            "--households",
            h,
            "--date",
            "2026-05-04",
            "--out",
            tmp_path / "p",
            "--lang",
            "en",
            *extra,
        )
        assert result.exit_code == 1 and "Traceback" not in result.output
        assert f"The store {typo} does not exist. Only ingest makes a new store" in " ".join(result.output.split())
        assert not typo.exists() and not (tmp_path / "p").exists()
    for command in (("visits", "import", b), ("status", "--date", "2026-05-04"), ("purge",)):
        result = run(*command, "--store", typo, "--lang", "sv")
        assert result.exit_code == 1 and "Bara ingest skapar en ny databas" in " ".join(result.output.split())
        assert not typo.exists()
    assert run("ingest", b, "--store", typo, "--lang", "en").exit_code == 0 and typo.exists()


def test_bad_rows_are_reported_by_row_and_nothing_is_imported(stored):
    store, _, _, tmp_path = stored
    good = listed(tmp_path)["household_id"].iloc[0]
    path = visits_file(
        tmp_path / "bad.csv",
        [
            (good, "face", "2026-05-04 10:00"),
            (good, "maybe", "2026-05-04 10:00"),
            ("NOPE", "face", "2026-05-04 10:00"),
            (good, "face", "soon"),
        ],
    )
    result = run("visits", "import", path, "--store", store, "--lang", "en")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "3 rows cannot be imported, so nothing was imported" in result.output
    assert "row 3, column outcome: 'maybe' is not an outcome" in result.output
    assert "row 4, column household_id: household 'NOPE' is not on any plan" in result.output
    assert "row 5, column time: 'soon' is not a time" in result.output
    assert rows(store, "visits") == 0


def test_visits_add_and_its_errors(stored):
    store, _, _, tmp_path = stored
    household = listed(tmp_path)["household_id"].iloc[0]
    ok = run("visits", "add", household, "--outcome", "leaflet", "--time", "2026-05-04 11:00", "--store", store)
    assert ok.exit_code == 0, ok.output
    for args, message in (
        (["--outcome", "maybe", "--time", "11:00"], "is not an outcome"),
        (["--outcome", "face", "--time", "later"], "is not a time"),
    ):
        result = run("visits", "add", household, *args, "--store", store, "--lang", "en")
        assert result.exit_code == 1 and message in result.output
    result = run("visits", "add", "NOPE", "--outcome", "face", "--time", "11:00", "--store", store, "--lang", "en")
    assert result.exit_code == 1 and "is not on any plan" in result.output
    assert rows(store, "visits") == 1


def test_status_measures_delivery_per_burglary(stored, household_frame, burglary_frame):
    store, _, _, tmp_path = stored
    plan = listed(tmp_path)
    b1 = plan[plan["burglary_ids"].str.split(";").apply(lambda ids: "B1" in ids) & plan["tier"].isin(["A", "B"])]
    n = len(b1)
    # Tiers A and B are the households within 200 m of an active burglary (B1, B2, B4); B1 lists those
    # of them within its own 500 m.
    active = burglary_frame.set_index("id").loc[["B1", "B2", "B4"]]
    d = np.hypot(
        household_frame["x"].to_numpy()[:, None] - active["x"].to_numpy()[None, :],
        household_frame["y"].to_numpy()[:, None] - active["y"].to_numpy()[None, :],
    )
    assert n == int(((d[:, 0] <= 500) & (d.min(axis=1) <= 200)).sum())
    ids = b1["household_id"].tolist()
    # B1 was reported on 2026-05-01 (date only: the clock starts at midnight)
    path = visits_file(
        tmp_path / "v.csv",
        [
            (ids[0], "face", "2026-05-01 20:00"),  # within 24 h
            (ids[1], "leaflet", "2026-05-02 12:00"),  # within 48 h, leaflet only
            (ids[2], "nothome", "2026-05-03 12:00"),
        ],
    )  # later
    assert run("visits", "import", path, "--store", store).exit_code == 0
    result = run("status", "--store", store, "--date", "2026-05-04", "--out", tmp_path / "status", "--lang", "en")
    assert result.exit_code == 0, result.output
    table = pd.read_csv(tmp_path / "status" / "status.csv").set_index("burglary_id")
    row = table.loc["B1"]
    assert (row.households, row.attempted_24h, row.attempted_48h, row.face_to_face, row.leaflet_only, row.nothing) == (
        n,
        1,
        2,
        1,
        1,
        n - 3,
    )
    page = (tmp_path / "status" / "status.html").read_text()
    assert "Delivery status on 2026-05-04" in page and "data:image/png;base64," in page


def test_status_takes_the_store_and_csv_dialect_of_the_settings_file_with_the_option_on_top(stored):
    store, _, _, tmp_path = stored
    settings = tmp_path / "local.toml"
    settings.write_text(f"csv_dialect = 'excel-sv'\n[store]\npath = '{store}'\n", encoding="utf-8")
    result = run("status", "--settings", settings, "--date", "2026-05-04", "--out", tmp_path / "sv", "--lang", "en")
    assert result.exit_code == 0, result.output
    swedish = (tmp_path / "sv" / "status.csv").read_bytes()
    assert swedish.startswith(b"\xef\xbb\xbf") and b";" in swedish.splitlines()[0]
    args = ("--date", "2026-05-04", "--out", tmp_path / "plain", "--lang", "en", "--csv-dialect", "plain")
    assert run("status", "--settings", settings, *args).exit_code == 0
    plain = (tmp_path / "plain" / "status.csv").read_bytes()
    assert plain.startswith(b'"burglary_id","reported",') and b";" not in plain.splitlines()[0]


def test_signs_up_down_and_overdue(stored):
    store, b, h, tmp_path = stored
    out = tmp_path / "field"
    assert (
        run(
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
            "1",
            "--start",
            "18.07,59.32",
            "--solver",
            "greedy",
        ).exit_code
        == 0
    )
    signs = pd.read_csv(out / "signs.csv")
    assert run("signs", "up", out / "signs.csv", "--store", store, "--date", "2026-05-04").exit_code == 0
    first = signs["sign_id"].iloc[0]
    assert run("signs", "down", first, "--store", store, "--date", "2026-05-20").exit_code == 0
    late = pd.Timestamp(signs["down"].max()) + pd.Timedelta(days=2)
    result = run("status", "--store", store, "--date", late.date().isoformat(), "--out", tmp_path / "s", "--lang", "en")
    assert f"Signs overdue for removal: {len(signs) - 1}" in result.output
    result = run("signs", "down", "--due", "--store", store, "--date", late.date().isoformat())
    assert result.exit_code == 0
    result = run(
        "status", "--store", store, "--date", late.date().isoformat(), "--out", tmp_path / "s2", "--lang", "en"
    )
    assert "Signs overdue for removal: 0" in result.output
    result = run("signs", "down", "S9-9", "--store", store, "--lang", "en")
    assert result.exit_code == 1 and "No sign S9-9 is recorded as up" in result.output


def test_purge_removes_old_personal_data_and_says_what(stored):
    store, _, _, tmp_path = stored
    household = listed(tmp_path)["household_id"].iloc[0]
    assert (
        run("visits", "add", household, "--outcome", "face", "--time", "2026-05-04 10:00", "--store", store).exit_code
        == 0
    )
    result = run("purge", "--before", "2026-04-15", "--store", store, "--lang", "en")
    assert result.exit_code == 0
    assert "Removed everything dated before 2026-04-15: 2 burglaries, 0 visits, 0 plans" in result.output
    result = run("purge", "--before", "2026-06-01", "--store", store, "--lang", "en")
    assert "2 burglaries, 1 visit, 1 plan" in result.output
    assert rows(store, "burglaries") == rows(store, "visits") == rows(store, "plan_households") == 0


def test_default_retention_is_the_window_plus_90_days():
    import datetime as dt
    import tempfile

    from cocoon.jobs.store import run_purge
    from cocoon.settings import Settings

    with tempfile.TemporaryDirectory() as folder:
        store = Path(folder) / "s.sqlite"
        from cocoon.store.database import open_store

        open_store(store).close()
        result = run_purge(Settings(), store=store, before=None, today=dt.date(2026, 11, 22))
        assert result.before == dt.date(2026, 11, 22) - dt.timedelta(days=14 + 42 + 90)


def test_audit_log_records_who_ran_what(stored):
    store, b, _, _ = stored
    subprocess.run(cocoon("ingest", b, "--store", store), check=True, capture_output=True)
    with sqlite3.connect(store) as db:
        log = db.execute("SELECT user, command FROM audit ORDER BY audit_id").fetchall()
    assert len(log) == 3 and all(user for user, _ in log)  # the fixture's ingest and plan, then this ingest
    assert log[-1][1] == f"cocoon ingest {b} --store {store}"


def test_newer_schema_and_corrupt_files_are_refused(tmp_path, files):
    newer = tmp_path / "newer.sqlite"
    with sqlite3.connect(newer) as db:
        db.execute("PRAGMA user_version = 99")
    before = newer.read_bytes()
    result = run("ingest", files[0], "--store", newer, "--lang", "en")
    assert result.exit_code == 1 and "written by a newer cocoon (schema 99" in result.output
    assert newer.read_bytes() == before
    broken = tmp_path / "broken.sqlite"
    broken.write_bytes(b"this is not a database" * 100)
    result = run("ingest", files[0], "--store", broken, "--lang", "en")
    assert result.exit_code == 1 and "is damaged or not a cocoon store" in result.output
    assert "Traceback" not in result.output
    result = run("ingest", files[0], "--lang", "en")
    assert result.exit_code == 1 and "No store given" in result.output


def big_visits(path: Path, households: list[str], n: int, start: str = "2026-05-04 12:00") -> Path:
    """``n`` distinct visits (one a minute from ``start``), so that none is a repeat of another."""
    ids = [households[k % len(households)] for k in range(n)]
    times = (pd.Timestamp(start) + pd.to_timedelta(range(n), unit="min")).strftime("%Y-%m-%d %H:%M")
    pd.DataFrame({"household_id": ids, "outcome": "leaflet", "time": times, "visitor": "PA"}).to_csv(path, index=False)
    return path


def cocoon(*args) -> list[str]:
    return [sys.executable, "-m", "cocoon", *map(str, args)]


HELD_IN_THE_WRITE = """
import os, sqlite3, time

_connect = sqlite3.connect


class _Held(sqlite3.Connection):
    def executemany(self, sql, rows):
        cursor = super().executemany(sql, rows)
        if sql.lstrip().upper().startswith("INSERT INTO VISITS"):
            open(os.environ["COCOON_TEST_WRITTEN"], "w").close()
            time.sleep(600)  # every row written, nothing committed: the test kills the process here
        return cursor


def connect(*args, **kwargs):
    kwargs.setdefault("factory", _Held)
    return _connect(*args, **kwargs)


sqlite3.connect = connect
"""
"""Loaded into the import's process (as sitecustomize): it holds the process in the middle of its
write, so the kill lands there however busy the machine is."""


@pytest.mark.slow
def test_killed_import_leaves_the_store_as_it_was(stored):
    """SIGKILL while the rows are in the store file but not committed: the next reader rolls the
    store back, and only the visit recorded before is there."""
    store, _, _, tmp_path = stored
    households = listed(tmp_path)["household_id"].tolist()
    assert (
        run(
            "visits", "add", households[0], "--outcome", "face", "--time", "2026-05-04 09:00", "--store", store
        ).exit_code
        == 0
    )
    path = big_visits(tmp_path / "big.csv", households, 200_000)
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(HELD_IN_THE_WRITE, encoding="utf-8")
    written = tmp_path / "written"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(hook), os.environ.get("PYTHONPATH")])),
        "COCOON_TEST_WRITTEN": str(written),
    }
    process = subprocess.Popen(
        cocoon("visits", "import", path, "--store", store), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env
    )
    deadline = time.monotonic() + 600
    while not written.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    journal = Path(str(store) + "-journal")
    hot = journal.exists() and journal.stat().st_size > 0  # the store file itself was being changed
    process.kill()
    _, err = process.communicate(timeout=60)
    assert written.exists(), f"the import never reached its write: {err.decode()[-2000:]}"
    assert process.returncode == -signal.SIGKILL
    assert hot, "the kill landed before the import changed the store file"
    with sqlite3.connect(store) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("SELECT COUNT(*) FROM visits").fetchone()[0] == 1


@pytest.mark.slow
def test_two_imports_at_once_lose_nothing(stored):
    store, _, _, tmp_path = stored
    households = listed(tmp_path)["household_id"].tolist()
    first = big_visits(tmp_path / "a.csv", households, 30_000)
    second = big_visits(tmp_path / "b.csv", households[::-1], 20_000, start="2027-05-04 12:00")
    processes = [
        subprocess.Popen(
            cocoon("visits", "import", f, "--store", store), stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for f in (first, second)
    ]
    for process in processes:
        _, err = process.communicate(timeout=300)
        assert process.returncode == 0, err.decode()
    with sqlite3.connect(store) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("SELECT COUNT(*) FROM visits").fetchone()[0] == 50_000
        assert db.execute("SELECT COUNT(DISTINCT source) FROM visits").fetchone()[0] == 2


def test_a_full_disk_during_ingest_is_named_as_such_and_the_store_is_unchanged(stored, monkeypatch):
    """SQLite's "database or disk is full", made real by capping the file's pages: not "damaged"."""
    import cocoon.jobs.store as jobs
    from cocoon.store import database

    store, b, _, tmp_path = stored

    def capped(path, *, create=True):
        opened = database.open_store(path, create=create)
        pages = opened.db.execute("PRAGMA page_count").fetchone()[0]
        opened.db.execute(f"PRAGMA max_page_count = {pages}")
        return opened

    monkeypatch.setattr(jobs, "open_store", capped)
    many = pd.read_csv(b)
    many = pd.concat([many.assign(id=many["id"] + f"-{i}", address="x" * 500) for i in range(200)])
    many.to_csv(tmp_path / "many.csv", index=False)
    for lang, needle in (
        ("en", f"The disk holding the store {store} is full"),
        ("sv", f"Disken med databasen {store} är full"),
    ):
        result = run("ingest", tmp_path / "many.csv", "--store", store, "--lang", lang)
        assert result.exit_code == 1 and "Traceback" not in result.output
        flat = " ".join(result.output.split())
        assert needle in flat and "damaged" not in flat and "skadad" not in flat, flat
    assert rows(store, "burglaries") == 4  # nothing of the file went in (the audit log may record the failure)
