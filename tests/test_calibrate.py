"""``cocoon calibrate``: inputs, outputs, verdict, suggested settings, errors."""

from __future__ import annotations

import json
import math
import threading
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import chicago_csv

from cocoon.cli import main
from cocoon.evidence.events import burglary_events
from cocoon.evidence.knox import KnoxResult, knox_test
from cocoon.evidence.verdict import suggest, verdict
from cocoon.jobs import calibrate as calibrate_job
from cocoon.settings import Settings, load_settings

KEYS = [
    "observed",
    "sim_mean",
    "sim_median",
    "knox_ratio",
    "knox_ratio_median",
    "p_value",
    "sds",
    "tds",
    "metric",
    "closed",
    "nrep",
    "seed",
    "n_events",
    "n_pairs",
]


def run(*args):
    # A wide console, so that the Knox table is printed whole, one line per distance band.
    return CliRunner().invoke(main, [str(a) for a in args], env={"COLUMNS": "200"})


def screen_table(output: str) -> dict[str, list[str]]:
    """The Knox table as printed (the first table): the header's cells and each distance band's,
    one per time band."""
    rows: dict[str, list[str]] = {}
    for line in output.splitlines():
        if line.startswith("└"):
            break
        for rule in ("┃", "│"):  # the header's rule, the body's
            if line.startswith(rule):
                cells = [cell.strip() for cell in line.strip(rule).split(rule)]
                rows[cells[0]] = cells[1:]
    return rows


