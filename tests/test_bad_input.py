"""Nonsense numbers get a clear error naming the file, row and column or the option or setting;
never a traceback, never a plausible wrong plan."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import X0, Y0, to_lonlat

from cocoon.cli import main

START = "{:.6f},{:.6f}".format(*(float(v[0]) for v in to_lonlat([X0 + 100], [Y0 - 100])))


def run(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args])


def refused(result, *named: str) -> None:
    """Exit 1 or 2, no traceback, and the message names each of ``named``."""
    assert result.exit_code in (1, 2), result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    for name in named:
        assert name in result.output, (name, result.output)


@pytest.fixture
def plan_args(files, tmp_path):
    b, h = files
    return [
        "plan",
        "--burglaries",
        b,
        "--households",
        h,
        "--date",
        "2026-05-04",
        "--out",
        tmp_path / "out",
        "--lang",
        "en",
    ]


def settings_file(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "settings.toml"
    path.write_text(body, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("option", "value", "named"),
    [
        ("--radius", "inf", "--radius: must be a finite number"),
        ("--radius", "nan", "--radius: must be a finite number"),
        ("--radius", "0", "--radius: must be greater than 0"),
        ("--radius", "50000", "--radius: 50000 is more than 5000"),
        ("--high-days", "-1", "--high-days: must not be negative"),
        ("--elevated-days", "100000000000", "--elevated-days: 100000000000 is more than 365"),
        ("--elevated-days", "360", "the zone window (high-risk plus elevated days) is 374 days"),
        ("--minutes-per-stop", "nan", "--minutes-per-stop: must be a finite number"),
        ("--minutes-per-stop", "-5", "--minutes-per-stop: must not be negative"),
        ("--hours", "inf", "--hours: must be a finite number"),
        ("--hours", "0", "--hours: must be greater than 0"),
        ("--solve-seconds", "nan", "--solve-seconds: must be a finite number"),
        ("--date-format", "%Q-%Z", "--date-format '%Q-%Z' is not a date format"),
    ],
)
def test_options(plan_args, option, value, named):
    refused(run(*plan_args, option, value, "--officers", "1", "--start", START), named)


def test_too_many_officers(plan_args):
    refused(run(*plan_args, "--officers", "1001", "--start", START), "--officers must be 1 to 1000 (got 1001)")


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ("[ranking]\ntime_weights = [[7, nan], [14, 0.6]]\n", "ranking.time_weights: must be a finite number"),
        ("[ranking]\ndistance_weights = [[0, 1.0], [500, -0.5]]\n", "ranking.distance_weights"),
        ("[ranking]\ntime_weights = [[7, inf]]\n", "ranking.time_weights: must be a finite number"),
        ("[ranking]\nsame_building = 0.5\n", "ranking.same_building: a multiplier must be 1 or more"),
        ("[ranking]\npoints = nan\n", "ranking.points: must be a finite number"),
        ("[osm]\nm2_per_dwelling = 0\n", "osm.m2_per_dwelling: must be greater than 0"),
        ("[osm]\napartment_levels = -2\n", "osm.apartment_levels: must be greater than 0"),
        ("[signs]\nmin_per_zone = 6\nmax_per_zone = 4\n", "signs.min_per_zone: at least 6 is more than at most 4"),
        ("[zones]\nradius_m = inf\n", "zones.radius_m: must be a finite number"),
        ("[limits]\nmemory_gb = -1\n", "limits.memory_gb: must not be negative"),
    ],
)
def test_settings(plan_args, tmp_path, body, named):
    path = settings_file(tmp_path, body)
    refused(run(*plan_args, "--settings", path), str(path), named)


def household_file(tmp_path: Path, dwellings: list[str]) -> Path:
    lon, lat = to_lonlat(X0 + np.arange(len(dwellings)) * 20.0, np.full(len(dwellings), Y0))
    path = tmp_path / "households-bad.csv"
    pd.DataFrame(
        {
            "household_id": [f"H{i}" for i in range(len(dwellings))],
            "lon": lon.round(8),
            "lat": lat.round(8),
            "dwellings": dwellings,
        }
    ).to_csv(path, index=False)
    return path


@pytest.mark.parametrize(("value", "row"), [("inf", 3), ("-4", 3), ("10001", 3), ("1e9", 3)])
def test_dwellings(files, tmp_path, value, row):
    b, _ = files
    h = household_file(tmp_path, ["2", value, "1"])
    refused(
        run("plan", "--burglaries", b, "--households", h, "--date", "2026-05-04", "--out", tmp_path / "o"),
        f"{h}, row {row}, column 'dwellings'",
        "1 to 10,000",
    )


def burglary_file(tmp_path: Path, rows: list[str], header: str = "id,date,x,y") -> Path:
    path = tmp_path / "burglaries-bad.csv"
    path.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("cell", "named"),
    [
        ("B2,2026-05-01,inf,6580000", "row 3, column 'x': 'inf' is not a finite coordinate"),
        ("B2,2026-05-01,674000,-inf", "row 3, column 'y': '-inf' is not a finite coordinate"),
        ("B2,1066-10-14,674000,6580000", "row 3, column 'date': '1066-10-14' is before 1900 or after 2100"),
        ("B2,2262-05-01,674000,6580000", "row 3, column 'date': '2262-05-01' is before 1900 or after 2100"),
        ("B2,31/12/9999,674000,6580000", "row 3, column 'date'"),
    ],
)
def test_burglary_cells(files, tmp_path, cell, named):
    _, h = files
    b = burglary_file(tmp_path, ["B1,2026-05-01,674000,6580000", cell])
    args = ("plan", "--burglaries", b, "--households", h, "--crs", "EPSG:3006", "--date", "2026-05-04")
    refused(run(*args, "--out", tmp_path / "a"), str(b), named)
    refused(run(*args, "--out", tmp_path / "b", "--metric-crs", "EPSG:3006"), str(b), named)
    skipped = run(*args, "--out", tmp_path / "c", "--skip-bad-rows")
    assert skipped.exit_code == 0, skipped.output
    rejects = pd.read_csv(tmp_path / "c" / "rejected-rows.csv", dtype=str)
    assert rejects["row"].tolist() == ["3"]


def test_a_date_format_that_reads_nothing(files, tmp_path):
    _, h = files
    b = burglary_file(tmp_path, ["B1,2026-05-01,674000,6580000", "B2,2026-05-02,674100,6580000"])
    refused(
        run(
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
            "--date-format",
            "%d/%m/%Y",
        ),
        str(b),
        "column 'date': --date-format '%d/%m/%Y' reads none of its dates (the first is '2026-05-01')",
    )


def test_files_in_different_coordinate_systems(files, tmp_path):
    """x/y read in the wrong CRS land far from the households: the plan stops and names both CRSs."""
    _, h = files
    b = burglary_file(tmp_path, ["B1,2026-05-01,674000,6580000", "B2,2026-05-02,674100,6580000"])
    refused(
        run(
            "plan",
            "--burglaries",
            b,
            "--households",
            h,
            "--crs",
            "EPSG:3067",
            "--date",
            "2026-05-04",
            "--out",
            tmp_path / "o",
        ),
        "read in EPSG:3067",
        "read in EPSG:4326",
        "km apart",
    )
    assert not (tmp_path / "o").exists()
    near = burglary_file(tmp_path, ["B1,2026-05-01,690000,6580000"])  # 16 km east: same CRS, no household near
    refused(
        run(
            "plan",
            "--burglaries",
            near,
            "--households",
            h,
            "--crs",
            "EPSG:3006",
            "--date",
            "2026-05-04",
            "--out",
            tmp_path / "p",
        ),
        "no burglary lies within 500 m of any household",
    )


def test_a_dollar_sign_in_a_file_name_given_to_matplotlib(tmp_path):
    rng = np.random.default_rng(2)
    path = tmp_path / "$x^2$ burglaries $.csv"
    pd.DataFrame(
        {
            "x": rng.uniform(0, 2000, 60),
            "y": rng.uniform(0, 2000, 60),
            "date": pd.date_range("2026-01-01", periods=60).strftime("%Y-%m-%d"),
        }
    ).to_csv(path, index=False)
    result = run("calibrate", path, "--nrep", "9", "--seed", "1", "--plot", tmp_path / "k.png")
    assert result.exit_code == 0, result.output
    result = run("backtest", path, "--from", "2026-02-01", "--to", "2026-03-01", "--plot", tmp_path / "b.png")
    assert result.exit_code == 0, result.output


def test_calibrate_and_backtest_refuse_what_would_not_fit_in_memory(tmp_path):
    """With the limit set low, a small file stands for millions of burglaries: refused before it
    starts, with the estimate and what to do (benchmarks/bench_limits.py runs 5 million)."""
    rng = np.random.default_rng(3)
    path = tmp_path / "dense.csv"
    pd.DataFrame(
        {
            "x": rng.uniform(0, 800, 3000),
            "y": rng.uniform(0, 800, 3000),
            "date": (pd.Timestamp("2026-01-01") + pd.to_timedelta(rng.integers(0, 300, 3000), unit="D")).strftime(
                "%Y-%m-%d"
            ),
        }
    ).to_csv(path, index=False)
    limits = settings_file(tmp_path, "[limits]\nmemory_gb = 0.01\n")
    refused(
        run("calibrate", path, "--settings", limits, "--lang", "en"),
        "calibrate: 3,000 burglaries give about",
        "pairs within 500 m",
        "Nothing was started",
        "--from/--to",
    )
    refused(
        run("backtest", path, "--from", "2026-06-01", "--to", "2026-10-01", "--settings", limits, "--lang", "en"),
        "backtest: 3,000 burglaries give about",
        "GB may be used",
    )


def test_store_commands_on_a_store_missing_a_column(files, tmp_path):
    b, _ = files
    store = tmp_path / "s.sqlite"
    assert run("ingest", b, "--store", store).exit_code == 0
    with sqlite3.connect(store) as db:
        db.execute("ALTER TABLE visits DROP COLUMN visitor")
    for command in (
        ("status", "--out", tmp_path / "st"),
        ("purge", "--before", "2026-01-01"),
        ("signs", "down", "--due"),
    ):
        refused(run(*command, "--store", store, "--lang", "en"), "table visits has no column visitor")
