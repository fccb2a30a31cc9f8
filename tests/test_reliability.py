"""A run either completes or leaves nothing behind, and never writes over what the user gave."""

from __future__ import annotations

import csv
import hashlib
import os
from pathlib import Path

import numpy as np
import pandas as pd
from click.testing import CliRunner
from conftest import X0, Y0, to_lonlat

from cocoon.cli import main
from cocoon.errors import OutputError

START = "{:.6f},{:.6f}".format(*(float(v[0]) for v in to_lonlat([X0 + 100], [Y0 - 100])))


def run(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args])


def plan(b: Path, h: Path, out: Path, *extra: object):
    return run("plan", "--burglaries", b, "--households", h, "--date", "2026-05-04", "--out", out, "--lang", "en",
               *extra)


def leftovers(folder: Path) -> list[Path]:
    """Temporary folders and files of cocoon's atomic writes."""
    return [p for p in folder.iterdir() if ".cocoon-" in p.name]


def disk_full(*_: object, **__: object) -> bytes:
    raise OutputError("output.cannot_write", path="handout.pdf", reason="No space left on device")


def test_a_run_that_fails_while_writing_leaves_no_folder(files, tmp_path, monkeypatch):
    b, h = files
    monkeypatch.setattr("cocoon.field.pack.handout_document", disk_full)
    result = plan(b, h, tmp_path / "out", "--officers", "1", "--start", START, "--solver", "greedy")
    assert result.exit_code == 1 and "No space left on device" in result.output
    assert not (tmp_path / "out").exists()
    assert leftovers(tmp_path) == []


def test_a_failed_overwrite_keeps_the_earlier_plan_whole(files, tmp_path, monkeypatch):
    b, h = files
    out = tmp_path / "out"
    assert plan(b, h, out).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    monkeypatch.setattr("cocoon.field.pack.handout_document", disk_full)
    assert plan(b, h, out, "--overwrite", "--officers", "1", "--start", START, "--solver", "greedy").exit_code == 1
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert leftovers(tmp_path) == []


def test_overwrite_replaces_the_whole_folder(files, tmp_path):
    b, h = files
    out = tmp_path / "out"
    assert plan(b, h, out, "--officers", "1", "--start", START, "--solver", "greedy").exit_code == 0
    assert (out / "routes.csv").exists()
    assert plan(b, h, out, "--overwrite").exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == [".cocoon-output", "plan.json", "visits.csv", "zones.geojson"]
    assert leftovers(tmp_path) == [] and not list(tmp_path.glob("out.replaced-*"))


def test_the_root_and_the_home_folder_are_refused(files, tmp_path, monkeypatch):
    b, h = files
    for extra in ((), ("--overwrite",)):
        result = plan(b, h, Path("/"), *extra)
        assert result.exit_code == 1 and "root of the file system" in result.output
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for extra in ((), ("--overwrite",)):
        result = plan(b, h, home, *extra)
        assert result.exit_code == 1 and "is your home folder" in result.output
    assert list(home.iterdir()) == []


def test_an_output_folder_that_holds_an_input_is_refused(tmp_path, files):
    b, h = files
    out = tmp_path / "out"
    out.mkdir()
    inside = out / "households.csv"
    inside.write_bytes(h.read_bytes())
    result = plan(b, inside, out, "--overwrite")
    assert result.exit_code == 1 and "holds an input file" in result.output
    assert inside.read_bytes() == h.read_bytes()


def test_rejects_never_replace_an_input_or_an_existing_file(files, tmp_path):
    b, h = files
    bad = tmp_path / "bad.csv"
    bad.write_text(b.read_text() + "B9,not-a-date,18.0,59.3,x\n")
    result = plan(bad, h, tmp_path / "a", "--skip-bad-rows", "--rejects", h)
    assert result.exit_code == 1 and "is one of the input files" in result.output
    existing = tmp_path / "rejects.csv"
    existing.write_text("keep me")
    result = plan(bad, h, tmp_path / "b", "--skip-bad-rows", "--rejects", existing)
    assert result.exit_code == 1 and "already exists" in result.output and existing.read_text() == "keep me"
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()
    assert plan(bad, h, tmp_path / "c", "--skip-bad-rows", "--rejects", existing, "--overwrite").exit_code == 0
    assert "not-a-date" in existing.read_text()


def test_calibrate_never_writes_over_its_input(tmp_path):
    rng = np.random.default_rng(3)
    events = tmp_path / "events.csv"
    pd.DataFrame({"x": rng.uniform(0, 1000, 40), "y": rng.uniform(0, 1000, 40),
                  "date": pd.date_range("2026-01-01", periods=40).strftime("%Y-%m-%d")}).to_csv(events, index=False)
    before = events.read_bytes()
    for option in ("--json", "--html", "--write-settings"):
        result = run("calibrate", events, "--nrep", "9", "--seed", "1", option, events, "--overwrite", "--lang", "en")
        assert result.exit_code == 1 and "is one of the input files" in result.output, result.output
    assert events.read_bytes() == before