def clustered(n=400, seed=1):
    """Burglaries with a built-in near-repeat pattern: each seed event gets followers close in space and time."""
    rng = np.random.default_rng(seed)
    x, y, t = rng.uniform(0, 8000, n), rng.uniform(0, 8000, n), rng.integers(0, 365, n)
    parents = rng.integers(0, n, n // 2)
    fx = x[parents] + rng.normal(0, 40, len(parents))
    fy = y[parents] + rng.normal(0, 40, len(parents))
    ft = t[parents] + rng.integers(1, 6, len(parents))
    return np.concatenate([x, fx]), np.concatenate([y, fy]), np.concatenate([t, ft])


def write_events(path: Path, x, y, t, *, header=True):
    days = pd.Timestamp("2025-01-01") + pd.to_timedelta(np.asarray(t), unit="D")
    frame = pd.DataFrame({"x": x, "y": y, "date": days.strftime("%d/%m/%Y")})
    frame.to_csv(path, index=False, header=header)
    return path


@pytest.fixture(scope="module")
def chicago_file():
    return chicago_csv()


def test_chicago_2016_json_matches_the_library(chicago_file, tmp_path):
    out = tmp_path / "knox.json"
    result = run(
        "calibrate",
        chicago_file,
        "--from",
        "2016-01-01",
        "--to",
        "2016-12-31",
        "--sds",
        "0,0.1,200,400,600",
        "--tds",
        "0,7,14,21",
        "--closed",
        "right",
        "--nrep",
        "9",
        "--seed",
        "4",
        "--json",
        out,
        "--lang",
        "en",
    )
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert set(KEYS) <= set(data)
    assert data["n_events"] == 11_701 and data["events_outside_period"] == 45_319 - 11_701
    assert data["observed"] == [[342, 97, 62], [1892, 1514, 1362], [4145, 3643, 3592], [5805, 5143, 4919]]
    assert data["sds"] == [0, 0.1, 200, 400, 600] and data["nrep"] == 9 and data["seed"] == 4
    assert "Knox test: 11701 burglaries, 2016-01-01 to 2016-12-31" in result.output


def test_inf_bands_keep_every_pair_and_screen_marks_significance(tmp_path):
    x, y, t = clustered()
    path = write_events(tmp_path / "b.csv", x, y, t)
    out = tmp_path / "k.json"
    result = run("calibrate", path, "--nrep", "99", "--seed", "1", "--json", out, "--lang", "en")
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    n = len(x)
    assert sum(map(sum, data["observed"])) == n * (n - 1) // 2 == data["n_pairs"]
    assert data["sds"][-1] == "inf" and data["tds"][-1] == "inf"
    # The screen stars exactly the cells with p <= 0.05 and ratio >= 1.2, and shows each ratio.
    distance_bands = ["0–1", "1–100", "100–200", "200–300", "300–400", "400–500", "500+"]
    time_bands = ["0–7", "7–14", "14–21", "21–28", "28–42", "42–56", "56+"]
    screen = screen_table(result.output)
    assert list(screen) == ["m \\ days", *distance_bands] and screen["m \\ days"] == time_bands
    starred, expected, shown, ratios = set(), set(), [], []
    for r, band in enumerate(distance_bands):
        for c, days in enumerate(time_bands):
            cell, ratio, p = screen[band][c], data["knox_ratio"][r][c], data["p_value"][r][c]
            if cell.endswith("*"):
                starred.add((band, days))
            if ratio is not None and p <= 0.05 and ratio >= 1.2:
                expected.add((band, days))
            shown.append(cell.rstrip("*"))
            ratios.append("–" if ratio is None else f"{ratio:.2f}")
    assert starred == expected and shown == ratios
    assert {("1–100", "0–7"), ("100–200", "0–7")} <= starred  # the built-in near repeats
    # The data hold cells that pass one half of the rule only, so a star on either half alone shows here.
    cells = [
        (ratio, p)
        for ratios_row, p_row in zip(data["knox_ratio"], data["p_value"], strict=True)
        for ratio, p in zip(ratios_row, p_row, strict=True)
        if ratio is not None
    ]
    assert any(p <= 0.05 and ratio < 1.2 for ratio, p in cells)
    assert any(p > 0.05 and ratio >= 1.2 for ratio, p in cells)
    # Pooled over 1–100 m and 100–200 m in days 0–7: (227 + 34) / (10.99 + 10.47) = 12.16, so 1116 % more.
    assert [data["observed"][1][0], data["observed"][2][0]] == [227, 34]
    assert round(data["sim_mean"][1][0], 2) == 10.99 and round(data["sim_mean"][2][0], 2) == 10.47
    near = (
        "Near repeats: burglaries within 200 m of an earlier burglary are 1116 % more likely within 7 days of "
        "it than if there were no pattern."
    )
    assert data["verdict"][0] == near and near in result.output.splitlines()


def test_headerless_nrc_file_reads_like_a_headed_one(tmp_path):
    x, y, t = clustered(200)
    headed = write_events(tmp_path / "headed.csv", x, y, t)
    bare = write_events(tmp_path / "bare.csv", x, y, t, header=False)
    outputs = []
    for path in (headed, bare):
        out = tmp_path / f"{path.stem}.json"
        result = run("calibrate", path, "--nrep", "5", "--seed", "2", "--json", out)
        assert result.exit_code == 0, result.output
        outputs.append(json.loads(out.read_text()))
    assert outputs[0]["observed"] == outputs[1]["observed"] and outputs[0]["n_events"] == len(x)


def test_windows_count_on_their_middle_day(tmp_path):
    # Windows of odd and even length, with times of day: the middle day (rounded down) differs from
    # the first day, the last day, the middle rounded up and the day of the middle moment.
    path = tmp_path / "windows.csv"
    pd.DataFrame(
        {
            "x": [500_000.0, 500_050.0, 520_000.0, 530_000.0, 540_000.0],
            "y": [6_500_000.0] * 5,
            "date_from": [
                "2025-03-01 23:30",
                "2025-03-02 08:00",
                "2025-03-10 18:00",
                "2025-03-20 00:30",
                "2025-03-25 22:00",
            ],
            "date_to": [
                "2025-03-01 23:30",
                "2025-03-06 20:00",
                "2025-03-13 09:00",
                "2025-03-21 23:30",
                "2025-03-28 02:00",
            ],
        }
    ).to_csv(path, index=False)
    from cocoon.inputs.burglaries import read_burglaries

    events = burglary_events(read_burglaries(path, require_crs=False).burglaries, source=str(path))
    # 1 March: no window, day 0.
    # 2–6 March, 5 days: the middle day is 4 March, day 3 (first day: 1, last: 5).
    # 10–13 March, 4 days: 11 March, day 10 (rounded up: 12 March; the middle moment, 12 March 01:30).
    # 20–21 March, 2 days: 20 March, day 19 (rounded up, the last day and the middle moment: 21 March).
    # 25–28 March, 4 days: 26 March, day 25 (the middle moment, 27 March 00:00; the first day: 25 March).
    assert events.day.tolist() == [0, 3, 10, 19, 25]
    assert events.windows == 4 and str(events.first) == "2025-03-01" and str(events.last) == "2025-03-26"


def test_lonlat_is_projected_and_unnamed_degrees_are_refused(tmp_path):
    x, y, t = clustered(120)
    lon, lat = 18.0 + x / 60_000, 59.3 + y / 111_000
    named = tmp_path / "lonlat.csv"
    pd.DataFrame({"lon": lon, "lat": lat, "date": pd.Timestamp("2025-01-01") + pd.to_timedelta(t, unit="D")}).to_csv(
        named, index=False
    )
    result = run("calibrate", named, "--nrep", "5", "--seed", "1", "--lang", "en")
    assert result.exit_code == 0, result.output
    assert "projected to EPSG:3006" in result.output
    bare = write_events(tmp_path / "degrees.csv", lon, lat, t, header=False)
    result = run("calibrate", bare, "--nrep", "5", "--lang", "en")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "look like longitude/latitude" in result.output and "--crs EPSG:4326" in result.output
    result = run("calibrate", bare, "--nrep", "5", "--crs", "EPSG:4326", "--seed", "1", "--lang", "en")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    "args,message",
    [
        (["--sds", "100"], "fewer than 2 breaks"),
        (["--tds", "0,14,7"], "must increase"),
        (["--sds", "0,x,200"], "is not a list of band breaks"),
        (["--nrep", "0"], "must be 1 or more"),
        (["--nrc", "--nrep", "1"], "must be 2 or more"),
        (["--from", "2025-06-01", "--to", "2025-01-01"], "is after --to"),
        (["--from", "2030-01-01"], "at least 2 are needed"),
        (["--from", "1 June"], "--from"),
    ],
)
def test_bad_input_is_a_clear_error(tmp_path, args, message):
    x, y, t = clustered(60)
    path = write_events(tmp_path / "b.csv", x, y, t)
    result = run("calibrate", path, *args, "--lang", "en")
    assert result.exit_code == 1, result.output
    assert message in result.output and "Traceback" not in result.output


