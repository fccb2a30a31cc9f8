"""Reading and writing the store's tables: every SQL statement of cocoon is here.

Each writing function runs inside the caller's transaction (``with store.transaction() as db``)
so that a command's changes and its audit record commit together or not at all.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from cocoon.store.database import Store, now

if TYPE_CHECKING:
    import geopandas as gpd

    from cocoon.risk.daily_plan import Plan



@dataclass
class IngestResult:
    added: int
    unchanged: int
    conflicting: list[str]
    """Ids already in the store with other details: the stored record is kept."""
    rejected: int = 0
    notes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


def burglary_rows(burglaries: gpd.GeoDataFrame, source: str) -> list[tuple[Any, ...]]:
    """Rows for the burglaries table from a reader's GeoDataFrame (any CRS)."""
    lonlat = burglaries.to_crs(4326) if burglaries.crs is not None and not burglaries.crs.is_geographic else burglaries
    stamp = now()

    def text(value: object) -> str | None:
        return None if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)

    return [(str(b.burglary_id), pd.Timestamp(b.first_time).isoformat(), pd.Timestamp(b.last_time).isoformat(),
             float(g.x), float(g.y), text(b.address), text(b.note), text(b.modus), source, stamp)
            for b, g in zip(burglaries.itertuples(index=False), lonlat.geometry, strict=True)]


def ingest(db: sqlite3.Connection, burglaries: gpd.GeoDataFrame, *, source: str) -> IngestResult:
    """Add burglaries not yet in the store (by id); re-importing the same file adds nothing."""
    added, unchanged, conflicting = 0, 0, []
    for row in burglary_rows(burglaries, source):
        old = db.execute("SELECT first_time, last_time, lon, lat FROM burglaries WHERE burglary_id = ?",
                         (row[0],)).fetchone()
        if old is None:
            db.execute("INSERT INTO burglaries VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", row)
            added += 1
        elif (old["first_time"], old["last_time"]) == row[1:3] and np.allclose([old["lon"], old["lat"]], row[3:5]):
            unchanged += 1
        else:
            conflicting.append(row[0])
    return IngestResult(added=added, unchanged=unchanged, conflicting=conflicting)


def stored_burglaries(store: Store) -> gpd.GeoDataFrame:
    """The store's burglaries as the burglary reader gives them (EPSG:4326)."""
    import geopandas as gpd

    frame = pd.read_sql_query("SELECT * FROM burglaries ORDER BY burglary_id", store.db)
    first = pd.to_datetime(frame["first_time"])
    last = pd.to_datetime(frame["last_time"])
    data = pd.DataFrame({"burglary_id": frame["burglary_id"], "first_time": first, "last_time": last,
                         "first_day": first.dt.normalize(), "last_day": last.dt.normalize(),
                         "address": frame["address"], "note": frame["note"], "modus": frame["modus"],
                         "row": np.arange(2, len(frame) + 2)})
    result = gpd.GeoDataFrame(data, geometry=gpd.points_from_xy(frame["lon"], frame["lat"]), crs=4326)
    result.attrs["source"] = str(store.path)
    return result


def visit_history(store: Store, *, on: dt.date, days: int) -> tuple[set[str], dict[str, str]]:
    """Households reached face to face in the last ``days`` days, and those whose latest visit in
    that time found nobody home (with its day), who come back for a revisit."""
    since = (pd.Timestamp(on) - pd.Timedelta(days=days)).isoformat()
    until = (pd.Timestamp(on) + pd.Timedelta(days=1)).isoformat()
    rows = store.db.execute("SELECT household_id, outcome, visited_at FROM visits WHERE visited_at >= ? AND "
                            "visited_at < ? ORDER BY visited_at", (since, until)).fetchall()
    reached = {r["household_id"] for r in rows if r["outcome"] == "face"}
    revisit: dict[str, str] = {}
    for r in rows:
        if r["household_id"] in reached:
            continue
        if r["outcome"] in ("nothome", "revisit"):
            revisit[r["household_id"]] = r["visited_at"][:10]
        else:
            revisit.pop(r["household_id"], None)
    return reached, revisit


def latest_outcomes(store: Store, *, on: dt.date) -> dict[str, tuple[str, str]]:
    """The latest outcome and its time per household, up to ``on``."""
    until = (pd.Timestamp(on) + pd.Timedelta(days=1)).isoformat()
    rows = store.db.execute("SELECT household_id, outcome, visited_at FROM visits WHERE visited_at < ? "
                            "ORDER BY visited_at", (until,)).fetchall()
    return {r["household_id"]: (r["outcome"], r["visited_at"]) for r in rows}


