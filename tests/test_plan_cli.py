"""The command line: outputs, summaries, exit codes and messages."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from cocoon.cli import main

ROOT = Path(__file__).resolve().parents[1]
REQUIRED = [
    "rank",
    "household_id",
    "label",
    "lon",
    "lat",
    "dwellings",
    "score",
    "tier",
    "distance_m",
    "burglary_ids",
    "phase",
    "days_left",
]


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def plan_args(b, h, out, *extra):
    return ["plan", "--burglaries", b, "--households", h, "--date", "2026-05-04", "--out", out, "--lang", "en", *extra]


ACTIVE = ["B1", "B2", "B4"]
"""The fixture's burglaries active on 2026-05-04: B1 (3 days), B2 (24), B4 (14); B3 (123 days) has expired."""


def households_within(households: pd.DataFrame, burglaries: pd.DataFrame, radius: float) -> int:
    """How many households lie within ``radius`` metres of an active burglary, from the fixture's SWEREF 99 TM x/y."""
    active = burglaries[burglaries["id"].isin(ACTIVE)]
    d = np.hypot(
        households["x"].to_numpy()[:, None] - active["x"].to_numpy()[None, :],
        households["y"].to_numpy()[:, None] - active["y"].to_numpy()[None, :],
    )
    return int((d.min(axis=1) <= radius).sum())