def test_swedish_messages(tmp_path):
    x, y, t = clustered(60)
    path = write_events(tmp_path / "b.csv", x, y, t)
    result = run("calibrate", path, "--sds", "100", "--lang", "sv")
    assert result.exit_code == 1 and "färre än 2 gränser" in result.output
    result = run("calibrate", path, "--nrep", "5", "--seed", "1", "--lang", "sv")
    assert result.exit_code == 0 and "Knox-test: 90 inbrott" in result.output


def test_plot_and_html_are_written_and_html_is_self_contained(tmp_path):
    x, y, t = clustered(200)
    path = write_events(tmp_path / "b.csv", x, y, t)
    png, html = tmp_path / "k.png", tmp_path / "k.html"
    result = run("calibrate", path, "--nrep", "19", "--seed", "1", "--plot", png, "--html", html, "--lang", "en")
    assert result.exit_code == 0, result.output
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page = html.read_text()
    assert "<table>" in page and "Knox ratio" in page and "data:image/png;base64," in page
    # the fitted model as on screen: its title, its table and a row per distance band
    assert "Risk model fitted on 300 burglaries (366 days" in page
    assert "Follow-on burglaries per 1,000 burglaries, by distance and days after" in page
    assert "same place" in page and "500–1,000 m" in page
    assert "http://" not in page and "https://" not in page
    result = run("calibrate", path, "--nrep", "19", "--plot", png, "--lang", "en")
    assert result.exit_code == 1 and "already exists" in result.output and "--overwrite" in result.output


