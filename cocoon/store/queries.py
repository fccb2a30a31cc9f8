"""Reading and writing the store's tables: every SQL statement of cocoon is here.

Each writing function runs inside the caller's transaction (``with store.transaction() as db``)
so that a command's changes and its audit record commit together or not at all.
"""

from __future__ import annotations

import datetime as dt
import shlex
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from cocoon.errors import InputError
from cocoon.geo.crs import is_lonlat, metres_apart
from cocoon.inputs.stable_ids import id_key, id_keys
from cocoon.store.database import Store, now
from cocoon.store.trial import purge_assignments

if TYPE_CHECKING:
    import geopandas as gpd

    from cocoon.risk.daily_plan import Plan


SAME_PLACE_M = 10.0
"""A burglary given again within this distance of where it is stored is the same burglary."""


@dataclass(frozen=True)
class Conflict:
    """A burglary id already in the store with another date or place (the stored one is kept)."""

    burglary_id: str
    stored: str
    given: str
    metres: float


@dataclass
class IngestResult:
    added: int
    unchanged: int
    conflicting: list[Conflict]
    """Ids already in the store with another date, or more than 10 m away: the stored record is kept."""
    rejected: int = 0
    rejects_path: Path | None = None
    notes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


def burglary_rows(burglaries: gpd.GeoDataFrame, source: str) -> list[tuple[Any, ...]]:
    """Rows for the burglaries table from a reader's GeoDataFrame (any CRS)."""
    lonlat = burglaries.to_crs(4326) if burglaries.crs is not None and not burglaries.crs.is_geographic else burglaries
    stamp = now()

    def text(value: object) -> str | None:
        return None if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)

    return [
        (
            str(b.burglary_id),
            pd.Timestamp(b.first_time).isoformat(),
            pd.Timestamp(b.last_time).isoformat(),
            float(g.x),
            float(g.y),
            text(b.address),
            text(b.note),
            text(b.modus),
            source,
            stamp,
        )
        for b, g in zip(burglaries.itertuples(index=False), lonlat.geometry, strict=True)
    ]


def ingest(db: sqlite3.Connection, burglaries: gpd.GeoDataFrame, *, source: str) -> IngestResult:
    """Add burglaries not yet in the store; re-importing the same file adds nothing.

    An id matches a stored one as the burglary reader matches ids within a file (by
    :func:`~cocoon.inputs.stable_ids.id_key`: without case or invisible characters), so "b-17" or
    "B-17" with a zero-width space in a later export is the stored "B-17": already there, or a
    conflict if its date or place differ. The stored id is kept as it is."""
    added, unchanged, conflicting = 0, 0, []
    rows = burglary_rows(burglaries, source)
    broken = [row[0] for row in rows if not bool(is_lonlat(row[3], row[4]))]
    if broken:
        raise InputError("store.bad_coordinates", file=source, ids=", ".join(broken[:10]), n=len(broken))
    stored_ids = pd.Series([r[0] for r in db.execute("SELECT burglary_id FROM burglaries")], dtype=object)
    by_key: dict[str, str] = {}
    for stored_id, key in zip(stored_ids, id_keys(stored_ids)[1], strict=True):
        if key is not None:
            by_key.setdefault(key, stored_id)
    for row in rows:
        old = db.execute(
            "SELECT first_time, last_time, lon, lat FROM burglaries WHERE burglary_id = ?", (row[0],)
        ).fetchone()
        key = id_key(row[0])
        if old is None and key is not None and key in by_key:
            old = db.execute(
                "SELECT first_time, last_time, lon, lat FROM burglaries WHERE burglary_id = ?", (by_key[key],)
            ).fetchone()
        if old is None:
            db.execute("INSERT INTO burglaries VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", row)
            if key is not None:
                by_key.setdefault(key, row[0])
            added += 1
            continue
        apart = float(metres_apart(row[3], row[4], old["lon"], old["lat"]))
        if (old["first_time"], old["last_time"]) == row[1:3] and apart <= SAME_PLACE_M:
            unchanged += 1
        else:
            conflicting.append(
                Conflict(
                    str(row[0]),
                    _described(old["first_time"], old["last_time"], old["lon"], old["lat"]),
                    _described(*row[1:5]),
                    apart,
                )
            )
    return IngestResult(added=added, unchanged=unchanged, conflicting=conflicting)


def _described(first: str, last: str, lon: float, lat: float) -> str:
    """ "2026-05-01 00:00 (18.06858, 59.32916)": when (a window as first – last) and where (lon, lat)."""
    when = first[:16] if first == last else f"{first[:16]} – {last[:16]}"
    return f"{when.replace('T', ' ')} ({lon:.5f}, {lat:.5f})"


