"""Episodes from what the store recorded: one per originating burglary whose zone a plan listed.

For a burglary ``b`` reported at ``t_b`` (its last time: when it was found) at ``(x_b, y_b)``:

- **households**: the households the first plan listing ``b`` gave for it (every household
  within the plan's radius);
- **windows**: high, days 1–14 after the report (``0 < t - t_b <= 14`` days), and elevated, days
  15–56; each ends at the end of the data (``data_end``), so **exposure** is households × the
  days of the window observed (household-days);
- **follow-ons**: the other burglaries reported in the window within the radius of ``b`` and more
  than ``SAME_PLACE_M`` from it; **same-address repeats** (within ``SAME_PLACE_M``, or the same
  address text) are counted apart; the **ring** from the radius to twice it (500–1,000 m by
  default) counts follow-ons the same way, as a check for burglaries pushed next door (its
  households taken as three times the zone's, the ring being three times the area);
- **overlap**: a burglary inside the zones of several originating burglaries counts once in
  each (every zone's own experience), so episodes near each other share follow-ons; the
  intervals therefore cluster episodes by the ISO week of their report;
- **covariates**: the zone's burglaries in the 12 months before ``b`` (within the radius),
  the number of households, the month of the report (``month``, YYYY-MM: the calendar month
  is the season), its ISO weekday (``weekday``, 1 Monday – 7 Sunday; ``quarter`` and
  ``weekend`` are kept too, coarser), and the reporting delay (hours from the first possible
  time of the burglary to its report). :mod:`~cocoon.evaluation.covariates` turns them into
  the model's columns.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from cocoon.geo.crs import choose_metric_crs, lonlat_bounds

if TYPE_CHECKING:
    import geopandas as gpd

SAME_PLACE_M = 10.0
"""A follow-on this close to the originating burglary is a same-address repeat."""
HIGH_DAYS = 14
ELEVATED_DAYS = 56
PRIOR_DAYS = 365
RING_AREA_FACTOR = 3.0
"""The ring from r to 2r is three times the area of the zone of radius r."""


@dataclass
class ZoneHouseholds:
    """What the plans say about each burglary's zone: households and the plan's radius."""

    households: pd.Series
    """Per burglary id: the households its first plan listed for it."""
    radius_m: pd.Series
    """Per burglary id: that plan's radius in metres."""


def projected_burglaries(located: gpd.GeoDataFrame) -> pd.DataFrame:
    """The stored burglaries (as :func:`cocoon.store.queries.stored_burglaries` reads them) in a
    metric CRS, with the columns :func:`build_episodes` takes."""
    metric = choose_metric_crs(lonlat_bounds(located))
    projected = located.to_crs(metric)
    return pd.DataFrame(
        {
            "burglary_id": located["burglary_id"].astype(str),
            "reported": located["last_time"],
            "first_time": located["first_time"],
            "x": projected.geometry.x.to_numpy(),
            "y": projected.geometry.y.to_numpy(),
            "address": located["address"],
        }
    )


def zone_households(listed: pd.DataFrame, plans: pd.DataFrame) -> ZoneHouseholds:
    """``listed``: plan_id, household_id, burglary_ids (';'-separated); ``plans``: plan_id, radius_m."""
    pairs = listed.assign(burglary_id=listed["burglary_ids"].fillna("").astype(str).str.split(";")).explode(
        "burglary_id"
    )
    pairs = pairs[pairs["burglary_id"] != ""]
    first = pairs.groupby("burglary_id")["plan_id"].transform("min")
    pairs = pairs[pairs["plan_id"] == first]
    households = pairs.groupby("burglary_id")["household_id"].nunique()
    plan_of = pairs.groupby("burglary_id")["plan_id"].first()
    radius = plan_of.map(plans.set_index("plan_id")["radius_m"]).astype(float)
    return ZoneHouseholds(households=households, radius_m=radius)


def _normalised_address(values: pd.Series) -> np.ndarray:
    text = values.fillna("").astype(str).str.lower().str.replace(r"[^\w]+", " ", regex=True).str.strip()
    return np.asarray(text.to_numpy())


