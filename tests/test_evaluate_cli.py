"""`cocoon evaluate --episodes`: an analyst's own table in, figures, verdict and pages out;
bad tables get an error naming the file, row and column."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from scipy.stats import binomtest

from cocoon.cli import main


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def baltimore(path):
    """Baltimore County's two-week counts (see tests/test_evaluation_stats.py for the source):
    1 follow-on in 122 treatment areas, 7 in 120 control areas."""
    rows = [
        {"episode_id": f"T{i}", "treated": "ja" if i % 2 else "1", "follow_on": int(i == 0), "household_days": 14}
        for i in range(122)
    ]
    rows += [
        {"episode_id": f"C{i}", "treated": "nej" if i % 2 else "false", "follow_on": int(i < 7), "household_days": 14}
        for i in range(120)
    ]
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def test_a_trial_table_gives_the_exact_figures_in_json_terminal_and_page(tmp_path):
    episodes = baltimore(tmp_path / "episodes.csv")
    result = run(
        "evaluate",
        "--episodes",
        episodes,
        "--randomised",
        "--json",
        tmp_path / "e.json",
        "--html",
        tmp_path / "e.html",
        "--lang",
        "en",
    )
    assert result.exit_code == 0, result.output
    figures = json.loads((tmp_path / "e.json").read_text())
    for key in (
        "rate_ratio",
        "ci_low",
        "ci_high",
        "p_value",
        "min_detectable_reduction",
        "verdict",
        "naive_rate_ratio",
        "n_episodes",
        "design",
    ):
        assert key in figures
    assert figures["n_episodes"] == 242 and figures["design"] == "randomised"
    assert figures["rate_ratio"] == pytest.approx((1 / 122) / (7 / 120))
    assert figures["p_value"] == pytest.approx(2 * binomtest(1, 8, 122 / 242, alternative="less").pvalue)
    assert figures["verdict"] == "underpowered" and figures["min_detectable_reduction"] > 0.9
    assert "Verdict: underpowered." in result.output
    assert "Episodes: 242 (122 served, 120 not served)." in result.output
    page = (tmp_path / "e.html").read_text()
    assert "Verdict: underpowered." in page and "data:image/png;base64," in page
    assert not re.search(r"""(src|href)=["']https?:""", page)  # opens offline


def test_an_observational_table_adjusts_for_numbers_and_categories(tmp_path):
    rng = np.random.default_rng(4)
    n = 1500
    prior = rng.poisson(2, n)
    month = rng.choice(["jan", "feb", "mar"], n)
    served = rng.uniform(size=n) < 1 / (1 + np.exp(-(prior - 2)))
    days = rng.uniform(500, 1500, n)
    follow = rng.poisson(days * 0.0008 * np.exp(0.4 * prior) * np.where(served, 0.6, 1.0))
    pd.DataFrame(
        {
            "episode_id": range(n),
            "treated": np.where(served, "yes", "no"),
            "follow_on": follow,
            "household_days": np.round(days, 1),
            "prior": prior,
            "month": month,
            "week": rng.integers(0, 40, n),
        }
    ).to_csv(tmp_path / "e.csv", index=False)
    result = run(
        "evaluate",
        "--episodes",
        tmp_path / "e.csv",
        "--adjust",
        "prior",
        "--adjust",
        "month",
        "--cluster",
        "week",
        "--json",
        tmp_path / "e.json",
        "--lang",
        "sv",
    )
    assert result.exit_code == 0, result.output
    figures = json.loads((tmp_path / "e.json").read_text())
    assert figures["design"] == "observational_adjusted" and figures["clusters"] == 40
    assert figures["adjusted_for"] == ["prior", "month"]
    names = [row["covariate"] for row in figures["balance"]]
    assert names[0] == "prior" and len(names) == 3 and all(n.startswith("month=") for n in names[1:])
    assert figures["ci_low"] < 0.6 < figures["ci_high"] and figures["naive_rate_ratio"] > 0.8
    assert "Kovariaternas balans" in result.output and "Urvalet syns" in result.output


