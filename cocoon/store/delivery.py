"""Delivery: what was done for each burglary, the way police areas judge cocooning.

For each burglary the households that matter are the tier A and tier B households of the first
plan that listed it. The clock starts at the report (the burglary's last time: when it was
found; midnight when only a date is known). Measures:

- attempted within 24 h and within 48 h: any outcome recorded at the door;
- face to face: spoke to someone (at any time up to the status date);
- leaflet only: a leaflet was left and nobody was spoken to;
- nothing: no visit recorded at all.

Signs are overdue when they are still up after their planned take-down day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

STATUS_COLUMNS = [
    "burglary_id",
    "reported",
    "households",
    "attempted_24h",
    "attempted_48h",
    "face_to_face",
    "leaflet_only",
    "nothing",
]


@dataclass
class Delivery:
    per_burglary: pd.DataFrame
    overall: dict[str, float]
    overdue_signs: pd.DataFrame


def delivery(
    burglaries: pd.DataFrame, listed: pd.DataFrame, visits: pd.DataFrame, signs: pd.DataFrame, *, on: dt.date
) -> Delivery:
    """``burglaries``: burglary_id, last_time; ``listed``: plan_id, household_id, tier, burglary_ids;
    ``visits``: household_id, outcome, visited_at; ``signs``: sign_id, planned_down, taken_down."""
    end = pd.Timestamp(on) + pd.Timedelta(days=1)
    visits = visits.assign(at=pd.to_datetime(visits["visited_at"]))
    visits = visits[visits["at"] < end]
    pairs = (
        listed[listed["tier"].isin(["A", "B"])]
        .assign(burglary_id=listed["burglary_ids"].fillna("").str.split(";"))
        .explode("burglary_id")
    )
    pairs = pairs[pairs["burglary_id"] != ""]
    first_plan = pairs.groupby("burglary_id")["plan_id"].transform("min")
    pairs = pairs[pairs["plan_id"] == first_plan].drop_duplicates(["burglary_id", "household_id"])
    reported = pd.to_datetime(burglaries.set_index("burglary_id")["last_time"])
    rows = []
    for burglary_id, group in pairs.groupby("burglary_id", sort=True):
        if burglary_id not in reported.index:
            continue
        start = reported[burglary_id]
        seen = visits[visits["household_id"].isin(group["household_id"]) & (visits["at"] >= start)]
        by_household = seen.groupby("household_id")
        first = by_household["at"].min()
        outcomes = by_household["outcome"].agg(set)
        face = sum("face" in o for o in outcomes)
        leaflet_only = sum("leaflet" in o and "face" not in o for o in outcomes)
        rows.append(
            {
                "burglary_id": burglary_id,
                "reported": start.strftime("%Y-%m-%d %H:%M"),
                "households": len(group),
                "attempted_24h": int((first <= start + pd.Timedelta(hours=24)).sum()),
                "attempted_48h": int((first <= start + pd.Timedelta(hours=48)).sum()),
                "face_to_face": int(face),
                "leaflet_only": int(leaflet_only),
                "nothing": int(len(group) - len(first)),
            }
        )
    table = pd.DataFrame(rows, columns=STATUS_COLUMNS)
    total = int(table["households"].sum()) if len(table) else 0

    def share(column: str) -> float:
        return float(table[column].sum()) / total if total else float("nan")

    overall = {
        "burglaries": len(table),
        "households": total,
        **{column: share(column) for column in STATUS_COLUMNS[3:]},
    }
    overdue = (
        signs[signs["taken_down"].isna() & (pd.to_datetime(signs["planned_down"]).dt.date < on)]
        if len(signs)
        else signs
    )
    return Delivery(per_burglary=table, overall=overall, overdue_signs=overdue.reset_index(drop=True))