def build_episodes(
    burglaries: pd.DataFrame,
    zones: ZoneHouseholds,
    *,
    data_end: pd.Timestamp,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """One row per burglary reported in [start, end] that a plan listed households for.

    ``burglaries``: burglary_id, reported (Timestamp), first_time (Timestamp), x, y (metres),
    address. Every burglary, in the period or not, can be a follow-on or a prior burglary."""
    from sklearn.neighbors import KDTree

    ids = burglaries["burglary_id"].astype(str).to_numpy()
    reported = pd.to_datetime(burglaries["reported"])
    t = (reported - pd.Timestamp("1970-01-01")).dt.total_seconds().to_numpy() / 86400.0
    xy = burglaries[["x", "y"]].to_numpy(dtype=float)
    address = _normalised_address(burglaries["address"]) if "address" in burglaries else np.full(len(ids), "")
    end_day = (data_end - pd.Timestamp("1970-01-01")).total_seconds() / 86400.0
    tree = KDTree(xy) if len(xy) else None
    in_period = np.ones(len(ids), dtype=bool)
    if start is not None:
        in_period &= (reported >= start).to_numpy()
    if end is not None:
        in_period &= (reported < end + pd.Timedelta(days=1)).to_numpy()
    rows = []
    for i in np.flatnonzero(in_period):
        key = ids[i]
        if key not in zones.households.index or tree is None:
            continue
        households = int(zones.households[key])
        radius = float(zones.radius_m.get(key, math.nan))
        if households <= 0 or not math.isfinite(radius):
            continue
        observed_high = min(HIGH_DAYS, max(0.0, end_day - t[i]))
        observed_elevated = min(ELEVATED_DAYS - HIGH_DAYS, max(0.0, end_day - t[i] - HIGH_DAYS))
        if observed_high <= 0:
            continue  # reported at the very end of the data: nothing observed yet
        near = tree.query_radius(xy[i : i + 1], r=2 * radius)[0]
        near = near[near != i]
        d = np.hypot(*(xy[near] - xy[i]).T)
        dt_days = t[near] - t[i]
        same = (d <= SAME_PLACE_M) | ((address[near] == address[i]) & (address[i] != ""))
        inside = (d <= radius) & ~same
        ring = (d > radius) & (d <= 2 * radius) & ~same
        high = (dt_days > 0) & (dt_days <= HIGH_DAYS) & (t[near] <= end_day)
        elevated = (dt_days > HIGH_DAYS) & (dt_days <= ELEVATED_DAYS) & (t[near] <= end_day)
        prior = (dt_days < 0) & (dt_days >= -PRIOR_DAYS) & (d <= radius)
        first = pd.Timestamp(burglaries["first_time"].iloc[i])
        delay = max(0.0, (reported.iloc[i] - first).total_seconds() / 3600)
        week = reported.iloc[i].isocalendar()
        rows.append(
            {
                "burglary_id": key,
                "reported": reported.iloc[i],
                "month": reported.iloc[i].strftime("%Y-%m"),
                "week": f"{week.year}-W{week.week:02d}",
                "households": households,
                "radius_m": radius,
                "follow_on": int((inside & high).sum()),
                "follow_on_elevated": int((inside & elevated).sum()),
                "repeat": int((same & high).sum()),
                "repeat_elevated": int((same & elevated).sum()),
                "ring_follow_on": int((ring & high).sum()),
                "household_days": households * observed_high,
                "household_days_elevated": households * observed_elevated,
                "ring_household_days": RING_AREA_FACTOR * households * observed_high,
                "prior_12m": int(prior.sum()),
                "reporting_delay_h": round(delay, 1),
                "quarter": f"Q{(reported.iloc[i].month - 1) // 3 + 1}",
                "weekend": int(reported.iloc[i].day_of_week >= 5),
                "weekday": int(reported.iloc[i].isoweekday()),
                "follow_on_ids": ";".join(ids[near[inside & high]]),
            }
        )
    return pd.DataFrame(rows)


def overlap_share(episodes: pd.DataFrame) -> tuple[int, int]:
    """(follow-ons counted in more than one episode, distinct follow-ons) in the high window."""
    if not len(episodes):
        return 0, 0
    counted = episodes["follow_on_ids"].str.split(";").explode()
    counted = counted[counted.fillna("") != ""]
    times = counted.value_counts()
    return int((times > 1).sum()), len(times)
