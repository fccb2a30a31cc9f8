"""The strata a trial's headline is adjusted for, merged where they are too sparse to adjust for.

The allocation is stratified (area cell × the zone's earlier burglaries), so the analysis adjusts
for the stratum: a category in the Poisson model with the log household-days offset. A stratum
informs the comparison only when it has episodes in both arms and at least one follow-on; and a
model carries about one stratum per :data:`FOLLOW_ONS_PER_STRATUM` follow-ons (Vittinghoff and
McCulloch, 2007). The rule, applied in this order:

1. a stratum **stands on its own** when it has an episode in each arm and at least one follow-on;
   those with the most episodes first (ties by name), as many as the follow-ons carry;
2. every other stratum is **merged** into one level, ``pooled``;
3. when ``pooled`` itself has one arm only or no follow-on, its episodes are **dropped** from the
   adjusted model (they carry no comparison within a stratum);
4. with fewer than two levels left there is nothing to adjust for: the headline is the
   unadjusted ratio as assigned.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

STRATUM = "stratum"
POOLED = "pooled"
FOLLOW_ONS_PER_STRATUM = 5
"""The model carries one stratum per this many follow-ons (at least two strata when it adjusts)."""


@dataclass(frozen=True)
class StratumLevels:
    levels: pd.Series
    """Per episode, its level in the model (a stratum or :data:`POOLED`), or None when dropped."""
    own: tuple[str, ...]
    """The strata that stand on their own."""
    pooled: tuple[str, ...]
    """The strata merged into :data:`POOLED`."""
    dropped: int
    """Episodes left out of the adjusted model (a merged level with one arm or no follow-on)."""

    @property
    def adjusted(self) -> bool:
        return int(self.levels.dropna().nunique()) >= 2


def _informative(mine: np.ndarray, treated: np.ndarray, follow_on: np.ndarray) -> bool:
    return bool(treated[mine].any() and (~treated[mine]).any() and follow_on[mine].sum() > 0)


def stratum_levels(strata: pd.Series, treated: np.ndarray, follow_on: np.ndarray) -> StratumLevels:
    """The level of each episode's stratum in the adjusted model, by the rule above."""
    names = strata.astype(str).to_numpy()
    treated = np.asarray(treated, dtype=bool)
    follow_on = np.asarray(follow_on, dtype=float)
    sizes = pd.Series(names).value_counts()
    order = sorted(sizes.index, key=lambda s: (-int(sizes[s]), s))
    usable = [s for s in order if _informative(names == s, treated, follow_on)]
    most = max(2, int(follow_on.sum()) // FOLLOW_ONS_PER_STRATUM)
    own = usable
    while True:
        rest = ~np.isin(names, own)
        pooled_counts = bool(rest.any()) and _informative(rest, treated, follow_on)
        if len(own) + int(pooled_counts) <= most or not own:
            break
        own = own[:-1]
    rest = ~np.isin(names, own)
    levels = pd.Series(np.where(rest, POOLED, names), index=strata.index, dtype=object)
    dropped = 0
    if rest.any() and not pooled_counts:
        levels[rest] = None
        dropped = int(rest.sum())
    pooled = tuple(s for s in order if s not in own)
    return StratumLevels(levels=levels, own=tuple(own), pooled=pooled, dropped=dropped)
