"""``cocoon backtest``: hits by hand, against brute force, baselines at equal area, errors."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import shapely
from click.testing import CliRunner
from conftest import chicago_csv
from hypothesis import given, settings
from hypothesis import strategies as st

from cocoon.evidence.scoring import _hits_at, _ranks, run_backtest
from cocoon.cli import main
from cocoon.geo.grid import make_grid
from cocoon.settings import BacktestSettings, RankingSettings, ZoneSettings

KEYS = ["n_events_scored", "hits_high", "hits_zone", "hit_rate_high", "hit_rate_zone", "mean_area_share_high",
        "mean_area_share_zone", "pai_high", "pai_zone", "baselines"]
BOX = shapely.box(0, 0, 2000, 2000)


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def backtest(x, y, day, first, last, *, radius=100.0, high=3, elevated=4, area=BOX, cell=10.0, **kw):
    return run_backtest(np.array(x, dtype=float), np.array(y, dtype=float), np.array(day), first_day=first,
                        last_day=last, area=area, zones=ZoneSettings(radius, high, elevated),
                        ranking=RankingSettings(), settings=BacktestSettings(cell_m=cell), **kw)


def test_hand_built_hits():
    # history: a burglary at (1000, 1000) on day 0
    # day 2: one 50 m away (high-risk hit: 2 days later), one 500 m away (miss)
    # day 6: one 80 m away, 6 days after day 0 (zone hit, not high: high is 1..3 days) and 4 days after day 2's
    #        near one, which lies 30 m away (so also only a zone hit)
    # day 10: one 10 m from the first (10 days on: too late), 70 m from day 6's (4 days: zone, not high)
    x = [1000, 1050, 1500, 1080, 1010]
    y = [1000, 1000, 1000, 1000, 1000]
    day = [0, 2, 2, 6, 10]
    b = backtest(x, y, day, 1, 10)
    assert b.n_events_scored == 4
    assert b.hits_high == 1  # only the day-2 burglary 50 m away
    assert b.hits_zone == 3  # day 2 (50 m), day 6, day 10


def test_follow_on_counts_by_hand():
    x = [1000, 1050, 1300, 1010]
    y = [1000, 1000, 1000, 1000]
    day = [0, 1, 5, 20]
    b = backtest(x, y, day, 1, 20, radius=50)
    index = b.per_burglary["index"].tolist()
    near = dict(zip(index, b.per_burglary["within_200m_14d"].tolist()))
    far = dict(zip(index, b.per_burglary["within_500m_56d"].tolist()))
    # burglary 1 (day 1): day 5 is 250 m away (only the 500 m count); day 20 is 40 m away, 19 days on
    assert near[1] == 0 and far[1] == 2
    assert near[2] == 0 and far[2] == 1 and near[3] == 0 and far[3] == 0


def test_same_day_pairs_never_count():
    x = [0.0 + 1000, 1010, 1020]
    y = [1000.0, 1000, 1000]
    b = backtest(x, y, [0, 5, 5], 1, 5, radius=100, high=14, elevated=0)
    assert b.n_events_scored == 2
    assert b.hits_high == 2  # both are hits, from day 0 only
    b = backtest([1000.0, 1500, 1510], [1000.0, 1000, 1000], [0, 5, 5], 1, 5, radius=100, high=14, elevated=0)
    assert b.hits_high == 0  # the two day-5 burglaries 10 m apart do not hit each other


def brute_zone(x, y, day, first, last, radius, window, grid):
    """Hits and covered cells of the study area, by direct distance checks, day by day."""
    inside = np.flatnonzero(grid.inside)
    cx, cy = grid.centres(inside)
    hits, shares = 0, []
    for today in range(first, last + 1):
        recent = [(x[i], y[i]) for i in range(len(x)) if today - window <= day[i] <= today - 1]
        covered = np.zeros(len(inside), dtype=bool)
        for px, py in recent:
            covered |= np.hypot(cx - px, cy - py) <= radius
        shares.append(covered.mean())
        for i in range(len(x)):
            if day[i] == today and any(np.hypot(x[i] - px, y[i] - py) <= radius for px, py in recent):
                hits += 1
    return hits, float(np.mean(shares))


@settings(max_examples=25, deadline=None, derandomize=True)
@given(events=st.lists(st.tuples(st.integers(100, 900), st.integers(100, 900), st.integers(0, 20)), min_size=3,
                       max_size=30),
       radius=st.sampled_from([40.0, 75.0, 120.0]), high=st.integers(1, 5), elevated=st.integers(0, 6))
def test_zone_hits_and_areas_equal_brute_force(events, radius, high, elevated):
    x, y, day = (np.array(v) for v in zip(*events))
    x, y = x.astype(float), y.astype(float)
    if (day < 5).sum() == 0 or ((day >= 5) & (day <= 20)).sum() == 0:
        return
    area = shapely.box(0, 0, 1000, 1000)
    b = backtest(x, y, day, 5, 20, radius=radius, high=high, elevated=elevated, area=area, cell=20.0)
    grid = make_grid(area, 20.0, max(radius, 8 * 20.0, 450.0))
    hits, share = brute_zone(x, y, day, 5, 20, radius, high, grid)
    assert b.hits_high == hits and b.share_high.mean() == pytest.approx(share)
    hits, share = brute_zone(x, y, day, 5, 20, radius, high + elevated, grid)
    assert b.hits_zone == hits and b.share_zone.mean() == pytest.approx(share)


def test_ranks_and_ties_against_brute_force():
    rng = np.random.default_rng(3)
    surface = np.round(rng.uniform(0, 3, 500)) * (rng.uniform(size=500) > 0.5)
    inside = rng.uniform(size=500) > 0.2
    cells = rng.integers(0, 500, 40)
    greater, equal = _ranks(surface, inside, cells)
    values = surface[inside]
    assert greater.tolist() == [(values > surface[c]).sum() for c in cells]
    assert equal.tolist() == [(values == surface[c]).sum() for c in cells]
    # marking the top k cells: a cell tied at the cut-off counts as the share of the tied cells that fits
    assert _hits_at(np.array([2.0]), np.array([4.0]), np.array([3.0])).tolist() == [0.25]
    assert _hits_at(np.array([2.0]), np.array([4.0]), np.array([10.0])).tolist() == [1.0]
    assert _hits_at(np.array([5.0]), np.array([1.0]), np.array([3.0])).tolist() == [0.0]


def test_baselines_get_the_zones_area_and_a_hotspot_on_repeats_catches_them():
    rng = np.random.default_rng(2)
    n = 300
    x, y = rng.uniform(200, 1800, n), rng.uniform(200, 1800, n)
    day = rng.integers(0, 60, n)
    # a repeat address: burgled every 3 days
    x = np.concatenate([x, np.full(20, 905.0)])
    y = np.concatenate([y, np.full(20, 905.0)])
    day = np.concatenate([day, np.arange(0, 60, 3)])
    b = backtest(x, y, day, 30, 59, radius=100, high=7, elevated=7, cell=50.0)
    s = b.summary
    for values in b.baselines.values():
        assert values["mean_area_share"] == pytest.approx(s["mean_area_share_high"])
        assert values["at_zone_share"]["mean_area_share"] == pytest.approx(s["mean_area_share_zone"])
        assert 0 <= values["hit_rate"] <= 1 and values["pai"] == pytest.approx(values["hit_rate"] / s["mean_area_share_high"])
    assert s["pai_high"] == pytest.approx(s["hit_rate_high"] / s["mean_area_share_high"])
    curve = dict(b.curves["hotspot"])
    assert all(a <= b_ for a, b_ in zip(list(curve.values()), list(curve.values())[1:]))  # more area, more hits


@pytest.fixture()
def event_file(tmp_path):
    rng = np.random.default_rng(5)
    n = 400
    x, y = rng.uniform(0, 6000, n) + 500_000, rng.uniform(0, 6000, n) + 6_500_000
    days = pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 120, n), unit="D")
    path = tmp_path / "burglaries.csv"
    pd.DataFrame({"id": [f"B{i}" for i in range(n)], "x": x, "y": y, "date": days.strftime("%Y-%m-%d")}
                 ).to_csv(path, index=False)
    return path


def test_command_writes_json_plot_html_and_per_burglary(event_file, tmp_path):
    out = {k: tmp_path / f"bt.{k}" for k in ("json", "png", "html", "csv")}
    result = run("backtest", event_file, "--from", "2025-03-01", "--to", "2025-04-30", "--crs", "EPSG:3006",
                 "--json", out["json"], "--plot", out["png"], "--html", out["html"], "--per-burglary", out["csv"],
                 "--sweep-radius", "100,300", "--sweep-days", "7,28", "--lang", "en")
    assert result.exit_code == 0, result.output
    data = json.loads(out["json"].read_text())
    assert set(KEYS) <= set(data)
    assert set(data["baselines"]) == {"bowers_johnson", "kde", "hotspot", "ranking_model"}
    assert all({"hit_rate", "pai"} <= set(v) for v in data["baselines"].values())
    assert len(data["sweep"]) == 4 and data["metric_crs"].startswith("EPSG:3006")
    assert out["png"].read_bytes()[:4] == b"\x89PNG"
    page = out["html"].read_text()
    assert "Bowers-Johnson" in page and "https://" not in page
    per = pd.read_csv(out["csv"])
    assert len(per) == data["n_events_scored"] and per["burglary_id"].str.startswith("B").all()
    assert "At the area of the high-risk zones" in result.output and "PAI" in result.output


def test_swedish_output(event_file):
    result = run("backtest", event_file, "--from", "2025-03-01", "--to", "2025-03-31", "--lang", "sv")
    assert result.exit_code == 0, result.output
    assert "Utvärdering:" in result.output and "Träffandel" in result.output


@pytest.mark.parametrize("args,message", [
    (["--from", "2025-04-01", "--to", "2025-03-01"], "is after --to"),
    (["--from", "2026-01-01", "--to", "2026-02-01"], "No burglaries in the period"),
    (["--from", "2024-01-01", "--to", "2024-12-31"], "No burglaries in the period"),
    (["--from", "2025-01-01", "--to", "2025-02-01"], "No burglaries before --from"),
    (["--from", "2025-03-01", "--to", "2025-03-31", "--sweep-radius", "100,x"], "--sweep-radius"),
    (["--from", "2025-03-01", "--to", "2025-03-31", "--sweep-days", "0,7"], "--sweep-days"),
    (["--from", "March", "--to", "2025-03-31"], "--from"),
    (["--to", "2025-03-31"], "Missing option '--from'"),
])
def test_bad_input_is_a_clear_error(event_file, args, message):
    result = run("backtest", event_file, *args, "--lang", "en")
    assert result.exit_code != 0, result.output
    assert message in result.output and "Traceback" not in result.output


def test_too_few_events_is_a_clear_error(tmp_path):
    path = tmp_path / "one.csv"
    pd.DataFrame({"x": [500_000.0], "y": [6_500_000.0], "date": ["2025-01-01"]}).to_csv(path, index=False)
    result = run("backtest", path, "--from", "2025-01-01", "--to", "2025-01-31", "--lang", "en")
    assert result.exit_code == 1 and "at least 2 are needed" in result.output


def test_area_file_limits_the_study_area(event_file, tmp_path):
    import geopandas as gpd

    area = tmp_path / "area.geojson"
    gpd.GeoDataFrame(geometry=[shapely.box(500_000, 6_500_000, 503_000, 6_503_000)], crs="EPSG:3006").to_file(area)
    out = tmp_path / "a.json"
    result = run("backtest", event_file, "--from", "2025-03-01", "--to", "2025-04-30", "--crs", "EPSG:3006",
                 "--area", area, "--json", out, "--lang", "en")
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert data["area_km2"] == pytest.approx(9.0) and data["area"] == str(area)
    full = tmp_path / "f.json"
    assert run("backtest", event_file, "--from", "2025-03-01", "--to", "2025-04-30", "--crs", "EPSG:3006",
               "--json", full).exit_code == 0
    assert data["n_events_scored"] < json.loads(full.read_text())["n_events_scored"]




@pytest.fixture(scope="module")
def chicago_2015_2016():
    df = pd.read_csv(chicago_csv())
    day = pd.to_datetime(df["date_single"], format="%d/%m/%Y")
    keep = (day >= "2015-01-01") & (day <= "2016-12-31")
    x, y = df.loc[keep, "x"].to_numpy(), df.loc[keep, "y"].to_numpy()
    days = (day[keep] - pd.Timestamp("2015-01-01")).dt.days.to_numpy()
    return x, y, days, shapely.MultiPoint(np.column_stack([x, y])).convex_hull


@pytest.mark.parametrize("radius,days,share,zones,bj", [
    (500.0, 14, 0.29, 0.63, 0.67),
    (200.0, 14, 0.067, 0.22, 0.30),
    (200.0, 56, 0.20, 0.51, 0.55),
])
def test_chicago_2016_matches_the_independent_reference(chicago_2015_2016, radius, days, share, zones, bj):
    """The issue's table, measured with an independent script: area share, zone and Bowers-Johnson catches."""
    x, y, d, hull = chicago_2015_2016
    first, last = 365, 365 + 365  # 2016-01-01 .. 2016-12-31
    b = run_backtest(x, y, d, first_day=first, last_day=last, area=hull, zones=ZoneSettings(radius, days, 0),
                     ranking=RankingSettings(), settings=BacktestSettings())
    s = b.summary
    assert s["n_events_scored"] == 11_701
    assert s["mean_area_share_high"] == pytest.approx(share, abs=0.006)
    assert s["hit_rate_high"] == pytest.approx(zones, abs=0.006)
    assert b.baselines["bowers_johnson"]["hit_rate"] == pytest.approx(bj, abs=0.006)
