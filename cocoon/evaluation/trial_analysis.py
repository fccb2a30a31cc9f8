"""A trial analysed by assignment (intention to treat), with what was actually delivered in each arm.

Every burglary the trial gave an arm is an episode of that arm, whether or not its doors were
knocked: the comparison is **immediate** against **delayed** as assigned, so that who was served
(officers choose the hottest zones first) cannot bias it. Its households are those within the
radius that the first plan after its report counted (listed or held back alike, so both arms are
measured the same way), or, failing that, those the first plan listing it gave. Follow-ons and
exposure are counted as in :mod:`~cocoon.evaluation.episodes` (days 1-14 after the report),
clustered by the week of the report. The headline is adjusted for the stratum of the allocation
(a category in the Poisson model, merged where too sparse: :mod:`~cocoon.evaluation.trial_adjustment`),
with the unadjusted ratio as assigned beside it. Delivery is reported beside it: how many immediate
burglaries were served within 48 h, and how many delayed ones were visited before their delay
had passed (contamination).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from cocoon.errors import InputError
from cocoon.evaluation.delivery_figures import episode_delivery
from cocoon.evaluation.episodes import ZoneHouseholds, build_episodes
from cocoon.evaluation.estimate import Evaluation, evaluate
from cocoon.evaluation.trial_adjustment import POOLED, STRATUM, StratumLevels, stratum_levels
from cocoon.evaluation.trial_allocation import ARMS, BEYOND, DELAYED, IMMEDIATE


@dataclass
class ArmDelivery:
    arm: str
    assigned: int
    episodes: int
    served_48h: int
    """Episodes with a tier A/B door attempted within 48 h of the report."""
    attempted: int
    """Episodes with any tier A/B door attempted."""
    before_delay: int
    """Episodes with a door attempted before the delay had passed (for the delayed arm: contamination)."""
    no_zone: int
    """Assigned burglaries that no plan listed or held back: no households, so no episode."""
    not_yet_observed: int


@dataclass
class TrialEvaluation:
    main: Evaluation
    """The headline comparison: adjusted for the strata when they allow it, else ``unadjusted``."""
    unadjusted: Evaluation
    """Immediate against delayed as assigned, without the strata."""
    levels: StratumLevels
    arms: list[ArmDelivery]
    beyond: int
    """Burglaries beyond their stratum's places: cocooned as usual, not in the comparison."""
    strata: dict[str, dict[str, int]]
    notes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "trial": {
                "analysis": "intention_to_treat",
                "arms": [vars(a) for a in self.arms],
                "beyond_allocation": self.beyond,
                "strata": self.strata,
                "adjusted_for_strata": self.main is not self.unadjusted,
                "strata_in_model": list(self.levels.own),
                "strata_pooled": list(self.levels.pooled),
                "episodes_dropped_from_adjustment": self.levels.dropped,
                "unadjusted": {
                    "rate_ratio": self.unadjusted.headline.rate_ratio,
                    "ci_low": self.unadjusted.headline.ci_low,
                    "ci_high": self.unadjusted.headline.ci_high,
                    "p_value": self.unadjusted.headline.p_value,
                    "verdict": self.unadjusted.verdict,
                    "n_episodes": self.unadjusted.n_episodes,
                },
            }
        }


def trial_zones(assigned: pd.DataFrame, zones: ZoneHouseholds, radius_m: float) -> ZoneHouseholds:
    """Households and radius per assigned burglary: those the plans counted in its zone (the same
    way in both arms), else those the first plan listing it gave."""
    ids = assigned["burglary_id"].astype(str)
    counted = pd.to_numeric(pd.Series(assigned["households"].to_numpy(), index=ids.to_numpy()), errors="coerce")
    households = counted.fillna(zones.households.reindex(ids).astype(float))
    radius = zones.radius_m.reindex(ids).astype(float).fillna(radius_m)
    usable = households.notna()
    return ZoneHouseholds(households=households[usable].astype(int), radius_m=radius[usable])