def test_plan_with_a_store_that_fails_while_writing_leaves_the_store_byte_identical(files, tmp_path, monkeypatch):
    b, h = files
    store = tmp_path / "cocoon.sqlite"
    assert run("ingest", b, "--store", store, "--lang", "en").exit_code == 0
    digest = hashlib.sha256(store.read_bytes()).hexdigest()
    more = tmp_path / "more.csv"
    frame = pd.read_csv(b)
    frame["id"] = frame["id"] + "-new"
    frame.to_csv(more, index=False)
    monkeypatch.setattr("cocoon.field.pack.handout_document", disk_full)
    result = plan(more, h, tmp_path / "out", "--store", store, "--officers", "1", "--start", START, "--solver",
                  "greedy")
    assert result.exit_code == 1
    assert hashlib.sha256(store.read_bytes()).hexdigest() == digest
    assert not (tmp_path / "out").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("cocoon.sqlite-")]  # no journal left


def test_a_household_with_eighty_burglaries_prints_on_one_row(tmp_path):
    """The PDF writer used to stop with "row too high"; a row now names two burglaries and '+ N more'."""
    from pypdf import PdfReader

    n = 80
    angles = np.linspace(0, 2 * np.pi, n, endpoint=False)
    bx, by = X0 + 120 * np.cos(angles), Y0 + 120 * np.sin(angles)
    blon, blat = to_lonlat(bx, by)
    burglaries = pd.DataFrame({"id": [f"K{i:06d}" for i in range(n)], "date": "2026-05-01",
                               "lon": blon.round(8), "lat": blat.round(8)})
    hlon, hlat = to_lonlat([X0, X0 + 30], [Y0, Y0])
    households = pd.DataFrame({"household_id": ["CENTRE", "NEXT"], "label": ["Storgatan 1", "Storgatan 3"],
                               "lon": hlon.round(8), "lat": hlat.round(8), "dwellings": 1})
    burglaries.to_csv(tmp_path / "b.csv", index=False)
    households.to_csv(tmp_path / "h.csv", index=False)
    out = tmp_path / "out"
    result = plan(tmp_path / "b.csv", tmp_path / "h.csv", out, "--officers", "1", "--start", START, "--solver",
                  "greedy")
    assert result.exit_code == 0, result.output
    content = " ".join(page.extract_text() for page in PdfReader(out / "visit-list.pdf").pages)
    assert "+ 78 more" in content
    assert os.path.getsize(out / "visit-list.pdf") > 0


def test_csv_cells_that_would_run_as_formulas_are_neutralised_and_read_back(tmp_path):
    """OWASP's CSV-injection advice: a leading apostrophe on text cells that start with = + - @,
    tab or carriage return. Numbers stay numbers, and cocoon reads its own cells back as they were."""
    hostile = ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)", "\tTab", "\rReturn", "Storgatan 1"]
    lon, lat = to_lonlat(X0 + np.arange(len(hostile)) * 25.0, np.full(len(hostile), Y0))
    households = pd.DataFrame({"household_id": [f"={i}" for i in range(len(hostile))], "label": hostile,
                               "lon": lon.round(8), "lat": lat.round(8), "dwellings": 1})
    blon, blat = to_lonlat([X0], [Y0])
    burglaries = pd.DataFrame({"id": ["-B1"], "date": ["2026-05-01"], "lon": blon.round(8), "lat": blat.round(8)})
    households.to_csv(tmp_path / "h.csv", index=False, quoting=csv.QUOTE_ALL)  # a bare CR would end the line
    burglaries.to_csv(tmp_path / "b.csv", index=False)
    store = tmp_path / "cocoon.sqlite"
    out = tmp_path / "out"
    result = plan(tmp_path / "b.csv", tmp_path / "h.csv", out, "--officers", "1", "--hours", "4", "--start",
                  START, "--solver", "greedy", "--store", store)
    assert result.exit_code == 0, result.output
    for name in ("visits.csv", "routes.csv", "visit-list.csv", "signs.csv", "property-owners.csv"):
        lines = (out / name).read_text(encoding="utf-8").splitlines()[1:]
        for line in lines:
            for cell in line.split(","):
                assert not cell.strip('"').startswith(("=", "+", "@", "\t", "\r")), (name, line)
    visits = pd.read_csv(out / "visits.csv", dtype={"household_id": str})
    assert set(visits["household_id"]) <= {f"'={i}" for i in range(len(hostile))}
    assert pd.api.types.is_float_dtype(visits["score"]) and pd.api.types.is_float_dtype(visits["lon"])
    assert (visits["burglary_ids"] == "'-B1").all()
    # The filled list comes back with the same household ids.
    filled = pd.read_csv(out / "visit-list.csv", dtype=str, keep_default_na=False)
    filled["outcome"], filled["time"] = "face", "2026-05-04 10:00"
    filled.to_csv(tmp_path / "filled.csv", index=False)
    imported = run("visits", "import", tmp_path / "filled.csv", "--store", store, "--lang", "en")
    assert imported.exit_code == 0, imported.output
    import sqlite3

    with sqlite3.connect(store) as db:
        stored = {row[0] for row in db.execute("SELECT household_id FROM visits")}
    assert stored == set(filled["household_id"].str.removeprefix("'"))