def stored_burglaries(store: Store) -> gpd.GeoDataFrame:
    """The store's burglaries as the burglary reader gives them (EPSG:4326)."""
    import geopandas as gpd

    frame = read_frame(store, "SELECT * FROM burglaries ORDER BY burglary_id")
    first = pd.to_datetime(frame["first_time"])
    last = pd.to_datetime(frame["last_time"])
    data = pd.DataFrame(
        {
            "burglary_id": frame["burglary_id"],
            "first_time": first,
            "last_time": last,
            "first_day": first.dt.normalize(),
            "last_day": last.dt.normalize(),
            "address": frame["address"],
            "note": frame["note"],
            "modus": frame["modus"],
            "row": np.arange(2, len(frame) + 2),
        }
    )
    result = gpd.GeoDataFrame(data, geometry=gpd.points_from_xy(frame["lon"], frame["lat"]), crs=4326)
    result.attrs["source"] = str(store.path)
    return result


DONE = ("face", "refused", "kit", "watch")
"""Outcomes that settle a household for the zone window: someone answered (spoke, refused, took a
marking kit, signed up for neighbourhood watch). Knocking again would only annoy; a leaflet, a
locked door or a property owner contacted leave the household on the list."""


def visit_history(store: Store, *, on: dt.date, days: int) -> tuple[dict[str, str], dict[str, str]]:
    """Households settled in the last ``days`` days (see :data:`DONE`), with the outcome that
    settled them, and those whose latest visit in that time found nobody home (with its day), who
    come back for a revisit."""
    since = (pd.Timestamp(on) - pd.Timedelta(days=days)).isoformat()
    until = (pd.Timestamp(on) + pd.Timedelta(days=1)).isoformat()
    with store.reading() as db:
        rows = db.execute(
            "SELECT household_id, outcome, visited_at FROM visits WHERE visited_at >= ? AND "
            "visited_at < ? ORDER BY visited_at",
            (since, until),
        ).fetchall()
    reached: dict[str, str] = {}
    for r in rows:
        if r["outcome"] in DONE:
            reached.setdefault(r["household_id"], r["outcome"])
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
    with store.reading() as db:
        rows = db.execute(
            "SELECT household_id, outcome, visited_at FROM visits WHERE visited_at < ? ORDER BY visited_at", (until,)
        ).fetchall()
    return {r["household_id"]: (r["outcome"], r["visited_at"]) for r in rows}


def record_plan(db: sqlite3.Connection, plan: Plan, *, out_dir: str) -> int:
    """The plan and its listed households, so that visits can be checked and delivery measured."""
    zones = plan.settings.zones
    cursor = db.execute(
        "INSERT INTO plans (plan_date, made_at, out_dir, radius_m, high_days, elevated_days) VALUES (?, ?, ?, ?, ?, ?)",
        (plan.date.isoformat(), now(), out_dir, zones.radius_m, zones.high_days, zones.elevated_days),
    )
    plan_id = int(cursor.lastrowid or 0)
    v = plan.visits
    db.executemany(
        "INSERT INTO plan_households VALUES (?, ?, ?, ?, ?, ?)",
        zip(
            [plan_id] * len(v),
            v["household_id"].astype(str),
            v["label"].astype(str),
            v["tier"].astype(str),
            v["score"].astype(float),
            v["burglary_ids"].astype(str),
            strict=True,
        ),
    )
    return plan_id


def known_households(store: Store) -> set[str]:
    """Every household id that some recorded plan listed: the ids visits may name."""
    with store.reading() as db:
        return {r[0] for r in db.execute("SELECT DISTINCT household_id FROM plan_households")}


