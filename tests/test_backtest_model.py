"""``cocoon backtest`` with a fitted model: the model against the baselines with week-block
intervals, a rolling origin, offset grids, and advice that fits what was run."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from test_fitting import SQUARE, simulate

from cocoon.cli import main
from cocoon.evidence.comparisons import BETTER, COMPARE_SHARES, SAME, WORSE, average_offsets, compare
from cocoon.evidence.fitting import fit_model
from cocoon.evidence.scoring import run_backtest
from cocoon.settings import BacktestSettings, RankingSettings, ZoneSettings

BASELINES = {"bowers_johnson", "kde", "hotspot", "default_model"}


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], env={"COLUMNS": "200"})


@pytest.fixture(scope="module")
def events():
    """Two years of a known self-exciting process: about 4 burglaries a day over 64 km2."""
    return simulate(np.random.default_rng(11), days=730, per_day=4.0)


@pytest.fixture(scope="module")
def burglary_file(tmp_path_factory, events):
    x, y, t = events
    path = tmp_path_factory.mktemp("model") / "burglaries.csv"
    days = pd.Timestamp("2024-01-01") + pd.to_timedelta(t, unit="D")
    pd.DataFrame({"x": x, "y": y, "date": days.strftime("%Y-%m-%d")}).to_csv(path, index=False)
    return path


def score(x, y, t, models, shift=0.0):
    return run_backtest(
        x + shift,
        y + shift,
        t,
        first_day=365,
        last_day=729,
        area=replace_area(shift),
        zones=ZoneSettings(),
        ranking=RankingSettings(),
        settings=BacktestSettings(),
        models=models,
    )


def replace_area(shift):
    import shapely.affinity

    return shapely.affinity.translate(SQUARE, shift, shift)


def test_a_fitted_model_beats_the_defaults_out_of_sample_and_says_so(events):
    x, y, t = events
    fit = fit_model(x, y, t, first_day=0, last_day=364, area=SQUARE)  # the first year only
    backtest = score(x, y, t, [(365, fit.model)])
    assert set(backtest.curves) == BASELINES | {"ranking_model"}
    comparisons = compare(backtest)
    assert {c.baseline for c in comparisons} == BASELINES
    assert sorted({c.share for c in comparisons}) == list(COMPARE_SHARES)
    for c in comparisons:
        assert c.low <= c.difference <= c.high
        assert c.verdict == (BETTER if c.low > 0 else WORSE if c.high < 0 else SAME)
    against_defaults = [c.verdict for c in comparisons if c.baseline == "default_model"]
    assert WORSE not in against_defaults and against_defaults.count(BETTER) >= 3


def test_the_same_method_is_indistinguishable_from_itself(events):
    x, y, t = events
    backtest = score(x, y, t, [])
    same = replace(backtest, event_hits={**backtest.event_hits, "kde": backtest.event_hits["ranking_model"]})
    verdicts = {c.verdict for c in compare(same) if c.baseline == "kde"}
    assert verdicts == {SAME}


def test_moving_the_grid_by_less_than_a_cell_never_turns_better_into_worse(events):
    x, y, t = events
    fit = fit_model(x, y, t, first_day=0, last_day=364, area=SQUARE)
    runs = [score(x, y, t, [(365, fit.model)], shift=s) for s in (0.0, 17.0, 33.0)]
    verdicts = [{(c.baseline, c.share): c.verdict for c in compare(b)} for b in runs]
    for key in verdicts[0]:
        seen = {v[key] for v in verdicts}
        assert not {BETTER, WORSE} <= seen, (key, seen)
    averaged = average_offsets(runs)
    assert averaged.event_hits["ranking_model"].shape == runs[0].event_hits["ranking_model"].shape
    mean = np.mean([r.curves["kde"][3][1] for r in runs])
    assert averaged.curves["kde"][3][1] == pytest.approx(mean, rel=1e-9)


def test_calibrate_then_backtest_on_later_burglaries(tmp_path, burglary_file):
    toml, out = tmp_path / "s.toml", tmp_path / "b.json"
    result = run(
        "calibrate",
        burglary_file,
        "--from",
        "2024-01-01",
        "--to",
        "2024-12-30",
        "--nrep",
        "19",
        "--seed",
        "1",
        "--write-settings",
        toml,
        "--lang",
        "en",
    )
    assert result.exit_code == 0, result.output
    result = run(
        "backtest",
        burglary_file,
        "--from",
        "2024-12-31",
        "--to",
        "2025-12-30",
        "--settings",
        toml,
        "--json",
        out,
        "--html",
        tmp_path / "b.html",
        "--lang",
        "en",
    )
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert data["ranking_model"]["source"] == "settings"
    assert {c["baseline"] for c in data["comparisons"]} == BASELINES
    assert {c["share"] for c in data["comparisons"]} == set(COMPARE_SHARES)
    for key in ("bowers_johnson", "kde", "hotspot", "ranking_model", "default_model"):
        assert [round(s, 3) for s, _ in data["curves"][key]][:3] == [0.005, 0.01, 0.02]
    assert "The calibrated model against the published defaults" in result.output
    assert "cocoon calibrate" not in result.output  # no advice to run what was just run
    page = (tmp_path / "b.html").read_text()
    assert "The ranking model against each method" in page and "better" in page
    assert "The calibrated model against the published defaults" in page
    assert "cocoon calibrate" not in page


def test_rolling_origin_refits_before_each_block(tmp_path, burglary_file):
    out = tmp_path / "r.json"
    result = run(
        "backtest",
        burglary_file,
        "--from",
        "2024-12-31",
        "--to",
        "2025-06-30",
        "--refit-every",
        "13w",
        "--grid-offsets",
        "2",
        "--json",
        out,
        "--lang",
        "en",
    )
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert data["ranking_model"] == {"source": "refit", "grid_offsets": 2, "refit_every_days": 91}
    assert "The refitted model against the published defaults" in result.output
    assert "Averaged over 2 grids" in result.output


def test_refit_is_not_used_with_a_fitted_model_and_bad_periods_are_refused(tmp_path, burglary_file):
    toml = tmp_path / "s.toml"
    assert run("calibrate", burglary_file, "--to", "2024-12-30", "--nrep", "9", "--write-settings", toml).exit_code == 0
    result = run(
        "backtest",
        burglary_file,
        "--from",
        "2025-01-01",
        "--to",
        "2025-02-28",
        "--settings",
        toml,
        "--refit-every",
        "8w",
        "--lang",
        "en",
    )
    assert result.exit_code == 0, result.output
    assert "--refit-every is not used: the settings file holds a fitted model" in result.output
    for bad in ("0w", "eight", "-3d"):
        result = run(
            "backtest",
            burglary_file,
            "--from",
            "2025-01-01",
            "--to",
            "2025-02-28",
            "--refit-every",
            bad,
            "--lang",
            "en",
        )
        assert result.exit_code == 1 and f"--refit-every: '{bad}' is not a period" in result.output
