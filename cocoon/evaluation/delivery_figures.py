"""Delivery first: what was done for each episode, before asking whether it worked.

Per burglary, from :func:`cocoon.store.delivery.delivery` (tier A and B households of the first
plan that listed it, the clock starting at the report): attempted within 24 h and 48 h, face to
face, leaflet only, nothing; plus the hours from the report to the first door attempt, and
signs: whether one naming the burglary went up, and the days from the report to the day it went
up (signs are recorded by the day). An episode is **served** when at least one of its tier A or
B doors was attempted within 48 hours of the report.

The field audits to compare with: Manchester's tracked super-cocooning (about 61 % of the
intended homes attempted within 2 days, 58 % spoken to face to face, 12.5 % got nothing) and
the Western Australian pilot (23 % of victim addresses received the leaflet).
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd

from cocoon.store.delivery import delivery

SERVED_WITHIN_H = 48
AUDITS = {"manchester_48h": 0.61, "manchester_face": 0.58, "manchester_nothing": 0.125, "western_australia": 0.23}
"""What the field audits found (share of the intended homes)."""


def first_attempts(burglaries: pd.DataFrame, listed: pd.DataFrame, visits: pd.DataFrame) -> pd.Series:
    """Hours from each burglary's report to the first visit at one of its tier A/B households
    (NaN when none); ``burglaries`` has burglary_id and last_time."""
    pairs = (
        listed[listed["tier"].isin(["A", "B"])]
        .assign(burglary_id=listed["burglary_ids"].fillna("").astype(str).str.split(";"))
        .explode("burglary_id")
    )
    pairs = pairs[pairs["burglary_id"] != ""]
    first_plan = pairs.groupby("burglary_id")["plan_id"].transform("min")
    pairs = pairs[pairs["plan_id"] == first_plan][["burglary_id", "household_id"]].drop_duplicates()
    reported = pd.to_datetime(burglaries.set_index("burglary_id")["last_time"])
    seen = pairs.merge(visits.assign(at=pd.to_datetime(visits["visited_at"])), on="household_id")
    seen = seen.assign(reported=seen["burglary_id"].map(reported))
    seen = seen[seen["at"] >= seen["reported"]]
    hours = seen.groupby("burglary_id")["at"].min() - seen.groupby("burglary_id")["reported"].first()
    return (hours.dt.total_seconds() / 3600).rename("hours_to_first_attempt")


def sign_days(burglaries: pd.DataFrame, signs: pd.DataFrame) -> pd.Series:
    """Days from each burglary's report day to the first sign naming it put up (NaN: no sign)."""
    if not len(signs):
        return pd.Series(dtype=float, name="days_to_sign")
    named = signs.assign(burglary_id=signs["burglary_ids"].fillna("").astype(str).str.split(";")).explode("burglary_id")
    named = named[named["burglary_id"] != ""]
    up = pd.to_datetime(named.groupby("burglary_id")["put_up"].min())
    reported = pd.to_datetime(burglaries.set_index("burglary_id")["last_time"]).dt.normalize()
    days = (up - reported.reindex(up.index)).dt.days
    return days.astype(float).rename("days_to_sign")


def episode_delivery(
    burglaries: pd.DataFrame, listed: pd.DataFrame, visits: pd.DataFrame, signs: pd.DataFrame, *, on: dt.date
) -> pd.DataFrame:
    """Per burglary id: tier A/B households, the shares of them attempted within 24 h and 48 h,
    face to face, leaflet only and nothing, the hours to the first attempt, signs, and served."""
    done = delivery(burglaries, listed, visits, signs, on=on).per_burglary.set_index("burglary_id")
    table = pd.DataFrame(index=done.index)
    table["ab_households"] = done["households"].astype(int)
    for column in ("attempted_24h", "attempted_48h", "face_to_face", "leaflet_only", "nothing"):
        table[f"{column}_share"] = done[column] / done["households"].where(done["households"] > 0)
    table["hours_to_first_attempt"] = first_attempts(burglaries, listed, visits).reindex(table.index)
    table["days_to_sign"] = sign_days(burglaries, signs).reindex(table.index)
    table["served"] = (done["attempted_48h"] > 0).astype(bool)
    return table


def latency_band(hours: float) -> str:
    """The dose-response band of the first attempt: within 24 h, 24–48 h, later, never."""
    if not math.isfinite(hours):
        return "never"
    if hours <= 24:
        return "within_24h"
    return "within_48h" if hours <= SERVED_WITHIN_H else "later"


def coverage_band(share: float) -> str:
    """The dose-response band of coverage: share of tier A/B doors attempted within 48 h."""
    if not math.isfinite(share) or share <= 0:
        return "none"
    return "under_half" if share < 0.5 else "half_or_more"


def delivery_summary(table: pd.DataFrame) -> dict[str, float]:
    """Delivery over all episodes: household-weighted shares, median hours to the first
    attempt, share with a sign, median days to it, and the share of episodes served."""
    weights = table["ab_households"].to_numpy(dtype=float)
    total = weights.sum()

    def share(column: str) -> float:
        values = table[column].to_numpy(dtype=float)
        ok = np.isfinite(values)
        return float((values[ok] * weights[ok]).sum() / total) if total else math.nan

    hours = table["hours_to_first_attempt"].dropna()
    days = table["days_to_sign"].dropna()
    return {
        "episodes": len(table),
        "households": int(total),
        "served_48h": float(table["served"].mean()) if len(table) else math.nan,
        "median_hours_to_first_attempt": float(hours.median()) if len(hours) else math.nan,
        **{
            c: share(f"{c}_share")
            for c in ("attempted_24h", "attempted_48h", "face_to_face", "leaflet_only", "nothing")
        },
        "with_sign": float(table["days_to_sign"].notna().mean()) if len(table) else math.nan,
        "median_days_to_sign": float(days.median()) if len(days) else math.nan,
    }