def test_written_settings_feed_the_plan(tmp_path, files):
    x, y, t = clustered(600, seed=4)
    path = write_events(tmp_path / "b.csv", x, y, t)
    toml = tmp_path / "local.toml"
    table = tmp_path / "knox.json"
    result = run(
        "calibrate", path, "--nrep", "99", "--seed", "1", "--write-settings", toml, "--json", table, "--lang", "en"
    )
    assert result.exit_code == 0, result.output
    settings = load_settings(toml)
    assert settings.extra["calibration"]["seed"] == 1 and settings.extra["calibration"]["n_events"] == len(x)
    data = json.loads(table.read_text())
    ratio, p = data["knox_ratio"], data["p_value"]
    # Days 0–7: 1–100 m (ratio 18.83, p 0.01) and 100–200 m (2.42, p 0.01) have a significant excess,
    # 200–300 m does not (p 0.11): the radius is the outer edge of 100–200 m.
    assert [round(ratio[r][0], 2) for r in (1, 2)] == [18.83, 2.42]
    assert [p[r][0] for r in (1, 2, 3)] == [0.01, 0.01, 0.11]
    # The Knox pattern reaches 200 m and days 0-6 (the band [0, 7)), and the screen says so, but the zones are the
    # police area's choice: the file keeps the zones and weights in force and adds the model.
    assert (
        "The Knox pattern reaches 200 m: high risk from the day of a burglary through day 6, elevated through "
        "day 6 (high_days = 6, elevated_days = 0)"
    ) in " ".join(result.output.split())
    assert "The zones stay as set (500 m, high_days = 14, elevated_days = 42)" in " ".join(result.output.split())
    assert settings.zones == Settings().zones and settings.ranking == Settings().ranking
    weights = np.array(settings.model.weights)
    assert settings.model.fitted_burglaries == len(x) and weights.shape == (8, 7)
    # The followers come 1-5 days after, about 40 m away: the first week within 100 m carries the most.
    assert weights[:3, 0].sum() > 0.5 * weights[:, :4].sum()
    assert f"[model]: the risk model fitted on {len(x)} burglaries" in toml.read_text(encoding="utf-8")
    assert "The model is in the settings file: cocoon plan --settings" in result.output
    b, h = files
    out = tmp_path / "plan"
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
        "--settings",
        toml,
        "--lang",
        "en",
    )
    assert result.exit_code == 0, result.output
    used = json.loads((out / "plan.json").read_text())["settings"]
    assert used["model"]["weights"] == [list(row) for row in settings.model.weights]
    visits = pd.read_csv(out / "visits.csv")
    assert (visits["score"] - visits["score_recent"] - visits["score_history"]).abs().max() < 0.2


def no_pattern(path: Path, n: int = 300) -> Path:
    """Burglaries scattered at random over 20 km and a year: no near-repeat pattern."""
    rng = np.random.default_rng(9)
    return write_events(path, rng.uniform(0, 20000, n), rng.uniform(0, 20000, n), rng.integers(0, 365, n))


def test_no_pattern_still_writes_a_model_and_says_it_finds_no_near_repeats(tmp_path):
    path = no_pattern(tmp_path / "b.csv")
    toml = tmp_path / "local.toml"
    result = run("calibrate", path, "--nrep", "19", "--seed", "1", "--write-settings", toml, "--lang", "en")
    assert result.exit_code == 0, result.output
    assert "Knox ratio (observed / expected pairs)" in result.output  # the table is always shown
    assert "No near-repeat band" not in result.output or "is not significant" in result.output
    assert "No near-repeat effect found" in result.output  # the model says so too
    written = load_settings(toml)
    assert written.zones == Settings().zones and written.ranking == Settings().ranking
    assert "calibration" in written.extra and written.model.weights
    assert "[zones] and [ranking] are the settings in force, unchanged" in toml.read_text(encoding="utf-8")


def test_a_small_sample_is_said_to_be_small(tmp_path):
    """16 burglaries in two tight clusters: the test runs, and says how little it rests on."""
    rng = np.random.default_rng(4)
    x = np.concatenate([rng.normal(0, 30, 8), rng.normal(5000, 30, 8)])
    y = np.concatenate([rng.normal(0, 30, 8), rng.normal(5000, 30, 8)])
    days = np.concatenate([rng.integers(0, 10, 8), rng.integers(200, 210, 8)])
    path = write_events(tmp_path / "b.csv", x, y, days)
    toml = tmp_path / "local.toml"
    result = run("calibrate", path, "--nrep", "99", "--seed", "1", "--write-settings", toml, "--lang", "en")
    assert result.exit_code == 0, result.output
    assert "Only 16 burglaries: below about 200 the test has little power" in result.output
    assert "cells have fewer than 10 expected pairs: too few to judge" in result.output


