"""The covariates the store's comparison adjusts for: what drives both delivery and follow-ons.

- ``prior_rate``: the zone's burglaries in the 12 months before the originating one **per
  household**, on the log scale: ``log((prior_12m + 0.5) / households)``. Officers serve the
  zones with the most recent burglaries first, and a zone's background rate is what its earlier
  burglaries measure, but only per household: 3 burglaries among 40 households is a hot zone,
  among 160 a cold one. The log matches the model's log link (a zone twice as burglary-prone
  has twice the rate); the 0.5 keeps zones without an earlier burglary finite. The count itself
  (``log(1 + prior_12m)``) leaves the zone's size out and biased the served zones' ratio in the
  simulation benchmark (``benchmarks/bench_evaluate.py``).
- ``log_households``: the zone's households (the density of homes within the radius).
- ``calendar_month``: the month of the year of the report (``01``–``12``), a category: the
  season, and the months served and not served differ in (holidays, capacity).
- ``weekday``: ISO day of the week of the report (``1`` Monday – ``7`` Sunday), a category.
- ``reporting_delay_h``: hours from the first possible time of the burglary to its report.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

PRIOR_RATE = "prior_rate"
CALENDAR_MONTH = "calendar_month"
WEEKDAY = "weekday"
STORE_COVARIATES = (PRIOR_RATE, "log_households", CALENDAR_MONTH, WEEKDAY, "reporting_delay_h")
"""The store's comparison adjusts for these, in this order."""
CATEGORIES = frozenset({CALENDAR_MONTH, WEEKDAY})
"""The store covariates that are categories (one model column per level but the commonest)."""
UNKNOWN_LEVEL = "?"
"""The level of a category a kept episode does not record (weekday in episodes kept before it was)."""


def prior_rate(prior_12m: np.ndarray | pd.Series, households: np.ndarray | pd.Series) -> np.ndarray:
    """``log((prior_12m + 0.5) / households)``: earlier burglaries per household, log scale."""
    prior = np.asarray(prior_12m, dtype=float)
    homes = np.asarray(households, dtype=float)
    return np.asarray(np.log((prior + 0.5) / homes))


def with_store_covariates(episodes: pd.DataFrame) -> pd.DataFrame:
    """``episodes`` (with ``prior_12m``, ``households``, ``month`` as YYYY-MM, ``weekday`` as 1–7
    or missing, ``reporting_delay_h``) with the columns of :data:`STORE_COVARIATES`."""
    weekday = (
        pd.to_numeric(episodes["weekday"], errors="coerce")
        if "weekday" in episodes
        else pd.Series(np.nan, index=episodes.index)
    )
    return episodes.assign(
        **{
            PRIOR_RATE: prior_rate(episodes["prior_12m"], episodes["households"]),
            "log_households": np.log(episodes["households"].astype(float)),
            CALENDAR_MONTH: episodes["month"].astype(str).str[5:7],
            WEEKDAY: [UNKNOWN_LEVEL if pd.isna(v) else str(int(v)) for v in weekday],
            "reporting_delay_h": episodes["reporting_delay_h"].astype(float),
        }
    )