def evaluate_trial(
    assigned: pd.DataFrame,
    burglaries: pd.DataFrame,
    zones: ZoneHouseholds,
    *,
    tables: Any,
    data_end: pd.Timestamp,
    start: pd.Timestamp | None,
    end: pd.Timestamp | None,
    radius_m: float,
    delay_days: int,
    source: str,
) -> TrialEvaluation:
    """``assigned``: the trial's assignments (burglary_id, reported, stratum, arm, households);
    ``burglaries``: every stored burglary as :func:`~cocoon.evaluation.episodes.build_episodes`
    takes them; ``tables``: the store's evaluation tables (for delivery)."""
    in_trial = assigned[assigned["arm"].isin(ARMS)].copy()
    beyond = int((assigned["arm"] == BEYOND).sum())
    reported = pd.to_datetime(in_trial["reported"])
    if start is not None:
        in_trial = in_trial[(reported >= start).to_numpy()]
    if end is not None:
        in_trial = in_trial[(pd.to_datetime(in_trial["reported"]) < end + pd.Timedelta(days=1)).to_numpy()]
    own = trial_zones(in_trial, zones, radius_m)
    episodes = build_episodes(burglaries, own, data_end=data_end, start=start, end=end)
    arm_of = in_trial.set_index(in_trial["burglary_id"].astype(str))["arm"]
    if len(episodes):
        episodes = episodes[episodes["burglary_id"].isin(arm_of.index)].reset_index(drop=True)
    counts = {arm: int((episodes["burglary_id"].map(arm_of) == arm).sum()) if len(episodes) else 0 for arm in ARMS}
    if min(counts.values()) == 0:
        raise InputError(
            "trial.one_arm_empty",
            file=source,
            immediate=counts[IMMEDIATE],
            delayed=counts[DELAYED],
            assigned=len(in_trial),
        )
    episodes = episodes.assign(arm=episodes["burglary_id"].map(arm_of))
    stratum_of = in_trial.set_index(in_trial["burglary_id"].astype(str))["stratum"].astype(str)
    episodes = episodes.assign(treated=episodes["arm"] == IMMEDIATE, stratum=episodes["burglary_id"].map(stratum_of))
    unadjusted = evaluate(episodes, adjust=[], clusters=episodes["week"].astype(str).to_numpy(), randomised=True)
    main, levels, adjustment_notes = stratum_adjusted(episodes, unadjusted)
    on = data_end.date() if isinstance(data_end, pd.Timestamp) else dt.date.today()
    done = episode_delivery(tables.burglaries, tables.listed, tables.visits, tables.signs, on=on)
    done = done.reindex(episodes["burglary_id"])
    served = done["served"].fillna(False).astype(bool).to_numpy()
    hours = done["hours_to_first_attempt"].astype(float).to_numpy()
    with_zone = set(own.households.index)
    arms = []
    for arm in ARMS:
        mine = episodes["arm"].to_numpy() == arm
        given = in_trial[in_trial["arm"] == arm]
        no_zone = int((~given["burglary_id"].astype(str).isin(with_zone)).sum())
        arms.append(
            ArmDelivery(
                arm=arm,
                assigned=len(given),
                episodes=int(mine.sum()),
                served_48h=int(served[mine].sum()),
                attempted=int(np.isfinite(hours[mine]).sum()),
                before_delay=int((np.isfinite(hours[mine]) & (hours[mine] < 24 * delay_days)).sum()),
                no_zone=no_zone,
                not_yet_observed=len(given) - no_zone - int(mine.sum()),
            )
        )
    strata = {
        str(s): {arm: int(((in_trial["stratum"] == s) & (in_trial["arm"] == arm)).sum()) for arm in ARMS}
        for s in sorted(in_trial["stratum"].unique())
    }
    result = TrialEvaluation(
        main=main, unadjusted=unadjusted, levels=levels, arms=arms, beyond=beyond, strata=strata, notes=adjustment_notes
    )
    immediate = arms[0]
    if immediate.episodes and immediate.served_48h < immediate.episodes:
        result.notes.append(
            (
                "trial.not_all_served",
                {
                    "served": immediate.served_48h,
                    "n": immediate.episodes,
                    "share": round(100 * immediate.served_48h / immediate.episodes),
                },
            )
        )
    delayed = arms[1]
    if delayed.before_delay:
        result.notes.append(
            ("trial.contaminated", {"n": delayed.before_delay, "of": delayed.episodes, "days": delay_days})
        )
    if not math.isfinite(main.headline.rate_ratio):
        result.notes.append(("trial.no_follow_ons", {}))
    return result


def stratum_adjusted(
    episodes: pd.DataFrame, unadjusted: Evaluation
) -> tuple[Evaluation, StratumLevels, list[tuple[str, dict[str, Any]]]]:
    """The comparison adjusted for the strata (merged by the rule of
    :mod:`~cocoon.evaluation.trial_adjustment`), the levels, and the notes saying what was merged,
    dropped or not adjusted for; ``unadjusted`` when the strata leave nothing to adjust for."""
    levels = stratum_levels(episodes[STRATUM], episodes["treated"].to_numpy(bool), episodes["follow_on"].to_numpy())
    notes: list[tuple[str, dict[str, Any]]] = []
    strata = int(episodes[STRATUM].nunique())
    if not levels.adjusted:
        notes.append(("trial.strata_not_adjusted", {"strata": strata, "own": len(levels.own)}))
        return unadjusted, levels, notes
    if levels.pooled:
        notes.append(("trial.strata_pooled", {"n": len(levels.pooled), "strata": strata, "level": POOLED}))
    if levels.dropped:
        notes.append(("trial.strata_dropped", {"n": levels.dropped}))
    use = levels.levels.notna().to_numpy()
    kept = episodes[use].assign(**{STRATUM: levels.levels[use].astype(str)}).reset_index(drop=True)
    adjusted = evaluate(
        kept,
        adjust=[STRATUM],
        categorical={STRATUM},
        clusters=kept["week"].astype(str).to_numpy(),
        randomised=True,
    )
    if adjusted.model is None:
        notes = [("trial.strata_model_failed", {"strata": len(set(kept[STRATUM]))})]
        return unadjusted, levels, notes
    return adjusted, levels, notes