def add_visits(db: sqlite3.Connection, records: pd.DataFrame, *, source: str) -> int:
    """Visits with household_id, outcome, visited_at, visitor and, optionally, record_id (the unique id
    a phone page or form gave the record). A visit already in the store, by its record id or by the
    same household, time and outcome, or twice in ``records``, is stored once: importing a file
    again, or two officers' exports in any order, changes nothing. Returns how many were new."""
    stored = {tuple(map(str, r)) for r in db.execute("SELECT household_id, outcome, visited_at FROM visits")}
    stored_ids = {str(r[0]) for r in db.execute("SELECT record_id FROM visits WHERE record_id IS NOT NULL")}
    stamp = now()
    new = []
    has_ids = "record_id" in records.columns
    for r in records.itertuples(index=False):
        key = (str(r.household_id), str(r.outcome), str(r.visited_at))
        record_id = getattr(r, "record_id", None) if has_ids else None
        record_id = None if record_id is None or pd.isna(record_id) or not str(record_id).strip() else str(record_id)
        if key in stored or (record_id is not None and record_id in stored_ids):
            continue
        stored.add(key)
        if record_id is not None:
            stored_ids.add(record_id)
        new.append((r.household_id, r.outcome, r.visited_at, r.visitor, source, stamp, record_id))
    db.executemany(
        "INSERT INTO visits (household_id, outcome, visited_at, visitor, source, recorded_at, record_id) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        new,
    )
    return len(new)


@dataclass
class SignsPutUp:
    added: list[str]
    already_up: list[str]
    """Recorded as up before: kept as they were (the first day they went up stands)."""
    taken_down: list[str]
    """Recorded as taken down before: not put back by a second run of the same file."""


def put_up_signs(db: sqlite3.Connection, signs: pd.DataFrame, *, date: dt.date) -> SignsPutUp:
    """Signs (sign_id, zone, lon, lat, down, burglaries) recorded as put up on ``date``; a sign
    already in the store, up or taken down, is left as it is."""
    known = {str(r[0]): r[1] for r in db.execute("SELECT sign_id, taken_down FROM signs")}
    done = SignsPutUp([], [], [])
    for row in signs.itertuples(index=False):
        sign_id = str(row.sign_id)
        if sign_id in known:
            (done.already_up if known[sign_id] is None else done.taken_down).append(sign_id)
            continue
        db.execute(
            "INSERT INTO signs VALUES (?, ?, ?, ?, ?, ?, NULL, ?)",
            (
                sign_id,
                int(row.zone),
                float(row.lon),
                float(row.lat),
                str(row.down),
                date.isoformat(),
                str(getattr(row, "burglaries", "") or ""),
            ),
        )
        known[sign_id] = None
        done.added.append(sign_id)
    return done


def signs_due(db: sqlite3.Connection, *, by: dt.date) -> list[str]:
    """Signs still up whose planned take-down day is ``by`` or earlier."""
    return [
        r[0]
        for r in db.execute(
            "SELECT sign_id FROM signs WHERE taken_down IS NULL AND planned_down <= ?", (by.isoformat(),)
        )
    ]


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
    return DeliveryTables(
        burglaries=read_frame(store, "SELECT burglary_id, last_time FROM burglaries"),
        listed=read_frame(store, "SELECT plan_id, household_id, tier, burglary_ids FROM plan_households"),
        visits=read_frame(store, "SELECT household_id, outcome, visited_at FROM visits"),
        signs=read_frame(store, "SELECT * FROM signs"),
    )


def read_frame(store: Store, sql: str) -> pd.DataFrame:
    """A query's rows as a table, with SQLite's errors turned into clear ones."""
    with store.reading() as db:
        return pd.read_sql_query(sql, db)


def purge_before(db: sqlite3.Connection, cut: dt.date) -> dict[str, int]:
    """Remove burglaries, visits, plans with their households, and signs taken down, dated before
    ``cut``; take the burglary ids out of a trial's assignments of that time; and take visitor
    names and household ids out of the audit log's command lines that are older, or that name a
    purged visit's household or visitor."""
    day = cut.isoformat()
    personal = {
        value
        for row in db.execute("SELECT household_id, visitor FROM visits WHERE visited_at < ?", (day,))
        for value in row
        if value
    }
    counts = {
        "burglaries": db.execute("DELETE FROM burglaries WHERE last_time < ?", (day,)).rowcount,
        "visits": db.execute("DELETE FROM visits WHERE visited_at < ?", (day,)).rowcount,
    }
    old_plans = [r[0] for r in db.execute("SELECT plan_id FROM plans WHERE plan_date < ?", (day,))]
    counts["plan_households"] = (
        db.execute(
            f"DELETE FROM plan_households WHERE plan_id IN ({','.join('?' * len(old_plans))})", old_plans
        ).rowcount
        if old_plans
        else 0
    )
    counts["plans"] = db.execute("DELETE FROM plans WHERE plan_date < ?", (day,)).rowcount
    counts["signs"] = db.execute("DELETE FROM signs WHERE taken_down IS NOT NULL AND taken_down < ?", (day,)).rowcount
    counts["trial_assignments"] = purge_assignments(db, day)
    counts["audit"] = 0
    for audit_id, at, command in db.execute("SELECT audit_id, at, command FROM audit").fetchall():
        words = set(shlex.split(command)) if _splits(command) else set(command.split())
        if at >= day and not words & personal:
            continue
        cleaned = redacted(command)
        if cleaned != command:
            db.execute("UPDATE audit SET command = ? WHERE audit_id = ?", (cleaned, audit_id))
            counts["audit"] += 1
    return counts