def metres(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance (haversine), independent of the package's own projections."""
    rlat1, rlat2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((rlat2 - rlat1) / 2) ** 2
        + math.cos(rlat1) * math.cos(rlat2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * 6_371_000 * math.asin(math.sqrt(a))


def test_plan_writes_outputs_and_summary(files, tmp_path, household_frame, burglary_frame):
    b, h = files
    out = tmp_path / "out"
    result = run(*plan_args(b, h, out))
    assert result.exit_code == 0, result.output
    assert "Distances in metres in EPSG:3006 (SWEREF99 TM)." in result.output
    assert "Burglaries read: 4 (active: 2 high risk, 1 elevated; 1 expired)." in result.output
    assert "A: burgled building and nearest neighbours" in result.output
    visits = pd.read_csv(out / "visits.csv")
    assert list(visits.columns[: len(REQUIRED)]) == REQUIRED
    assert visits["rank"].tolist() == list(range(1, len(visits) + 1))
    assert len(visits) == households_within(household_frame, burglary_frame, 500)
    zones = json.loads((out / "zones.geojson").read_text())
    layers = [f["properties"]["layer"] for f in zones["features"]]
    assert layers.count("zone") == 3 and layers.count("outline") == 2
    first = zones["features"][0]["properties"]
    assert {"burglary_id", "phase", "start", "end", "days_left"} <= set(first)
    # Each zone is a 500 m circle around its burglary, in longitude/latitude order.
    places = burglary_frame.set_index("id")
    circles = {
        f["properties"]["burglary_id"]: f["geometry"]["coordinates"][0]
        for f in zones["features"]
        if f["properties"]["layer"] == "zone"
    }
    assert sorted(circles) == ACTIVE
    for burglary, ring in circles.items():
        lon, lat = places.loc[burglary, "lon"], places.loc[burglary, "lat"]
        centre = np.mean(ring[:-1], axis=0)
        assert metres(centre[0], centre[1], lon, lat) < 1.0, burglary
        assert all(495 < metres(x, y, lon, lat) < 505 for x, y in ring), burglary
    meta = json.loads((out / "plan.json").read_text())
    assert meta["metric_crs"].startswith("EPSG:3006") and meta["counts"]["households"] == len(visits)


def test_swedish_summary(files, tmp_path):
    b, h = files
    result = run(*plan_args(b, h, tmp_path / "out")[:-2], "--lang", "sv")
    assert result.exit_code == 0
    assert "Cocooningplan för 2026-05-04" in result.output and "Hög risk" in result.output


def test_refuses_non_empty_output_folder(files, tmp_path):
    b, h = files
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("x")
    result = run(*plan_args(b, h, out))
    assert result.exit_code == 1
    assert f"Error: The output folder {out} is not empty." in result.output
    # --overwrite replaces the whole folder; files cocoon did not write are moved aside, not deleted
    replaced = run(*plan_args(b, h, out, "--overwrite"))
    assert replaced.exit_code == 0, replaced.output
    assert not (out / "keep.txt").exists() and (out / "visits.csv").exists()
    aside = list(tmp_path.glob("out.replaced-*"))
    assert len(aside) == 1 and (aside[0] / "keep.txt").read_text() == "x"
    assert f"was moved to {aside[0]}, nothing was deleted" in " ".join(replaced.output.split())


@pytest.mark.parametrize(
    "row,needle",
    [
        ("B9,2026-05-01,18.06,,x", "row 6, column 'lat': no coordinate."),
        ("B9,2026-13-45,18.06,59.33,x", "row 6, column 'date': cannot read '2026-13-45' as a date."),
        ("B9,2026-05-05,18.06,59.33,x", "row 6, column 'date': the date 2026-05-05 is after the plan date 2026-05-04."),
        ("B9,2026-05-01,59.33,18.06,x", "row 6, column 'lat/lon': latitude and longitude"),
    ],
)
def test_bad_input_is_a_clear_error_and_skippable(files, tmp_path, row, needle):
    b, h = files
    b.write_text(b.read_text() + row + "\n")
    result = run(*plan_args(b, h, tmp_path / "out"))
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert f"Error: {b}, {needle}" in result.output
    result = run(*plan_args(b, h, tmp_path / "out2", "--skip-bad-rows"))
    assert result.exit_code == 0, result.output
    assert "Skipped 1 unusable row of the burglary file" in result.output
    rejects = pd.read_csv(tmp_path / "out2" / "rejected-rows.csv")
    assert rejects["row"].tolist() == [6] and rejects["reason"].str.contains("row 6").all()


def test_missing_file_and_bad_date_option(files, tmp_path):
    b, h = files
    result = run(*plan_args(tmp_path / "nope.csv", h, tmp_path / "out"))
    assert result.exit_code != 0 and "nope.csv" in result.output and "Traceback" not in result.output
    result = CliRunner().invoke(
        main,
        [
            "plan",
            "--burglaries",
            str(b),
            "--households",
            str(h),
            "--date",
            "4/5",
            "--out",
            str(tmp_path / "o"),
            "--lang",
            "en",
        ],
    )
    assert result.exit_code == 1 and "Error: --date: '4/5' is not a date; use YYYY-MM-DD." in result.output


def test_radius_windows_and_settings_change_the_result(files, tmp_path, household_frame, burglary_frame):
    b, h = files
    base = run(*plan_args(b, h, tmp_path / "a"))
    small = run(*plan_args(b, h, tmp_path / "b", "--radius", "200"))
    assert base.exit_code == small.exit_code == 0
    n = lambda d: len(pd.read_csv(tmp_path / d / "visits.csv"))  # noqa: E731
    assert n("a") == households_within(household_frame, burglary_frame, 500)
    assert n("b") == households_within(household_frame, burglary_frame, 200) < n("a")
    assert run(*plan_args(b, h, tmp_path / "c", "--high-days", "30")).exit_code == 0
    assert "active: 3 high risk" in run(*plan_args(b, h, tmp_path / "c2", "--high-days", "30")).output
    settings = tmp_path / "s.toml"
    settings.write_text("[zones]\nradius_m = 200\n")
    assert run(*plan_args(b, h, tmp_path / "d", "--settings", settings)).exit_code == 0
    assert n("d") == n("b")
    settings.write_text("[zones]\nradius = 200\n")
    bad = run(*plan_args(b, h, tmp_path / "e", "--settings", settings))
    assert bad.exit_code == 1 and "unknown setting 'zones.radius'" in bad.output


def test_exclude(files, tmp_path):
    b, h = files
    run(*plan_args(b, h, tmp_path / "a"))
    first = pd.read_csv(tmp_path / "a" / "visits.csv")["household_id"].iloc[0]
    ids = tmp_path / "done.txt"
    ids.write_text(first + "\n")
    result = run(*plan_args(b, h, tmp_path / "b", "--exclude", ids))
    assert "1 household left out by --exclude." in result.output
    before = pd.read_csv(tmp_path / "a" / "visits.csv")["household_id"]
    after = pd.read_csv(tmp_path / "b" / "visits.csv")["household_id"]
    assert len(after) == len(before) - 1 and set(after) == set(before) - {first}


@pytest.mark.parametrize("args", [["--help"], ["plan", "--help"], ["demo", "--help"]])
def test_help(args):
    result = run(*args)
    assert result.exit_code == 0 and "Usage:" in result.output


@pytest.mark.parametrize("entry", [[sys.executable, "-m", "cocoon"], [sys.executable, "cli.py"]])
def test_entry_points(entry):
    proc = subprocess.run([*entry, "--help"], cwd=ROOT, capture_output=True, text=True, check=False)
    assert proc.returncode == 0 and "plan" in proc.stdout