def test_a_cell_with_few_expected_pairs_gets_no_star_and_shapes_nothing():
    """Two pairs against 0.5 expected is a ratio of 4 with a small p: the NRC's rule alone would
    star it and stretch the zones to 200 m; with under 10 expected pairs it is not judged."""
    ratio = [
        [1.0, 1.0, 1.0, 1.0],
        [3.0, 1.0, 1.0, 1.0],  # 1-100 m: a real near repeat in week 1
        [4.0, 1.0, 1.0, 1.0],  # 100-200 m: 2 pairs against 0.5 expected
        [1.0, 1.0, 1.0, 1.0],
        [1.0, 1.0, 1.0, 1.0],
    ]
    p = np.where(np.array(ratio) > 1, 0.01, 0.5)
    result = fake_result(ratio, p)
    thin_mean = result.sim_mean.astype(float).copy()
    thin_mean[2, 0] = 0.5
    thin = replace(result, sim_mean=thin_mean, knox_ratio=np.array(ratio, dtype=float))
    assert thin.significant(min_expected=0)[2, 0]  # the NRC's rule alone
    assert not thin.significant()[2, 0] and thin.significant()[1, 0]
    assert suggest(thin).radius_m == 100.0
    assert suggest(result).radius_m == 200.0


def fake_result(ratio, p, sds=(0, 1, 100, 200, 300, math.inf), tds=(0, 7, 14, 21, math.inf)):
    ratio, p = np.array(ratio, dtype=float), np.array(p, dtype=float)
    mean = np.full(ratio.shape, 100.0)
    observed = np.round(ratio * mean).astype(np.int64)
    return KnoxResult(
        sds=tuple(map(float, sds)),
        tds=tuple(map(float, tds)),
        metric="euclidean",
        closed="left",
        nrep=99,
        simulations=99,
        seed=1,
        nrc=False,
        n_events=100,
        n_pairs=int(observed.sum()),
        observed=observed,
        sim_mean=mean,
        sim_median=mean,
        knox_ratio=observed / mean,
        knox_ratio_median=observed / mean,
        p_value=p,
    )


def test_verdict_and_suggestion_follow_the_significant_cells():
    ratio = [
        [3.0, 1.5, 1.0, 1.0],  # same location: 14 days
        [2.0, 1.6, 1.3, 1.0],  # 1-100 m: 21 days
        [1.5, 1.2, 1.0, 1.0],  # 100-200 m: 14 days
        [1.1, 1.0, 1.0, 1.0],  # 200-300 m: not significant
        [1.0, 1.0, 1.0, 1.0],
    ]
    p = [[0.01 if r >= 1.2 else 0.5 for r in row] for row in ratio]
    result = fake_result(ratio, p)
    lines = dict(verdict(result))
    assert lines["verdict.repeat"] == {"pct": 125, "days": 14.0}
    assert lines["verdict.near"] == {"distance": 200.0, "days": 14.0, "pct": 58}  # (200+160+150+120)/400
    s = suggest(result)
    # [a, b) bands: the band [7, 14) holds gaps 7-13, so the high phase is ages 0-13, the zone ends on day 20
    assert (s.radius_m, s.high_days, s.elevated_days) == (200.0, 13, 7)
    closed_right = suggest(replace(result, closed="right"))  # (7, 14] holds gaps 8-14
    assert (closed_right.high_days, closed_right.elevated_days) == (14, 7)
    # a significant excess below the NRC's 1.2 widens the zones and lengthens them, not the high-risk phase
    p[3][0], p[1][3], p[2][2] = 0.01, 0.01, 0.01  # 200-300 m at 1.1; 1-100 m at 21-28 d (1.0: no excess)
    ratio[2][2] = 1.1
    wider = suggest(fake_result(ratio, p))
    assert (wider.radius_m, wider.high_days, wider.elevated_days) == (300.0, 13, 7)
    assert dict(verdict(fake_result(ratio, p)))["verdict.near"]["distance"] == 200.0  # the verdict keeps the NRC rule
    none = fake_result(np.ones((5, 4)), np.full((5, 4), 0.5))
    assert suggest(none) is None and "verdict.none" in dict(verdict(none))


def test_same_seed_same_json(tmp_path):
    x, y, t = clustered(150)
    path = write_events(tmp_path / "b.csv", x, y, t)
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    assert run("calibrate", path, "--nrep", "29", "--seed", "5", "--json", a).exit_code == 0
    assert run("calibrate", path, "--nrep", "29", "--seed", "5", "--json", b).exit_code == 0
    first, second = json.loads(a.read_text()), json.loads(b.read_text())
    assert first["p_value"] == second["p_value"] and first["sim_mean"] == second["sim_mean"]


