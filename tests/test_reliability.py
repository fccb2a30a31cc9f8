"""A run either completes or leaves nothing behind, and never writes over what the user gave."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from click.testing import CliRunner
from conftest import X0, Y0, to_lonlat

from cocoon.cli import main
from cocoon.errors import OutputError
from cocoon.publish.files import OutputFolder, only_ours, write_text

START = "{:.6f},{:.6f}".format(*(float(v[0]) for v in to_lonlat([X0 + 100], [Y0 - 100])))


def run(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args])


def plan(b: Path, h: Path, out: Path, *extra: object):
    return run(
        "plan", "--burglaries", b, "--households", h, "--date", "2026-05-04", "--out", out, "--lang", "en", *extra
    )


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
    pd.DataFrame(
        {
            "x": rng.uniform(0, 1000, 40),
            "y": rng.uniform(0, 1000, 40),
            "date": pd.date_range("2026-01-01", periods=40).strftime("%Y-%m-%d"),
        }
    ).to_csv(events, index=False)
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
    result = plan(
        more, h, tmp_path / "out", "--store", store, "--officers", "1", "--start", START, "--solver", "greedy"
    )
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
    burglaries = pd.DataFrame(
        {"id": [f"K{i:06d}" for i in range(n)], "date": "2026-05-01", "lon": blon.round(8), "lat": blat.round(8)}
    )
    hlon, hlat = to_lonlat([X0, X0 + 30], [Y0, Y0])
    households = pd.DataFrame(
        {
            "household_id": ["CENTRE", "NEXT"],
            "label": ["Storgatan 1", "Storgatan 3"],
            "lon": hlon.round(8),
            "lat": hlat.round(8),
            "dwellings": 1,
        }
    )
    burglaries.to_csv(tmp_path / "b.csv", index=False)
    households.to_csv(tmp_path / "h.csv", index=False)
    out = tmp_path / "out"
    result = plan(
        tmp_path / "b.csv", tmp_path / "h.csv", out, "--officers", "1", "--start", START, "--solver", "greedy"
    )
    assert result.exit_code == 0, result.output
    content = " ".join(page.extract_text() for page in PdfReader(out / "visit-list.pdf").pages)
    assert "+ 78 more" in content
    assert os.path.getsize(out / "visit-list.pdf") > 0


def test_csv_cells_that_would_run_as_formulas_are_neutralised_and_read_back(tmp_path):
    """OWASP's CSV-injection advice: a leading apostrophe on text cells that start with = + - @,
    tab or carriage return. Numbers stay numbers, and cocoon reads its own cells back as they were."""
    hostile = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tTab", "\rReturn", "Storgatan 1"]
    lon, lat = to_lonlat(X0 + np.arange(len(hostile)) * 25.0, np.full(len(hostile), Y0))
    households = pd.DataFrame(
        {
            "household_id": [f"={i}" for i in range(len(hostile))],
            "label": hostile,
            "lon": lon.round(8),
            "lat": lat.round(8),
            "dwellings": 1,
        }
    )
    blon, blat = to_lonlat([X0], [Y0])
    burglaries = pd.DataFrame({"id": ["-B1"], "date": ["2026-05-01"], "lon": blon.round(8), "lat": blat.round(8)})
    households.to_csv(tmp_path / "h.csv", index=False, quoting=csv.QUOTE_ALL)  # a bare CR would end the line
    burglaries.to_csv(tmp_path / "b.csv", index=False)
    store = tmp_path / "cocoon.sqlite"
    assert run("ingest", tmp_path / "b.csv", "--store", store).exit_code == 0
    out = tmp_path / "out"
    result = plan(
        tmp_path / "b.csv",
        tmp_path / "h.csv",
        out,
        "--officers",
        "1",
        "--hours",
        "4",
        "--start",
        START,
        "--solver",
        "greedy",
        "--store",
        store,
    )
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


def test_overwrite_keeps_an_officers_notes_and_scans(files, tmp_path):
    b, h = files
    out = tmp_path / "out"
    assert plan(b, h, out).exit_code == 0
    (out / "notes.txt").write_text("Storgatan 12: dog, come back after 17")
    (out / "scans").mkdir()
    (out / "scans" / "list-1.jpg").write_bytes(b"\xff\xd8 scan")
    result = plan(b, h, out, "--overwrite")
    assert result.exit_code == 0, result.output
    aside = list(tmp_path.glob("out.replaced-*"))
    assert len(aside) == 1
    assert (aside[0] / "notes.txt").read_text() == "Storgatan 12: dog, come back after 17"
    assert (aside[0] / "scans" / "list-1.jpg").read_bytes() == b"\xff\xd8 scan"
    assert (aside[0] / "visits.csv").exists()  # moved whole, as it was
    assert (out / "visits.csv").exists() and not (out / "notes.txt").exists()
    assert f"was moved to {aside[0]}, nothing was deleted" in " ".join(result.output.split())


def test_overwrite_keeps_a_list_edited_after_cocoon_wrote_it(files, tmp_path):
    b, h = files
    out = tmp_path / "out"
    assert plan(b, h, out).exit_code == 0
    with (out / "visits.csv").open("a", encoding="utf-8") as f:
        f.write("officer's own row\n")
    assert plan(b, h, out, "--overwrite").exit_code == 0
    (aside,) = tmp_path.glob("out.replaced-*")
    assert "officer's own row" in (aside / "visits.csv").read_text(encoding="utf-8")


def test_an_edit_made_while_a_run_writes_still_keeps_the_earlier_folder(tmp_path):
    """The earlier folder is checked while the run writes; a file edited after that check began
    is still seen when the folder is replaced."""
    out = tmp_path / "out"
    with OutputFolder(out, overwrite=False) as folder:
        (folder / "visits.csv").write_text("household_id\nH1\n", encoding="utf-8")
    with OutputFolder(out, overwrite=True) as folder:
        (folder / "visits.csv").write_text("household_id\nH2\n", encoding="utf-8")
        with (out / "visits.csv").open("a", encoding="utf-8") as f:  # an officer's row, added meanwhile
            f.write("officer's own row\n")
    (aside,) = tmp_path.glob("out.replaced-*")
    assert "officer's own row" in (aside / "visits.csv").read_text(encoding="utf-8")
    assert (out / "visits.csv").read_text(encoding="utf-8") == "household_id\nH2\n"


def test_an_unchanged_earlier_folder_is_replaced_on_the_check_begun_at_the_start(tmp_path, monkeypatch):
    from cocoon.publish import files

    out = tmp_path / "out"
    with OutputFolder(out, overwrite=False) as folder:
        (folder / "visits.csv").write_text("household_id\nH1\n", encoding="utf-8")
    checks = []
    real = files.only_ours
    monkeypatch.setattr(files, "only_ours", lambda folder: checks.append(folder) or real(folder))
    with OutputFolder(out, overwrite=True) as folder:
        (folder / "visits.csv").write_text("household_id\nH2\n", encoding="utf-8")
    assert checks == [out]  # once, at the start, not again at the end
    assert not list(tmp_path.glob("out.replaced-*"))
    assert (out / "visits.csv").read_text(encoding="utf-8") == "household_id\nH2\n"


def test_a_planted_marker_does_not_let_overwrite_empty_a_folder(files, tmp_path):
    b, h = files
    out = tmp_path / "documents"
    out.mkdir()
    (out / "report.docx").write_bytes(b"PK the analyst's report")
    for planted in (
        '{"written_by": "cocoon", "version": "0.1.0"}\n',
        '{"written_by": "cocoon", "version": "0.1.0", "files": {}}\n',
        '{"written_by": "cocoon", "files": {"report.docx": "0000"}}\n',
    ):
        (out / ".cocoon-output").write_text(planted)
        assert plan(b, h, out, "--overwrite").exit_code == 0
        found = [p for p in tmp_path.glob("documents.replaced-*") if (p / "report.docx").exists()]
        assert len(found) == 1 and (found[0] / "report.docx").read_bytes() == b"PK the analyst's report"
        shutil.rmtree(out)
        found[0].rename(out)
    assert (out / "report.docx").read_bytes() == b"PK the analyst's report"


def test_two_overwrites_in_the_same_second_keep_both_earlier_folders(files, tmp_path):
    b, h = files
    out = tmp_path / "out"
    for n in range(3):
        assert plan(b, h, out, "--overwrite").exit_code == 0
        (out / f"note-{n}.txt").write_text(str(n))
    assert plan(b, h, out, "--overwrite").exit_code == 0
    kept = sorted(p.read_text() for p in tmp_path.glob("out.replaced-*/note-*.txt"))
    assert kept == ["0", "1", "2"]


def test_the_manifest_lists_every_file_with_its_sha256(files, tmp_path):
    b, h = files
    out = tmp_path / "out"
    assert plan(b, h, out, "--officers", "1", "--start", START, "--solver", "greedy").exit_code == 0
    manifest = json.loads((out / ".cocoon-output").read_text(encoding="utf-8"))
    on_disk = {
        p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in out.rglob("*")
        if p.is_file() and p.name != ".cocoon-output"
    }
    assert manifest["written_by"] == "cocoon" and manifest["files"] == on_disk and len(on_disk) > 5
    # files in subfolders (the demo's areas) are listed too, and an added one makes the folder not ours
    with OutputFolder(tmp_path / "nested", overwrite=False) as folder:
        (folder / "area" / "inputs").mkdir(parents=True)
        (folder / "area" / "inputs" / "households.csv").write_text("household_id\nH1\n")
    nested = tmp_path / "nested"
    assert list(json.loads((nested / ".cocoon-output").read_text())["files"]) == ["area/inputs/households.csv"]
    assert only_ours(nested)
    (nested / "area" / "scan.pdf").write_bytes(b"%PDF")
    assert not only_ours(nested)


def test_the_manifest_hashes_a_file_changed_after_cocoon_wrote_it_from_the_disk(tmp_path):
    with OutputFolder(tmp_path / "out", overwrite=False) as folder:
        write_text(folder / "edited.txt", "written\n")
        write_text(folder / "replaced.txt", "written\n")
        write_text(folder / "kept.txt", "written\n")
        with (folder / "edited.txt").open("a", encoding="utf-8") as edited:
            edited.write("and edited\n")
        (folder / "other.txt").write_text("WRITTEN\n")
        os.replace(folder / "other.txt", folder / "replaced.txt")  # same size, another file
    out = tmp_path / "out"
    manifest = json.loads((out / ".cocoon-output").read_text(encoding="utf-8"))
    assert manifest["files"] == {
        name: hashlib.sha256((out / name).read_bytes()).hexdigest()
        for name in ("edited.txt", "kept.txt", "replaced.txt")
    }
    assert (out / "replaced.txt").read_text() == "WRITTEN\n" and only_ours(out)


def test_an_unchanged_earlier_folder_is_known_as_ours_without_reading_its_files(tmp_path, monkeypatch):
    from cocoon.publish import files

    out = tmp_path / "out"
    with OutputFolder(out, overwrite=False) as folder:
        write_text(folder / "visits.csv", "household_id\nH1\n")
        (folder / "notes").mkdir()
        (folder / "notes" / "kept.txt").write_text("kept\n")
        time.sleep(0.05)  # a tick of the file system's clock between the files and the manifest
    read = []
    real = files._digest
    monkeypatch.setattr(files, "_digest", lambda path: read.append(path.name) or real(path))
    assert only_ours(out) and read == []
    # the same size and modification time put back: the change time still tells
    stat = (out / "visits.csv").stat()
    (out / "visits.csv").write_text("household_id\nH2\n")
    os.utime(out / "visits.csv", ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert not only_ours(out) and read == ["visits.csv"]
    # another file of the same content put in its place is read, and found the same
    (out / "visits.csv").write_text("household_id\nH1\n")
    assert only_ours(out) and read == ["visits.csv", "visits.csv"]


def test_a_file_changed_within_the_manifests_clock_tick_is_read_again(tmp_path):
    from cocoon.publish.files import _identity, _unchanged_since

    path = tmp_path / "visits.csv"
    path.write_text("household_id\nH1\n")
    seen = list(_identity(path))
    assert _unchanged_since(path, seen, written=seen[4] + 1)
    assert not _unchanged_since(path, seen, written=seen[4])  # same tick: could hide a change
    assert not _unchanged_since(path, None, written=seen[4] + 1)  # an earlier manifest: no identity


KILLED_RUN = """
import os, signal, sys
from pathlib import Path
from cocoon.publish.files import OutputFolder, write_manifest
out = Path(sys.argv[1])
folder = OutputFolder(out, overwrite=True)
staging = folder.__enter__()
(staging / "victims.csv").write_text("household_id,victim\\nH001,1\\n")
if sys.argv[2] == "while-replacing":
    write_manifest(staging)
    out.rename(folder.old)
