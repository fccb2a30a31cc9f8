"""The trial's headline adjusted for the strata of the allocation, and the rule that merges or
drops strata too sparse to adjust for."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import brentq

from cocoon.catalogue import text
from cocoon.evaluation.estimate import evaluate
from cocoon.evaluation.trial_adjustment import POOLED, stratum_levels
from cocoon.evaluation.trial_analysis import stratum_adjusted


def episodes_of(cells):
    """Episodes from (stratum, immediate?, follow-ons, household-days) cells, each cell split into
    episodes of one follow-on at most, spread over 8 weeks."""
    rows = []
    for stratum, immediate, follow_ons, days in cells:
        n = max(follow_ons, 2)
        for k in range(n):
            rows.append((stratum, immediate, int(k < follow_ons), days / n))
    frame = pd.DataFrame(rows, columns=["stratum", "treated", "follow_on", "household_days"])
    return frame.assign(week=[f"2026-W{k % 8:02d}" for k in range(len(frame))])


def common_ratio(cells):
    """The maximum-likelihood common rate ratio of a stratified Poisson comparison, from its
    conditional likelihood: in each stratum the immediate arm's share of the follow-ons is binomial
    with probability R e1 / (R e1 + e0); solved by root finding, apart from the model's code."""
    by = {}
    for stratum, immediate, y, e in cells:
        by.setdefault(stratum, {})[immediate] = (y, e)

    def score(log_r):
        r = np.exp(log_r)
        total = 0.0
        for arms in by.values():
            (y1, e1), (y0, e0) = arms[True], arms[False]
            total += y1 - (y1 + y0) * r * e1 / (r * e1 + e0)
        return total

    return float(np.exp(brentq(score, -5, 5)))


CELLS = [
    # stratum, immediate, follow-ons, household-days: each stratum's ratio is 0.5, but the immediate
    # arm has most of its exposure in the cold stratum, so the unadjusted ratio is far lower
    ("area A1, history 0", True, 20, 2000.0),
    ("area A1, history 0", False, 5, 250.0),
    ("area A2, history 3+", True, 2, 100.0),
    ("area A2, history 3+", False, 8, 200.0),
]


def test_the_headline_is_adjusted_for_the_strata_and_the_unadjusted_ratio_is_kept():
    episodes = episodes_of(CELLS)
    unadjusted = evaluate(episodes, adjust=[], clusters=episodes["week"].to_numpy(), randomised=True)
    main, levels, notes = stratum_adjusted(episodes, unadjusted)
    assert unadjusted.headline.rate_ratio == pytest.approx((22 / 2100) / (13 / 450))
    assert common_ratio(CELLS) == pytest.approx(0.5)
    assert main.headline.method == "model"
    assert main.headline.rate_ratio == pytest.approx(0.5, rel=1e-6)
    assert main.adjusted_for == ("stratum",) and main.design == "randomised"
    assert levels.own == ("area A1, history 0", "area A2, history 3+") and not levels.pooled and notes == []


def test_unequal_stratum_ratios_give_the_common_ratio_of_the_conditional_likelihood():
    cells = [
        ("s1", True, 12, 900.0),
        ("s1", False, 10, 400.0),
        ("s2", True, 3, 150.0),
        ("s2", False, 9, 300.0),
        ("s3", True, 6, 500.0),
        ("s3", False, 6, 450.0),
    ]
    episodes = episodes_of(cells)
    unadjusted = evaluate(episodes, adjust=[], clusters=episodes["week"].to_numpy(), randomised=True)
    main, _, _ = stratum_adjusted(episodes, unadjusted)
    assert main.headline.rate_ratio == pytest.approx(common_ratio(cells), rel=1e-6)


def test_a_stratum_with_one_arm_is_merged_and_a_merged_level_without_a_comparison_is_dropped():
    episodes = episodes_of([*CELLS, ("area B1, history 0", True, 1, 50.0)])
    levels = stratum_levels(episodes["stratum"], episodes["treated"].to_numpy(), episodes["follow_on"].to_numpy())
    assert levels.pooled == ("area B1, history 0",)
    # the merged level holds only immediate episodes: no comparison within it, so it is left out
    assert levels.dropped == 2 and levels.levels[episodes["stratum"] == "area B1, history 0"].isna().all()
    unadjusted = evaluate(episodes, adjust=[], clusters=episodes["week"].to_numpy(), randomised=True)
    main, _, notes = stratum_adjusted(episodes, unadjusted)
    assert main.n_episodes == len(episodes) - 2 and unadjusted.n_episodes == len(episodes)
    assert main.headline.rate_ratio == pytest.approx(0.5, rel=1e-6)
    assert [key for key, _ in notes] == ["trial.strata_pooled", "trial.strata_dropped"]
    for lang in ("en", "sv"):
        assert all(text(key, lang, **params) for key, params in notes)


def test_sparse_strata_are_pooled_into_one_level_when_it_holds_both_arms():
    cells = [
        *CELLS,
        ("area B1, history 0", True, 0, 40.0),
        ("area B2, history 0", False, 1, 60.0),
    ]
    episodes = episodes_of(cells)
    levels = stratum_levels(episodes["stratum"], episodes["treated"].to_numpy(), episodes["follow_on"].to_numpy())
    assert set(levels.pooled) == {"area B1, history 0", "area B2, history 0"} and levels.dropped == 0
    merged = episodes["stratum"].str.startswith("area B")
    assert (levels.levels[merged] == POOLED).all()
    assert levels.levels.nunique() == 3


def test_more_strata_than_the_follow_ons_carry_are_merged():
    # 6 follow-ons carry 2 levels (one per 5 follow-ons, at least 2): the largest stratum and the pooled rest
    cells = [(f"s{k}", arm, 1, 100.0 + 10 * k) for k in range(3) for arm in (True, False)]
    episodes = episodes_of(cells)
    levels = stratum_levels(episodes["stratum"], episodes["treated"].to_numpy(), episodes["follow_on"].to_numpy())
    assert levels.own == ("s0",) and levels.pooled == ("s1", "s2") and levels.adjusted


def test_no_adjustment_when_fewer_than_two_levels_are_left():
    cells = [("s1", True, 3, 300.0), ("s1", False, 4, 300.0), ("s2", True, 0, 100.0)]
    episodes = episodes_of(cells)
    unadjusted = evaluate(episodes, adjust=[], clusters=episodes["week"].to_numpy(), randomised=True)
    main, levels, notes = stratum_adjusted(episodes, unadjusted)
    assert main is unadjusted and not levels.adjusted
    assert notes == [("trial.strata_not_adjusted", {"strata": 2, "own": 1})]
    assert "Not adjusted for the strata: only 1 of 2 strata" in text(notes[0][0], "en", **notes[0][1])
    assert "Inte justerat för strata: bara 1 av 2 strata" in text(notes[0][0], "sv", **notes[0][1])