PERSONAL_OPTIONS = ("--visitor", "--start", "--officer-names")
"""Options whose value can name a person or a home: a visitor, officers, or a start address."""
REMOVED = "[removed]"


def _splits(command: str) -> bool:
    try:
        shlex.split(command)
    except ValueError:
        return False
    return True


def redacted(command: str) -> str:
    """A recorded command line without visitor names and household ids (``visits add ID``)."""
    try:
        words = shlex.split(command)
    except ValueError:  # an unbalanced quote: nothing can be told apart, so keep only the command
        return " ".join(command.split()[:3]) + f" {REMOVED}"
    out: list[str] = []
    hide_next = False
    for k, word in enumerate(words):
        option, _, value = word.partition("=")
        if hide_next:
            out.append(REMOVED)
            hide_next = False
        elif option in PERSONAL_OPTIONS and value:
            out.append(f"{option}={REMOVED}")
        elif word in PERSONAL_OPTIONS:
            out.append(word)
            hide_next = True
        elif k >= 3 and words[1:3] == ["visits", "add"] and k == 3:
            out.append(REMOVED)  # the household id
        else:
            out.append(word)
    return " ".join(shlex.quote(w) if w != REMOVED and not w.endswith(REMOVED) else w for w in out)


@dataclass
class EvaluationTables:
    """What ``cocoon evaluate --store`` builds its episodes from."""

    burglaries: pd.DataFrame
    plans: pd.DataFrame
    listed: pd.DataFrame
    visits: pd.DataFrame
    signs: pd.DataFrame
    archived: pd.DataFrame
    """The de-identified episodes kept in the store (table evaluation_episodes)."""


def evaluation_tables(store: Store) -> EvaluationTables:
    return EvaluationTables(
        burglaries=read_frame(
            store, "SELECT burglary_id, first_time, last_time, address FROM burglaries ORDER BY burglary_id"
        ),
        plans=read_frame(store, "SELECT plan_id, plan_date, radius_m FROM plans"),
        listed=read_frame(store, "SELECT plan_id, household_id, tier, burglary_ids FROM plan_households"),
        visits=read_frame(store, "SELECT household_id, outcome, visited_at FROM visits"),
        signs=read_frame(store, "SELECT * FROM signs"),
        archived=read_frame(store, "SELECT * FROM evaluation_episodes"),
    )


ARCHIVED_COLUMNS = (
    "month",
    "quarter",
    "weekend",
    "weekday",
    "households",
    "radius_m",
    "follow_on",
    "follow_on_elevated",
    "repeat",
    "repeat_elevated",
    "ring_follow_on",
    "household_days",
    "household_days_elevated",
    "ring_household_days",
    "prior_12m",
    "reporting_delay_h",
    "served",
    "ab_households",
    "hours_to_first_attempt",
    "attempted_24h_share",
    "attempted_48h_share",
    "face_to_face_share",
    "leaflet_only_share",
    "nothing_share",
    "with_sign",
    "days_to_sign",
)
"""The columns of the de-identified episode table (besides the day they were recorded)."""


def archive_episodes(db: sqlite3.Connection, episodes: pd.DataFrame, months: list[str]) -> int:
    """Replace the de-identified episodes of ``months`` by those in ``episodes`` (columns
    :data:`ARCHIVED_COLUMNS`); returns how many rows were written."""
    for month in months:
        db.execute("DELETE FROM evaluation_episodes WHERE month = ?", (month,))
    rows = episodes[episodes["month"].isin(months)]
    day = dt.date.today().isoformat()
    columns = ", ".join((*ARCHIVED_COLUMNS, "recorded_on"))

    def plain(v: Any) -> Any:
        if isinstance(v, float) and np.isnan(v):
            return None
        return v.item() if hasattr(v, "item") else v

    values = [(*(plain(v) for v in row), day) for row in rows[list(ARCHIVED_COLUMNS)].itertuples(index=False)]
    marks = ", ".join("?" * (len(ARCHIVED_COLUMNS) + 1))
    db.executemany(f"INSERT INTO evaluation_episodes ({columns}) VALUES ({marks})", values)
    return len(values)