def record_plan(db: sqlite3.Connection, plan: Plan, *, out_dir: str) -> int:
    """The plan and its listed households, so that visits can be checked and delivery measured."""
    zones = plan.settings.zones
    cursor = db.execute("INSERT INTO plans (plan_date, made_at, out_dir, radius_m, high_days, elevated_days) "
                        "VALUES (?, ?, ?, ?, ?, ?)", (plan.date.isoformat(), now(), out_dir, zones.radius_m,
                                                      zones.high_days, zones.elevated_days))
    plan_id = int(cursor.lastrowid or 0)
    v = plan.visits
    db.executemany("INSERT INTO plan_households VALUES (?, ?, ?, ?, ?, ?)",
                   zip([plan_id] * len(v), v["household_id"].astype(str), v["label"].astype(str),
                       v["tier"].astype(str), v["score"].astype(float), v["burglary_ids"].astype(str), strict=True))
    return plan_id


def known_households(store: Store) -> set[str]:
    """Every household id that some recorded plan listed: the ids visits may name."""
    return {r[0] for r in store.db.execute("SELECT DISTINCT household_id FROM plan_households")}


def add_visits(db: sqlite3.Connection, records: pd.DataFrame, *, source: str) -> None:
    """Visits with household_id, outcome, visited_at and visitor."""
    stamp = now()
    db.executemany("INSERT INTO visits (household_id, outcome, visited_at, visitor, source, recorded_at) "
                   "VALUES (?, ?, ?, ?, ?, ?)",
                   ((r.household_id, r.outcome, r.visited_at, r.visitor, source, stamp)
                    for r in records.itertuples(index=False)))


def put_up_signs(db: sqlite3.Connection, signs: pd.DataFrame, *, date: dt.date) -> None:
    """Signs (sign_id, zone, lon, lat, down, burglaries) recorded as put up on ``date``."""
    for row in signs.itertuples(index=False):
        db.execute("INSERT OR REPLACE INTO signs VALUES (?, ?, ?, ?, ?, ?, NULL, ?)",
                   (row.sign_id, int(row.zone), float(row.lon), float(row.lat), str(row.down),
                    date.isoformat(), str(getattr(row, "burglaries", "") or "")))


def signs_due(db: sqlite3.Connection, *, by: dt.date) -> list[str]:
    """Signs still up whose planned take-down day is ``by`` or earlier."""
    return [r[0] for r in db.execute("SELECT sign_id FROM signs WHERE taken_down IS NULL AND planned_down <= ?",
                                     (by.isoformat(),))]


def signs_up(db: sqlite3.Connection) -> set[str]:
    """Signs recorded as up and not yet taken down."""
    return {r[0] for r in db.execute("SELECT sign_id FROM signs WHERE taken_down IS NULL")}


def take_down_signs(db: sqlite3.Connection, sign_ids: list[str], *, date: dt.date) -> None:
    db.executemany("UPDATE signs SET taken_down = ? WHERE sign_id = ?", [(date.isoformat(), i) for i in sign_ids])


@dataclass
class DeliveryTables:
    """What the delivery measures are computed from."""

    burglaries: pd.DataFrame
    listed: pd.DataFrame
    visits: pd.DataFrame
    signs: pd.DataFrame


def delivery_tables(store: Store) -> DeliveryTables:
    db = store.db
    return DeliveryTables(
        burglaries=pd.read_sql_query("SELECT burglary_id, last_time FROM burglaries", db),
        listed=pd.read_sql_query("SELECT plan_id, household_id, tier, burglary_ids FROM plan_households", db),
        visits=pd.read_sql_query("SELECT household_id, outcome, visited_at FROM visits", db),
        signs=pd.read_sql_query("SELECT * FROM signs", db))


def purge_before(db: sqlite3.Connection, cut: dt.date) -> dict[str, int]:
    """Remove burglaries, visits, plans with their households, and signs taken down, dated before ``cut``."""
    day = cut.isoformat()
    counts = {"burglaries": db.execute("DELETE FROM burglaries WHERE last_time < ?", (day,)).rowcount,
              "visits": db.execute("DELETE FROM visits WHERE visited_at < ?", (day,)).rowcount}
    old_plans = [r[0] for r in db.execute("SELECT plan_id FROM plans WHERE plan_date < ?", (day,))]
    counts["plan_households"] = db.execute(
        f"DELETE FROM plan_households WHERE plan_id IN ({','.join('?' * len(old_plans))})",
        old_plans).rowcount if old_plans else 0
    counts["plans"] = db.execute("DELETE FROM plans WHERE plan_date < ?", (day,)).rowcount
    counts["signs"] = db.execute("DELETE FROM signs WHERE taken_down IS NOT NULL AND taken_down < ?",
                                 (day,)).rowcount
    return counts
