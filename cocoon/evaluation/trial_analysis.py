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

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from cocoon.errors import InputError
from cocoon.evaluation.episodes import ZoneHouseholds
from cocoon.evaluation.estimate import Evaluation, evaluate
from cocoon.evaluation.trial_adjustment import POOLED, STRATUM, StratumLevels, stratum_levels
from cocoon.evaluation.trial_allocation import ARMS, BEYOND, DELAYED, IMMEDIATE
from cocoon.evaluation.trial_episodes import EPISODE, NO_ZONE, NOT_YET_OBSERVED, live_episodes, with_kept

if TYPE_CHECKING:
    from cocoon.store.queries import EvaluationTables


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
                "arm_labels": {"treated": IMMEDIATE, "control": DELAYED},
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


def in_period(assigned: pd.DataFrame, start: pd.Timestamp | None, end: pd.Timestamp | None) -> pd.DataFrame:
    """The assignments in the comparison (an arm, not beyond) reported from ``start`` to ``end``."""
    in_trial = assigned[assigned["arm"].isin(ARMS)].copy()
    if start is not None:
        in_trial = in_trial[(pd.to_datetime(in_trial["reported"]) >= start).to_numpy()]
    if end is not None:
        in_trial = in_trial[(pd.to_datetime(in_trial["reported"]) < end + pd.Timedelta(days=1)).to_numpy()]
    return in_trial


def trial_frame(
    in_trial: pd.DataFrame,
    burglaries: pd.DataFrame,
    zones: ZoneHouseholds,
    *,
    tables: EvaluationTables,
    kept: pd.DataFrame,
    data_end: pd.Timestamp,
    start: pd.Timestamp | None,
    end: pd.Timestamp | None,
    radius_m: float,
    starts: str,
) -> pd.DataFrame:
    """One row per assignment: built from the records, or kept before purge removed them."""
    live = live_episodes(
        in_trial,
        burglaries,
        zones,
        tables=tables,
        data_end=data_end,
        start=start,
        end=end,
        radius_m=radius_m,
        starts=starts,
    )
    return with_kept(live, kept)


def evaluate_trial(
    assigned: pd.DataFrame,
    burglaries: pd.DataFrame,
    zones: ZoneHouseholds,
    *,
    tables: EvaluationTables,
    kept: pd.DataFrame,
    data_end: pd.Timestamp,
    start: pd.Timestamp | None,
    end: pd.Timestamp | None,
    radius_m: float,
    delay_days: int,
    starts: str,
    source: str,
) -> TrialEvaluation:
    """``assigned``: the trial's assignments (burglary_id, reported, stratum, position, arm,
    households); ``burglaries``: every stored burglary as
    :func:`~cocoon.evaluation.episodes.build_episodes` takes them; ``tables``: the store's
    evaluation tables (for delivery); ``kept``: the trial's episodes kept before purge
    (:mod:`~cocoon.evaluation.trial_episodes`); ``starts``: the trial's first day."""
    in_trial = in_period(assigned, start, end)
    beyond = int((assigned["arm"] == BEYOND).sum())
    frame = trial_frame(
        in_trial,
        burglaries,
        zones,
        tables=tables,
        kept=kept,
        data_end=data_end,
        start=start,
        end=end,
        radius_m=radius_m,
        starts=starts,
    )
    episodes = frame[frame["status"] == EPISODE].reset_index(drop=True)
    counts = {arm: int((episodes["arm"] == arm).sum()) for arm in ARMS}
    if min(counts.values()) == 0:
        raise InputError(
            "trial.one_arm_empty",
            file=source,
            immediate=counts[IMMEDIATE],
            delayed=counts[DELAYED],
            assigned=len(in_trial),
        )
    episodes = episodes.assign(treated=episodes["arm"] == IMMEDIATE, week=episodes["week"].astype(int).astype(str))
    unadjusted = evaluate(episodes, adjust=[], clusters=episodes["week"].to_numpy(), randomised=True)
    main, levels, adjustment_notes = stratum_adjusted(episodes, unadjusted)
    served = episodes["served_48h"].astype(bool).to_numpy()
    hours = episodes["hours_to_first_attempt"].astype(float).to_numpy()
    arms = []
    for arm in ARMS:
        mine = episodes["arm"].to_numpy() == arm
        given = frame[frame["arm"] == arm]
        arms.append(
            ArmDelivery(
                arm=arm,
                assigned=len(given),
                episodes=int(mine.sum()),
                served_48h=int(served[mine].sum()),
                attempted=int(np.isfinite(hours[mine]).sum()),
                before_delay=int((np.isfinite(hours[mine]) & (hours[mine] < 24 * delay_days)).sum()),
                no_zone=int((given["status"] == NO_ZONE).sum()),
                not_yet_observed=int((given["status"] == NOT_YET_OBSERVED).sum()),
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
