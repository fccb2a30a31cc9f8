"""The store's jobs: ingest burglaries, record visits and signs, report delivery, purge old data.

Each job opens the store, does all its writing in one transaction with an audit record of who
ran what, and closes it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cocoon.errors import InputError
from cocoon.settings import Settings, load_settings
from cocoon.store.database import Store, now, open_store


def store_path(given: str | Path | None, settings: Settings) -> Path:
    if given:
        return Path(given)
    if settings.store.path:
        return Path(settings.store.path)
    raise InputError("store.no_path")


@dataclass
class IngestResult:
    added: int
    unchanged: int
    conflicting: list[str]
    """Ids already in the store with other details: the stored record is kept."""
    rejected: int = 0
    notes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


def burglary_rows(burglaries, source: str) -> list[tuple]:
    """Rows for the burglaries table from a reader's GeoDataFrame (any CRS)."""
    lonlat = burglaries.to_crs(4326) if burglaries.crs is not None and not burglaries.crs.is_geographic else burglaries
    stamp = now()

    def text(value) -> str | None:
        return None if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)

    return [(str(b.burglary_id), pd.Timestamp(b.first_time).isoformat(), pd.Timestamp(b.last_time).isoformat(),
             float(g.x), float(g.y), text(b.address), text(b.note), text(b.modus), source, stamp)
            for b, g in zip(burglaries.itertuples(index=False), lonlat.geometry)]


def ingest(store: Store, burglaries, *, source: str, command: str) -> IngestResult:
    """Add burglaries not yet in the store (by id); re-importing the same file adds nothing."""
    rows = burglary_rows(burglaries, source)
    added, unchanged, conflicting = 0, 0, []
    with store.transaction() as db:
        for row in rows:
            old = db.execute("SELECT first_time, last_time, lon, lat FROM burglaries WHERE burglary_id = ?",
                             (row[0],)).fetchone()
            if old is None:
                db.execute("INSERT INTO burglaries VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", row)
                added += 1
            elif (old["first_time"], old["last_time"]) == row[1:3] and np.allclose([old["lon"], old["lat"]], row[3:5]):
                unchanged += 1
            else:
                conflicting.append(row[0])
        store.audit(db, command)
    return IngestResult(added=added, unchanged=unchanged, conflicting=conflicting)


def run_ingest(path: Path, *, store: str | Path | None, settings_path=None, columns=None, input_crs=None,
               date_format=None, skip_bad_rows=False, command: str = "ingest") -> IngestResult:
    from cocoon.inputs.burglaries import BurglaryColumns, read_burglaries
    from cocoon.geo.crs import parse_crs

    settings = load_settings(settings_path)
    table = read_burglaries(path, columns=columns or BurglaryColumns(),
                            crs=parse_crs(input_crs, what="--crs") if input_crs else None,
                            skip_bad_rows=skip_bad_rows, date_format=date_format)
    opened = open_store(store_path(store, settings))
    try:
        result = ingest(opened, table.burglaries, source=str(path), command=command)
    finally:
        opened.close()
    result.rejected = len(table.rejects)
    result.notes = table.notes
    return result


def stored_burglaries(store: Store):
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


def record_plan(store: Store, plan, *, out_dir: Path, command: str) -> int:
    """The plan and its listed households, so that visits can be checked and delivery measured."""
    with store.transaction() as db:
        cursor = db.execute("INSERT INTO plans (plan_date, made_at, out_dir, radius_m, high_days, elevated_days) "
                            "VALUES (?, ?, ?, ?, ?, ?)", (plan.date.isoformat(), now(), str(out_dir),
                                                          plan.settings.zones.radius_m, plan.settings.zones.high_days,
                                                          plan.settings.zones.elevated_days))
        plan_id = int(cursor.lastrowid)
        v = plan.visits
        db.executemany("INSERT INTO plan_households VALUES (?, ?, ?, ?, ?, ?)",
                       zip([plan_id] * len(v), v["household_id"].astype(str), v["label"].astype(str),
                           v["tier"].astype(str), v["score"].astype(float), v["burglary_ids"].astype(str)))
        store.audit(db, command)
    return plan_id


def known_households(store: Store) -> set[str]:
    return {r[0] for r in store.db.execute("SELECT DISTINCT household_id FROM plan_households")}


@dataclass
class VisitImport:
    added: int
    blank: int


def run_visits_import(path: Path, *, store: str | Path | None, settings_path=None, date: dt.date | None = None,
                      command: str = "visits import") -> VisitImport:
    """All rows checked first; any bad row stops the import and nothing is stored."""
    from cocoon.inputs.tables import read_table
    from cocoon.store.visit_records import visits_from_table

    settings = load_settings(settings_path)
    opened = open_store(store_path(store, settings), create=False)
    try:
        records = visits_from_table(read_table(path), known=known_households(opened), default_date=date)
        add_visits(opened, records.records, source=str(path), command=command)
    finally:
        opened.close()
    return VisitImport(added=len(records.records), blank=records.blank)


def add_visits(store: Store, records: pd.DataFrame, *, source: str, command: str) -> None:
    stamp = now()
    with store.transaction() as db:
        db.executemany("INSERT INTO visits (household_id, outcome, visited_at, visitor, source, recorded_at) "
                       "VALUES (?, ?, ?, ?, ?, ?)",
                       ((r.household_id, r.outcome, r.visited_at, r.visitor, source, stamp)
                        for r in records.itertuples(index=False)))
        store.audit(db, command)


