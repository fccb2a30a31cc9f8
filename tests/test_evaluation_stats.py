"""The statistics of `cocoon evaluate`, checked against numbers derived independently: by hand,
from scipy's own binomial test, by direct maximisation of the likelihood, by simulation, and a
published trial's counts."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import minimize
from scipy.stats import binom, binomtest, norm

from cocoon.evaluation.balance import balance_table, covariate_columns, propensity_weights
from cocoon.evaluation.covariates import prior_rate, with_store_covariates
from cocoon.evaluation.episodes import ZoneHouseholds, build_episodes
from cocoon.evaluation.estimate import RANDOMISED, UNADJUSTED, Estimate, evaluate, verdict_of
from cocoon.evaluation.poisson import fit_poisson
from cocoon.evaluation.rates import exact_rate_ratio, minimum_detectable_reduction


def test_exact_interval_and_p_value_of_a_hand_computed_table():
    # 2 follow-ons in the served zones, 8 in the others, 1,000 household-days each. Given the 10,
    # the served count is Bin(10, 1/2) when nothing works: P(X <= 2) = (1 + 10 + 45) / 1024, so
    # the two-sided p-value is 112 / 1024 = 0.109375.
    result = exact_rate_ratio(2, 1000, 8, 1000)
    assert result.rate_ratio == pytest.approx(0.25)
    assert result.p_value == pytest.approx(112 / 1024, abs=1e-12)
    assert result.p_value == pytest.approx(binomtest(2, 10, 0.5).pvalue, abs=1e-12)
    # The Clopper-Pearson bounds of the share p are where each tail is 2.5 %: P(X >= 2 | p_low)
    # = 0.025 and P(X <= 2 | p_high) = 0.025; the ratio is p / (1 - p) at equal exposure.
    p_low, p_high = result.ci_low / (1 + result.ci_low), result.ci_high / (1 + result.ci_high)
    assert binom.sf(1, 10, p_low) == pytest.approx(0.025, abs=1e-9)
    assert binom.cdf(2, 10, p_high) == pytest.approx(0.025, abs=1e-9)
    scipy_ci = binomtest(2, 10, 0.5).proportion_ci(confidence_level=0.95, method="exact")
    assert p_low == pytest.approx(0.0252107, abs=1e-6) and p_low == pytest.approx(scipy_ci.low, abs=1e-9)
    assert p_high == pytest.approx(0.5560955, abs=1e-6) and p_high == pytest.approx(scipy_ci.high, abs=1e-9)


def test_exact_test_with_unequal_exposure_matches_the_binomial_tails():
    # 1 follow-on over 1,708 household-days against 7 over 1,680: p0 = 1708 / 3388 = 0.504132,
    # P(X <= 1) = (1 - p0)^8 + 8 p0 (1 - p0)^7 = 0.033385, so p = 0.066771.
    result = exact_rate_ratio(1, 1708, 7, 1680)
    p0 = 1708 / 3388
    lower_tail = (1 - p0) ** 8 + 8 * p0 * (1 - p0) ** 7
    assert lower_tail == pytest.approx(0.033385, abs=1e-6)
    assert result.p_value == pytest.approx(2 * lower_tail, abs=1e-12)
    assert result.p_value == pytest.approx(2 * binomtest(1, 8, p0, alternative="less").pvalue, abs=1e-12)
    assert result.rate_ratio == pytest.approx((1 / 1708) / (7 / 1680))
    # The interval and the p-value agree: 1 is inside and p > 0.05.
    assert result.ci_low < 1 < result.ci_high and result.p_value > 0.05


@pytest.mark.parametrize(("y1", "y0", "ratio"), [(0, 0, math.nan), (3, 0, math.inf), (0, 4, 0.0)])
def test_exact_rate_ratio_at_the_edges(y1, y0, ratio):
    result = exact_rate_ratio(y1, 100.0, y0, 100.0)
    assert (math.isnan(result.rate_ratio) and math.isnan(ratio)) or result.rate_ratio == ratio
    if y1 == 0:
        assert result.ci_low == 0.0
    if y0 == 0:
        assert result.ci_high == math.inf


def test_minimum_detectable_reduction_by_hand_and_by_simulation():
    # Equal exposure, mu expected control follow-ons: a 50 % reduction is detectable when
    # log 2 = 2.8016 sqrt(1 / (0.5 mu) + 1 / mu), i.e. mu = 3 (2.8016 / log 2)^2 = 49.01.
    z = norm.ppf(0.975) + norm.ppf(0.8)
    mu = 3 * (z / math.log(2)) ** 2
    assert mu == pytest.approx(49.01, abs=0.01)
    assert minimum_detectable_reduction(mu / 1000, 1000, 1000) == pytest.approx(0.5, abs=1e-6)
    # Fewer follow-ons, larger reduction needed; a design effect of 2 needs twice the data.
    assert minimum_detectable_reduction(10 / 1000, 1000, 1000) > 0.5
    assert minimum_detectable_reduction(2 * mu / 1000, 1000, 1000, design_effect=2) == pytest.approx(0.5, abs=1e-6)
    assert minimum_detectable_reduction(0.0, 1000, 1000) == 1.0
    # The exact test run on simulated arms with that reduction rejects about 80 % of the time.
    rng = np.random.default_rng(7)
    mdr = minimum_detectable_reduction(100 / 1000, 1000, 1000)
    hits = [
        exact_rate_ratio(rng.poisson(100 * (1 - mdr)), 1000, rng.poisson(100), 1000).ci_high < 1 for _ in range(2000)
    ]
    assert 0.75 <= np.mean(hits) <= 0.85


def test_poisson_two_groups_gives_the_naive_ratio_and_the_closed_form_cluster_variance():
    rng = np.random.default_rng(3)
    n = 200
    treated = rng.integers(0, 2, n).astype(float)
    exposure = rng.uniform(200, 2000, n)
    y = rng.poisson(exposure * 0.002 * np.where(treated > 0, 0.7, 1.0))
    week = rng.integers(0, 25, n)
    X = np.column_stack([np.ones(n), treated])
    fit = fit_poisson(y, X, exposure, clusters=week, names=("intercept", "treated"))
    t = treated > 0
    naive = (y[t].sum() / exposure[t].sum()) / (y[~t].sum() / exposure[~t].sum())
    assert math.exp(fit.estimate("treated")) == pytest.approx(naive, rel=1e-8)
    # With only arms, log RR's robust variance is c * sum_g (r1g / M1 - r0g / M0)^2, r the
    # residuals of each arm in cluster g, M the arm's expected total (= its observed total).
    m1, m0 = y[t].sum(), y[~t].sum()
    r = y - exposure * np.where(t, m1 / exposure[t].sum(), m0 / exposure[~t].sum())
    terms = [(r[(week == g) & t].sum() / m1 - r[(week == g) & ~t].sum() / m0) ** 2 for g in np.unique(week)]
    groups = len(np.unique(week))
    c = groups / (groups - 1) * (n - 1) / (n - 2)
    assert fit.robust_se("treated") ** 2 == pytest.approx(c * sum(terms), rel=1e-8)
    assert fit.model_se("treated") ** 2 == pytest.approx(1 / m1 + 1 / m0, rel=1e-8)


def test_poisson_with_covariates_matches_direct_maximisation_of_the_likelihood():
    rng = np.random.default_rng(5)
    n = 300
    x1 = rng.normal(size=n)
    x2 = rng.integers(0, 2, n).astype(float)
    treated = (rng.uniform(size=n) < 1 / (1 + np.exp(-x1))).astype(float)
    exposure = rng.uniform(100, 1000, n)
    y = rng.poisson(exposure * 0.003 * np.exp(-0.4 * treated + 0.5 * x1 - 0.3 * x2))
    X = np.column_stack([np.ones(n), treated, x1, x2])
    fit = fit_poisson(y, X, exposure)

    def negative_loglik(b):
        eta = np.log(exposure) + X @ b
        return float(np.exp(eta).sum() - (y * eta).sum())

    direct = minimize(negative_loglik, np.zeros(4), method="BFGS", options={"gtol": 1e-10})
    assert fit.converged
    np.testing.assert_allclose(fit.coefficients, direct.x, atol=1e-4)


def test_balance_table_and_propensity_weights():
    # Served zones had 2, 4 prior burglaries; the others 0, 0, 2, 2. Means 3 and 1, population
    # variances 1 and 1, so SMD = (3 - 1) / sqrt((1 + 1) / 2) = 2.
    frame = pd.DataFrame({"prior": [2.0, 4.0, 0.0, 0.0, 2.0, 2.0]})
    treated = np.array([True, True, False, False, False, False])
    columns = covariate_columns(frame, ["prior"], set())
    [row] = balance_table(columns, treated)
    assert row["treated_mean"] == 3 and row["control_mean"] == 1 and row["smd"] == pytest.approx(2.0)
    # One binary covariate: the logistic model is saturated, so the weights make the control
    # arm's share of "busy" zones exactly the served arm's.
    rng = np.random.default_rng(2)
    busy = rng.integers(0, 2, 400)
    served = rng.uniform(size=400) < np.where(busy > 0, 0.7, 0.3)
    frame = pd.DataFrame({"busy": np.where(busy > 0, "yes", "no")})
    columns = covariate_columns(frame, ["busy"], {"busy"})
    weights = propensity_weights(columns, served)
    [row] = balance_table(columns, served, weights)
    assert abs(row["smd"]) > 0.5
    assert row["weighted_smd"] == pytest.approx(0.0, abs=1e-6)


@pytest.mark.parametrize(
    ("low", "high", "mdr", "verdict"),
    [
        (0.3, 0.9, 0.4, "reduced"),
        (0.5, 1.2, 0.4, "no_difference"),
        (1.1, 2.0, 0.4, "increased"),
        (0.3, 0.9, 0.6, "underpowered"),
    ],
)
def test_verdict(low, high, mdr, verdict):
    assert verdict_of(Estimate("exact", (low + high) / 2, low, high, 0.01), mdr) == verdict


def trial_episodes(
    treated_zones: int, treated_follow_ons: int, control_zones: int, control_follow_ons: int
) -> pd.DataFrame:
    """One episode per zone, 14 days each; each follow-on in a zone of its own."""
    treated = [1] * treated_zones + [0] * control_zones
    follow = (
        [1] * treated_follow_ons
        + [0] * (treated_zones - treated_follow_ons)
        + [1] * control_follow_ons
        + [0] * (control_zones - control_follow_ons)
    )
    return pd.DataFrame(
        {
            "episode_id": range(len(treated)),
            "treated": np.array(treated, dtype=bool),
            "follow_on": follow,
            "household_days": 14.0,
        }
    )


def test_a_published_trial_is_reproduced_and_found_underpowered():
    # Amendola, Taniguchi & Groff (2018), "Interrupting 'Near Repeat' Burglary Patterns: Rapid
    # Identification and Interaction with At-Risk Residents After a Burglary", research brief,
    # Police Foundation (https://www.policefoundation.org/publication/interrupting-near-repeat-
    # burglary-patterns-rapid-identification-and-interaction-with-at-risk-residents-after-a-burglary/):
    # "In Baltimore County, only 7 follow-on burglaries occurred in the 120 control areas and
    # only 1 occurred in the 122 treatment areas in the 2 weeks after the originator burglary
    # [...] the difference [...] approached statistical significance (p=.08)". In Redlands:
    # 3 in the 65 control areas, 1 in the 68 treatment areas.
    baltimore = evaluate(trial_episodes(122, 1, 120, 7), randomised=True)
    assert baltimore.design == RANDOMISED and baltimore.n_episodes == 242
    assert baltimore.naive.rate_ratio == pytest.approx((1 / 122) / (7 / 120))
    # The exact conditional test: p0 = 122 / 242, P(X <= 1 of 8) doubled.
    p0 = 122 / 242
    assert baltimore.headline.p_value == pytest.approx(2 * binomtest(1, 8, p0, alternative="less").pvalue)
    assert 0.05 < baltimore.headline.p_value < 0.1  # as close to significance as the trial's t test (0.08)
    assert baltimore.headline.ci_low < 1 < baltimore.headline.ci_high
    # 8 follow-ons could only have shown a reduction of nearly everything: underpowered.
    assert baltimore.min_detectable_reduction > 0.9 and baltimore.verdict == "underpowered"
    redlands = evaluate(trial_episodes(68, 1, 65, 3), randomised=True)
    assert redlands.headline.p_value == pytest.approx(2 * binomtest(1, 4, 68 / 133, alternative="less").pvalue)
    assert redlands.verdict == "underpowered"
    keys = {key for key, _ in baltimore.pitfalls}
    assert "evaluate.pitfall_small_counts" in keys and "evaluate.pitfall_selection" not in keys
    # The same counts over 20 times as many zones would have been enough to tell.
    bigger = evaluate(trial_episodes(2440, 20, 2400, 140), randomised=True)
    assert bigger.verdict == "reduced" and bigger.min_detectable_reduction < 0.5


def test_adjusting_for_what_drives_both_removes_the_selection_bias():
    """Hot zones are served first and have more follow-ons: the naive ratio says serving does
    harm; the adjusted one finds the true 0.6."""
    rng = np.random.default_rng(13)
    n = 3000
    prior = rng.poisson(3, n)
    served = rng.uniform(size=n) < 1 / (1 + np.exp(-(prior - 3)))
    exposure = rng.uniform(500, 1500, n)
    y = rng.poisson(exposure * 0.0005 * np.exp(0.35 * prior) * np.where(served, 0.6, 1.0))
    frame = pd.DataFrame({"treated": served, "follow_on": y, "household_days": exposure, "prior": prior})
    result = evaluate(frame, adjust=["prior"])
    assert result.naive.rate_ratio > 0.9
    assert result.headline.method == "model" and result.headline.ci_low < 0.6 < result.headline.ci_high
    assert result.weighted is not None and result.weighted.ci_low < 0.6 < result.weighted.ci_high
    assert result.verdict == "reduced"
    assert result.difference_per_100 < 0 and result.zones_per_prevented == pytest.approx(
        100 / -result.difference_per_100
    )
    keys = {key for key, _ in result.pitfalls}
    assert {"evaluate.pitfall_selection_shown", "evaluate.pitfall_imbalance"} <= keys
    unadjusted = evaluate(frame)
    assert unadjusted.design == UNADJUSTED and unadjusted.headline.method == "exact"
    assert "evaluate.pitfall_selection_unadjusted" in {key for key, _ in unadjusted.pitfalls}


def test_absolute_difference_per_100_zones_by_hand():
    # 100 served zones with 10 follow-ons, 100 others with 20, 1,000 household-days each zone:
    # ratio 0.5; the served zones would have had 10 / 0.5 = 20, so 10 fewer per 100 zones, and
    # 10 zones to visit per burglary prevented.
    frame = trial_episodes(100, 10, 100, 20).assign(household_days=1000.0)
    result = evaluate(frame, randomised=True)
    assert result.headline.rate_ratio == pytest.approx(0.5)
    assert result.difference_per_100 == pytest.approx(-10.0)
    assert result.zones_per_prevented == pytest.approx(10.0)
    assert result.difference_low < result.difference_per_100 < result.difference_high


def test_the_model_interval_uses_student_t_with_one_degree_of_freedom_fewer_than_clusters():
    # Five weeks: the robust error is estimated from five scores, so the 95 % interval is
    # b +- t(0.975, 4) se, t(0.975, 4) = 2.776445 (the tables), not 1.96; the p-value is the
    # t tail with 4 degrees of freedom, F(t) = 1/2 + 3/8 u (1 - t^2 / (12 a)), a = 1 + t^2 / 4,
    # u = t / sqrt(a) (the closed form for 4 degrees of freedom).
    rng = np.random.default_rng(11)
    n = 400
    x = rng.normal(size=n)
    treated = rng.uniform(size=n) < 1 / (1 + np.exp(-x))
    exposure = rng.uniform(500, 1500, n)
    week = rng.integers(0, 5, n)
    y = rng.poisson(exposure * 0.002 * np.exp(0.4 * x) * np.where(treated, 0.7, 1.0))
    frame = pd.DataFrame({"treated": treated, "follow_on": y, "household_days": exposure, "x": x})
    result = evaluate(frame, adjust=["x"], clusters=week)
    fit = fit_poisson(
        y, np.column_stack([np.ones(n), treated, x]), exposure, clusters=week, names=("intercept", "treated", "x")
    )
    b, se = fit.estimate("treated"), fit.robust_se("treated")
    model = result.model
    assert model is not None and result.headline is model and result.clusters == 5
    assert model.rate_ratio == pytest.approx(math.exp(b), rel=1e-9)
    assert model.ci_low == pytest.approx(math.exp(b - 2.7764451 * se), rel=1e-7)
    assert model.ci_high == pytest.approx(math.exp(b + 2.7764451 * se), rel=1e-7)
    t = abs(b / se)
    a = 1 + t * t / 4
    cdf = 0.5 + 3 / 8 * (t / math.sqrt(a)) * (1 - t * t / (12 * a))
    assert model.p_value == pytest.approx(2 * (1 - cdf), rel=1e-7)


def test_earlier_burglaries_per_household_and_the_calendar_covariates():
    # 3 burglaries among 40 households is a hotter zone than 3 among 160: log(3.5 / 40) against
    # log(3.5 / 160), four times (log 4 = 1.386) apart; none among 100 is log(0.005) = -5.298.
    rates = prior_rate(np.array([3, 3, 0]), np.array([40, 160, 100]))
    assert rates == pytest.approx([math.log(3.5 / 40), math.log(3.5 / 160), -5.298317], abs=1e-6)
    assert rates[0] - rates[1] == pytest.approx(math.log(4))
    kept = pd.DataFrame(
        {
            "prior_12m": [3, 0],
            "households": [40, 100],
            "month": ["2026-07", "2025-12"],
            "weekday": [7, None],
            "reporting_delay_h": [2.0, 30.0],
        }
    )
    columns = with_store_covariates(kept)
    assert columns["calendar_month"].tolist() == ["07", "12"]
    assert columns["weekday"].tolist() == ["7", "?"]  # an episode kept before the weekday was
    assert columns["log_households"].tolist() == pytest.approx([math.log(40), math.log(100)])


def test_episodes_carry_the_month_and_the_iso_weekday_of_the_report():
    # 2026-01-01 was a Thursday: 5 January a Monday (1), 8 March a Sunday (7).
    reported = pd.to_datetime(["2026-01-05 10:00", "2026-03-08 23:30", "2026-03-09 08:00"])
    burglaries = pd.DataFrame(
        {
            "burglary_id": ["a", "b", "c"],
            "reported": reported,
            "first_time": reported - pd.Timedelta(hours=5),
            "x": [0.0, 5000.0, 9000.0],
            "y": [0.0, 0.0, 0.0],
            "address": ["", "", ""],
        }
    )
    zones = ZoneHouseholds(households=pd.Series({"a": 50, "b": 80}), radius_m=pd.Series({"a": 400.0, "b": 400.0}))
    episodes = build_episodes(burglaries, zones, data_end=pd.Timestamp("2026-06-01"))
    assert episodes["burglary_id"].tolist() == ["a", "b"]
    assert episodes["weekday"].tolist() == [1, 7]
    assert episodes["month"].tolist() == ["2026-01", "2026-03"]
    assert episodes["reporting_delay_h"].tolist() == [5.0, 5.0]