def write(tmp_path, text):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("table", "args", "message"),
    [
        (
            "episode_id,treated,follow_on,household_days\n1,1,0,140\n2,0,1,-14\n",
            (),
            "bad.csv, row 3, column 'household_days': '-14': household-days must be more than 0",
        ),
        (
            "episode_id,treated,follow_on,household_days\n1,1,0.5,140\n2,0,1,14\n",
            (),
            "bad.csv, row 2, column 'follow_on': '0.5' is not a whole number",
        ),
        (
            "episode_id,treated,follow_on,household_days\n1,1,-1,140\n2,0,1,14\n",
            (),
            "bad.csv, row 2, column 'follow_on': '-1' is below 0",
        ),
        (
            "episode_id,treated,follow_on,household_days\n1,1,0,140\n2,0,1,14\n",
            ("--adjust", "prior"),
            "bad.csv: --adjust prior: the file has no such column"
            " (found: episode_id, treated, follow_on, household_days)",
        ),
        (
            "episode_id,treated,follow_on,household_days,prior\n1,1,0,140,2\n2,0,1,14,\n",
            ("--adjust", "prior"),
            "bad.csv, row 3, column 'prior': the cell is empty",
        ),
        (
            "episode_id,treated,follow_on,household_days\n1,1,0,140\n2,yes,1,14\n",
            (),
            "bad.csv, column 'treated': all 2 episodes are served",
        ),
        (
            "episode_id,treated,follow_on,household_days\n1,0,0,140\n2,nej,1,14\n",
            (),
            "bad.csv, column 'treated': none of the 2 episodes is served",
        ),
        (
            "episode_id,treated,follow_on,household_days\n1,maybe,0,140\n2,0,1,14\n",
            (),
            "bad.csv, row 2, column 'treated': 'maybe' is not served or not",
        ),
        ("episode_id,treated,follow_on\n1,1,0\n", (), "bad.csv: no column household_days."),
        ("episode_id,treated,follow_on,household_days\n1,1,0,140\n1,0,1,14\n", (), "bad.csv"),
    ],
)
def test_bad_tables_name_the_file_row_and_column(tmp_path, table, args, message):
    result = run("evaluate", "--episodes", write(tmp_path, table), *args, "--lang", "en")
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and message in result.output
    assert "Traceback" not in result.output


def test_neither_or_both_sources_is_an_error(tmp_path):
    result = run("evaluate", "--lang", "en")
    assert result.exit_code == 1 and "Give the episodes to judge" in result.output
    result = run(
        "evaluate", "--episodes", baltimore(tmp_path / "e.csv"), "--store", tmp_path / "s.sqlite", "--lang", "en"
    )
    assert result.exit_code == 1 and "not both" in result.output


def test_outputs_are_not_overwritten_without_asking(tmp_path):
    episodes = baltimore(tmp_path / "e.csv")
    (tmp_path / "e.json").write_text("{}")
    result = run("evaluate", "--episodes", episodes, "--json", tmp_path / "e.json", "--lang", "en")
    assert result.exit_code == 1 and (tmp_path / "e.json").read_text() == "{}"
    result = run("evaluate", "--episodes", episodes, "--json", tmp_path / "e.json", "--overwrite", "--lang", "en")
    assert result.exit_code == 0 and json.loads((tmp_path / "e.json").read_text())["n_episodes"] == 242


@pytest.mark.parametrize(
    ("column", "lang", "shown"),
    [
        ("calendar_month=07", "en", "Month: July"),
        ("calendar_month=07", "sv", "Månad: juli"),
        ("weekday=1", "sv", "Veckodag: måndag"),
        ("weekday=7", "en", "Weekday: Sunday"),
        ("weekday=?", "sv", "Veckodag: inte registrerad"),
        ("prior_rate", "sv", "Tidigare inbrott per hushåll (12 månader, log)"),
        ("reporting_delay_h", "sv", "Anmälningsfördröjning (timmar)"),
        # The analyst's own columns keep the names of the file.
        ("prior_burglaries", "sv", "prior_burglaries"),
        ("district=North", "sv", "district=North"),
    ],
)
def test_covariates_are_shown_by_their_names_in_the_language(column, lang, shown):
    from cocoon.publish.evaluation_report import covariate_label

    assert covariate_label(column, lang) == shown
