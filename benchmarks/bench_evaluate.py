"""Does `cocoon evaluate` find a known effect of cocooning, and say so only when it is there?

    python benchmarks/bench_evaluate.py [--runs 500]

Each run simulates one police area's year of episodes. A zone's follow-on burglaries in days
1–14 come from its background rate (hot zones have more: a log-normal spread) plus the
near-repeat triggering of its originating burglary; cocooning delivered within 48 hours
multiplies the triggering by 0.6. Selection is realistic: hot zones are served first (the
chance of being served rises with the background), and the analyst sees the zone's burglaries
of the previous 12 months, a noisy measure of the background, and adjusts for them per
household as the store's comparison does (:mod:`cocoon.evaluation.covariates`). Follow-ons of nearby zones are
shared within the week (a common weekly shock), so the episodes are clustered by week.

The truth of a run is the ratio of the served zones' expected follow-ons to what they would have
had unserved (known from the simulation). Printed beside the naive (unadjusted) estimate of the
same runs: the adjusted rate ratio's mean and its 95 % interval's coverage of the truth; with no
effect, how often the verdict is `reduced`; and with few data, how often it is `underpowered`.
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np
import pandas as pd
from results import Results, json_option

from cocoon.evaluation.covariates import PRIOR_RATE, prior_rate
from cocoon.evaluation.estimate import evaluate

COVARIATES = [PRIOR_RATE]
"""What the store adjusts for that this simulation has: the zone's burglaries of the previous 12
months per household (log scale). Its other covariates (month, weekday, reporting delay) play
no part here, and the zone's size drives neither delivery nor the follow-ons' rate."""


def simulate(
    rng: np.random.Generator, *, zones: int, effect: float, triggering: float = 0.00012, weeks: int = 52
) -> tuple[pd.DataFrame, float]:
    households = rng.integers(40, 160, zones)
    background = 0.00004 * rng.lognormal(0.0, 0.8, zones)  # per household-day
    prior = rng.poisson(background * households * 365)  # the zone's burglaries in the previous 12 months
    # Hot zones first: the officers see the zone's recent burglaries, and go where there were more.
    served = rng.uniform(size=zones) < 1 / (1 + np.exp(-(np.log1p(prior) - 1.0) * 2.0))
    exposure = households * 14.0
    week = rng.integers(0, weeks, zones)
    shock = rng.gamma(4.0, 0.25, weeks)[week]  # shared within the week
    trig = triggering * np.where(served, effect, 1.0)
    mean = exposure * (background + trig) * shock
    follow = rng.poisson(mean)
    t = served
    truth = float(
        (exposure[t] * (background[t] + triggering * effect)).sum() / (exposure[t] * (background[t] + triggering)).sum()
    )
    frame = pd.DataFrame(
        {"treated": served, "follow_on": follow, "household_days": exposure, PRIOR_RATE: prior_rate(prior, households)}
    )
    frame.attrs["week"] = week
    return frame, truth


def scenario(runs: int, *, zones: int, effect: float, seed: int) -> dict[str, float]:
    rng = np.random.default_rng(seed)
    adjusted, naive, weighted, covered, naive_covered, weighted_covered, verdicts, truths = [], [], [], 0, 0, 0, [], []
    for _ in range(runs):
        frame, truth = simulate(rng, zones=zones, effect=effect)
        if frame["treated"].all() or not frame["treated"].any():
            continue
        result = evaluate(frame, adjust=COVARIATES, clusters=frame.attrs["week"])
        h, n = result.headline, result.naive
        truths.append(truth)
        adjusted.append(h.rate_ratio)
        naive.append(n.rate_ratio)
        covered += int(h.ci_low <= truth <= h.ci_high)
        naive_covered += int(n.ci_low <= truth <= n.ci_high)
        w = result.weighted
        if w is not None:
            weighted.append(w.rate_ratio)
            weighted_covered += int(w.ci_low <= truth <= w.ci_high)
        verdicts.append(result.verdict)
    done = len(truths)
    finite = [v for v in adjusted if math.isfinite(v)]
    return {
        "runs": done,
        "truth": float(np.mean(truths)),
        "adjusted_mean": float(np.mean(finite)),
        "naive_mean": float(np.mean([v for v in naive if math.isfinite(v)])),
        "adjusted_coverage": covered / done,
        "naive_coverage": naive_covered / done,
        "weighted_mean": float(np.mean(weighted)) if weighted else math.nan,
        "weighted_coverage": weighted_covered / max(len(weighted), 1),
        **{f"share_{v}": verdicts.count(v) / done for v in ("reduced", "no_difference", "increased", "underpowered")},
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=500)
    json_option(parser)
    args = parser.parse_args()
    runs = args.runs
    began = time.perf_counter()
    effect = scenario(runs, zones=1500, effect=0.6, seed=1)
    null = scenario(runs, zones=1500, effect=1.0, seed=2)
    few = scenario(runs, zones=80, effect=0.6, seed=3)
    print(f"{runs} runs per scenario, {time.perf_counter() - began:.1f} s")
    print(f"{'':34} {'adjusted (cocoon)':>18} {'naive':>10} {'propensity-weighted':>20}")
    print(f"effect 0.6 on triggering: truth {effect['truth']:.3f}")
    print(
        f"  mean rate ratio                  {effect['adjusted_mean']:18.3f} {effect['naive_mean']:10.3f} "
        f"{effect['weighted_mean']:20.3f}"
    )
    print(
        f"  |mean - truth|                   {abs(effect['adjusted_mean'] - effect['truth']):18.3f} "
        f"{abs(effect['naive_mean'] - effect['truth']):10.3f}   (target adjusted <= 0.1)"
    )
    print(
        f"  95 % interval covers the truth   {effect['adjusted_coverage']:18.1%} {effect['naive_coverage']:10.1%} "
        f"{effect['weighted_coverage']:20.1%}   (target adjusted >= 93 %)"
    )
    print(f"  verdict reduced                  {effect['share_reduced']:18.1%}")
    print(f"no effect: truth {null['truth']:.3f}")
    print(f"  mean rate ratio                  {null['adjusted_mean']:18.3f} {null['naive_mean']:10.3f}")
    print(f"  verdict reduced                  {null['share_reduced']:18.1%}   (target <= 5 %)")
    print(f"  verdict increased                {null['share_increased']:18.1%}")
    print(f"few data (80 zones a year), effect 0.6: truth {few['truth']:.3f}")
    print(f"  verdict underpowered             {few['share_underpowered']:18.1%}")
    print(f"  verdict reduced                  {few['share_reduced']:18.1%}")
    results = Results(
        "bench_evaluate",
        title="`cocoon evaluate` on simulated years: does it find a known effect?",
        columns=["scenario", "measure", "adjusted (cocoon)", "naive", "propensity-weighted", "target"],
    )
    scenario_effect = f"effect 0.6 on triggering (truth {effect['truth']:.3f})"
    results.row(
        scenario_effect,
        "mean rate ratio",
        f"{effect['adjusted_mean']:.3f}",
        f"{effect['naive_mean']:.3f}",
        f"{effect['weighted_mean']:.3f}",
        "",
    )
    results.row(
        scenario_effect,
        "|mean - truth|",
        f"{abs(effect['adjusted_mean'] - effect['truth']):.3f}",
        f"{abs(effect['naive_mean'] - effect['truth']):.3f}",
        "",
        "adjusted <= 0.1",
    )
    results.row(
        scenario_effect,
        "95 % interval covers the truth",
        f"{effect['adjusted_coverage']:.1%}",
        f"{effect['naive_coverage']:.1%}",
        f"{effect['weighted_coverage']:.1%}",
        "adjusted >= 93 %",
    )
    results.row(scenario_effect, "verdict reduced", f"{effect['share_reduced']:.1%}", "", "", "")
    scenario_null = f"no effect (truth {null['truth']:.3f})"
    results.row(scenario_null, "mean rate ratio", f"{null['adjusted_mean']:.3f}", f"{null['naive_mean']:.3f}", "", "")
    results.row(scenario_null, "verdict reduced", f"{null['share_reduced']:.1%}", "", "", "<= 5 %")
    results.row(scenario_null, "verdict increased", f"{null['share_increased']:.1%}", "", "", "")
    scenario_few = f"few data (80 zones a year), effect 0.6 (truth {few['truth']:.3f})"
    results.row(scenario_few, "verdict underpowered", f"{few['share_underpowered']:.1%}", "", "", "")
    results.row(scenario_few, "verdict reduced", f"{few['share_reduced']:.1%}", "", "", "")
    results.note(f"{runs} runs per scenario, {time.perf_counter() - began:.1f} s")
    results.write(args.json)


if __name__ == "__main__":
    main()