print(staging, flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


def killed_run(out: Path, when: str) -> Path:
    done = subprocess.run(
        [sys.executable, "-c", KILLED_RUN, str(out), when],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        check=False,
    )
    assert done.returncode == -signal.SIGKILL, done.stderr
    return Path(done.stdout.strip())


def test_a_killed_plans_folder_is_removed_by_the_next_command_and_said(files, tmp_path):
    b, _ = files
    out = tmp_path / "elsewhere" / "out"
    staging = killed_run(out, "while-writing")
    assert (staging / "victims.csv").exists()
    # any command, run anywhere, cleans up
    result = run("ingest", b, "--store", tmp_path / "cocoon.sqlite", "--lang", "en")
    assert result.exit_code == 0, result.output
    assert not staging.exists() and not out.exists()
    assert "Removed unfinished output left by an interrupted cocoon run" in result.output
    assert str(staging) in result.output.replace("\n", "")
    # and only once
    assert "interrupted" not in run("ingest", b, "--store", tmp_path / "cocoon.sqlite", "--lang", "en").output


def test_a_run_killed_while_replacing_puts_the_earlier_plan_back(files, tmp_path):
    b, h = files
    out = tmp_path / "out"
    assert plan(b, h, out).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    staging = killed_run(out, "while-replacing")
    assert not out.exists()
    result = run("plan", "--help")
    assert "interrupted" not in result.output  # help alone changes nothing
    assert not out.exists()
    result = run("ingest", b, "--store", tmp_path / "cocoon.sqlite", "--lang", "sv")
    assert result.exit_code == 0, result.output
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert not staging.exists() and leftovers(tmp_path) == []
    assert "Lade tillbaka de tidigare resultat" in result.output


def test_a_register_entry_never_makes_cocoon_delete_another_folder(files, tmp_path):
    b, _ = files
    precious = tmp_path / ".precious.cocoon-999999"
    precious.mkdir()
    (precious / "keep.txt").write_text("mine")  # cocoon's temporary name, but no marker of cocoon's
    register = Path(os.environ["COCOON_STAGING_DIR"])
    (register / "forged.json").write_text(
        json.dumps(
            {
                "pid": 999999,
                "host": socket.gethostname(),
                "paths": [
                    {"temporary": str(precious), "target": str(tmp_path / "precious")},
                    {"temporary": str(tmp_path), "target": str(tmp_path / "x")},
                ],
            }
        )
    )
    assert run("ingest", b, "--store", tmp_path / "cocoon.sqlite", "--lang", "en").exit_code == 0
    assert (precious / "keep.txt").read_text() == "mine" and not (register / "forged.json").exists()


def test_json_outputs_are_strict_json_without_infinity_or_nan(tmp_path):
    from cocoon.publish.files import write_json

    def refuse(constant: str) -> None:
        raise ValueError(f"not JSON: {constant}")

    path = write_json(
        {"ratio": float("inf"), "low": np.float64("nan"), "rows": [[1.5, float("-inf")]], "n": np.int64(3)},
        tmp_path / "out.json",
    )
    data = json.loads(path.read_text(encoding="utf-8"), parse_constant=refuse)
    assert data == {"ratio": None, "low": None, "rows": [[1.5, None]], "n": 3}