def test_the_fit_runs_beside_the_knox_test_when_both_fit_in_memory(tmp_path, monkeypatch):
    """Beside the test in a thread, or after it when the memory limit holds only one at a time:
    the same file either way."""
    x, y, t = clustered(150)
    path = write_events(tmp_path / "b.csv", x, y, t)
    in_main_thread = []
    fit_events = calibrate_job.fit_events

    def recorded(events, settings):
        in_main_thread.append(threading.current_thread() is threading.main_thread())
        return fit_events(events, settings)

    monkeypatch.setattr(calibrate_job, "fit_events", recorded)
    beside, after = tmp_path / "beside.json", tmp_path / "after.json"
    assert run("calibrate", path, "--nrep", "29", "--seed", "5", "--json", beside).exit_code == 0
    monkeypatch.setattr(calibrate_job, "limit_bytes", lambda memory_gb: 0.0)  # not both at once
    assert run("calibrate", path, "--nrep", "29", "--seed", "5", "--json", after).exit_code == 0
    assert in_main_thread == [False, True]
    assert beside.read_text() == after.read_text()


def test_library_and_command_agree_on_midpoint_days(tmp_path):
    x, y, t = clustered(100)
    rng = np.random.default_rng(8)
    # Windows of 1 to 4 days (odd and even lengths) reported with times of day: 08:00-11:59 to 13:00-23:59.
    width = rng.integers(0, 4, len(t))
    start = (
        pd.Timestamp("2025-01-01 08:00")
        + pd.to_timedelta(t, unit="D")
        + pd.to_timedelta(rng.integers(0, 240, len(t)), unit="min")
    )
    end = (
        start.normalize()
        + pd.to_timedelta(width, unit="D")
        + pd.to_timedelta(rng.integers(13 * 60, 24 * 60, len(t)), unit="min")
    )
    path = tmp_path / "b.csv"
    pd.DataFrame(
        {"x": x, "y": y, "from": start.strftime("%Y-%m-%d %H:%M"), "to": end.strftime("%Y-%m-%d %H:%M")}
    ).to_csv(path, index=False)
    out = tmp_path / "k.json"
    assert run("calibrate", path, "--nrep", "3", "--seed", "1", "--json", out).exit_code == 0
    observed = json.loads(out.read_text())["observed"]
    sds, tds = [0, 1, 100, 200, 300, 400, 500, math.inf], [0, 7, 14, 21, 28, 42, 56, math.inf]

    def table(days):
        return knox_test(x, y, days, sds=sds, tds=tds, nrep=3, seed=1).observed.tolist()

    # A window from day t to day t + w counts on day t + w // 2: 1-2 January on 1 January, 1-4 January on 2 January.
    assert observed == table(t + width // 2)
    # The data tell that rule from the others: the middle rounded up, the middle moment, the first and last day.
    middle_moment = ((start + (end - start) / 2).normalize() - pd.Timestamp("2025-01-01")).days.to_numpy()
    for other in (t + (width + 1) // 2, middle_moment, t, t + width):
        assert table(other) != observed


def test_a_backtest_of_calibrated_settings_knows_they_are_calibrated(tmp_path):
    """So that it never advises calibrating with the settings calibrate just wrote."""
    import datetime as dt

    from cocoon.jobs.backtest import BacktestRun, run_backtest_job
    from cocoon.settings import Settings, load_settings

    path = no_pattern(tmp_path / "b.csv")
    toml = tmp_path / "local.toml"
    assert run("calibrate", path, "--nrep", "19", "--seed", "1", "--write-settings", toml).exit_code == 0
    backtest = BacktestRun(burglaries=path, start=dt.date(2025, 7, 1), end=dt.date(2025, 12, 31))
    assert not run_backtest_job(Settings(language="en"), backtest).calibrated
    calibrated = replace(load_settings(toml), language="en")
    assert run_backtest_job(calibrated, replace(backtest, settings_file=toml)).calibrated


def test_nrc_screen_has_a_same_location_row(tmp_path):
    x, y, t = clustered(300, seed=2)
    path = write_events(tmp_path / "b.csv", np.round(x), np.round(y), t)
    result = run(
        "calibrate", path, "--nrc", "--sds", "0,200,400,600,inf", "--nrep", "20", "--seed", "1", "--lang", "en"
    )
    assert result.exit_code == 0, result.output
    rows = list(screen_table(result.output))
    assert rows == ["m \\ days", "same location", "1–200", "201–400", "401–600", "more than 600"]