def run_visit_add(household: str, *, outcome: str, time: str, visitor: str | None, store: str | Path | None,
                  settings_path=None, command: str = "visits add") -> None:
    from cocoon.field.visit_lists import OUTCOMES
    from cocoon.store.visit_records import parse_outcome, parse_time

    settings = load_settings(settings_path)
    code = parse_outcome(outcome)
    if code is None:
        raise InputError("visits.bad_outcome_option", value=outcome, codes=", ".join(OUTCOMES))
    when = parse_time(time, dt.date.today())
    if when is None:
        raise InputError("visits.bad_time_option", value=time)
    opened = open_store(store_path(store, settings), create=False)
    try:
        if household not in known_households(opened):
            raise InputError("visits.unknown_household_option", value=household)
        add_visits(opened, pd.DataFrame([{"household_id": household, "outcome": code,
                                          "visited_at": when.isoformat(timespec="minutes"), "visitor": visitor}]),
                   source="visits add", command=command)
    finally:
        opened.close()


def run_signs_up(signs_csv: Path, *, store: str | Path | None, sign_ids: tuple[str, ...] = (), date: dt.date,
                 settings_path=None, command: str = "signs up") -> int:
    """Record the signs of a plan's signs.csv (all, or the ids given) as put up on ``date``."""
    from cocoon.inputs.tables import read_table

    settings = load_settings(settings_path)
    table = read_table(signs_csv).frame
    needed = {"sign_id", "zone", "lon", "lat", "down"}
    if not needed <= set(map(str, table.columns)):
        raise InputError("signs.not_a_signs_file", file=str(signs_csv))
    table = table.astype({"sign_id": str})
    if sign_ids:
        unknown = sorted(set(sign_ids) - set(table["sign_id"]))
        if unknown:
            raise InputError("signs.unknown_sign", file=str(signs_csv), ids=", ".join(unknown))
        table = table[table["sign_id"].isin(sign_ids)]
    opened = open_store(store_path(store, settings))
    try:
        with opened.transaction() as db:
            for row in table.itertuples(index=False):
                db.execute("INSERT OR REPLACE INTO signs VALUES (?, ?, ?, ?, ?, ?, NULL, ?)",
                           (row.sign_id, int(row.zone), float(row.lon), float(row.lat), str(row.down),
                            date.isoformat(), str(getattr(row, "burglaries", "") or "")))
            opened.audit(db, command)
    finally:
        opened.close()
    return len(table)


def run_signs_down(sign_ids: tuple[str, ...], *, store: str | Path | None, date: dt.date, due: bool = False,
                   settings_path=None, command: str = "signs down") -> int:
    """Mark signs as taken down on ``date``: the ids given, or with ``due`` every sign due by then."""
    settings = load_settings(settings_path)
    opened = open_store(store_path(store, settings), create=False)
    try:
        with opened.transaction() as db:
            if due:
                ids = [r[0] for r in db.execute("SELECT sign_id FROM signs WHERE taken_down IS NULL AND planned_down <= ?",
                                                (date.isoformat(),))]
            else:
                ids = list(sign_ids)
                up = {r[0] for r in db.execute("SELECT sign_id FROM signs WHERE taken_down IS NULL")}
                unknown = sorted(set(ids) - up)
                if unknown:
                    raise InputError("signs.not_up", ids=", ".join(unknown))
            db.executemany("UPDATE signs SET taken_down = ? WHERE sign_id = ?", [(date.isoformat(), i) for i in ids])
            opened.audit(db, command)
    finally:
        opened.close()
    return len(ids)


def load_delivery(store: str | Path | None, *, on: dt.date, settings_path=None, command: str = "status"):
    from cocoon.store.delivery import delivery

    settings = load_settings(settings_path)
    opened = open_store(store_path(store, settings), create=False)
    try:
        burglaries = pd.read_sql_query("SELECT burglary_id, last_time FROM burglaries", opened.db)
        listed = pd.read_sql_query("SELECT plan_id, household_id, tier, burglary_ids FROM plan_households", opened.db)
        visits = pd.read_sql_query("SELECT household_id, outcome, visited_at FROM visits", opened.db)
        signs = pd.read_sql_query("SELECT * FROM signs", opened.db)
        with opened.transaction() as db:
            opened.audit(db, command)
    finally:
        opened.close()
    return delivery(burglaries, listed, visits, signs, on=on)


@dataclass
class Purged:
    before: dt.date
    counts: dict[str, int]


def run_purge(*, store: str | Path | None, before: dt.date | None, settings_path=None, today: dt.date | None = None,
              command: str = "purge") -> Purged:
    """Remove personal data dated before ``before`` (default: the zone window plus the retention
    days before today): burglaries, visits, plans with their households, and signs taken down."""
    settings = load_settings(settings_path)
    if before is None:
        days = settings.zones.active_days + settings.store.retention_days
        before = (today or dt.date.today()) - dt.timedelta(days=days)
    cut = before.isoformat()
    opened = open_store(store_path(store, settings), create=False)
    counts = {}
    try:
        with opened.transaction() as db:
            counts["burglaries"] = db.execute("DELETE FROM burglaries WHERE last_time < ?", (cut,)).rowcount
            counts["visits"] = db.execute("DELETE FROM visits WHERE visited_at < ?", (cut,)).rowcount
            old_plans = [r[0] for r in db.execute("SELECT plan_id FROM plans WHERE plan_date < ?", (cut,))]
            counts["plan_households"] = db.execute(
                f"DELETE FROM plan_households WHERE plan_id IN ({','.join('?' * len(old_plans))})",
                old_plans).rowcount if old_plans else 0
            counts["plans"] = db.execute("DELETE FROM plans WHERE plan_date < ?", (cut,)).rowcount
            counts["signs"] = db.execute("DELETE FROM signs WHERE taken_down IS NOT NULL AND taken_down < ?",
                                         (cut,)).rowcount
            opened.audit(db, command)
    finally:
        opened.close()
    return Purged(before=before, counts=counts)
