"""The store's trial tables: the trial's design and hash, its allocation, and each burglary's arm.

Each writing function runs inside the caller's transaction, like :mod:`cocoon.store.queries`.
"""

from __future__ import annotations

import math
import sqlite3
from dataclasses import dataclass

import pandas as pd

from cocoon.store.database import now
from cocoon.store.trial_schema import KEPT_EPISODE_COLUMNS


@dataclass
class Trial:
    trial_id: int
    started_at: str
    design: str
    """The design as JSON (see :func:`cocoon.evaluation.trial_allocation.design_json`)."""
    allocation_hash: str
    stopped_at: str | None

    @property
    def running(self) -> bool:
        return self.stopped_at is None


PlaceRow = tuple[str, int, int, str]
"""One place of an allocation: stratum, position, block, arm."""


def create_trial(db: sqlite3.Connection, design: str, places: list[PlaceRow], digest: str) -> int:
    cursor = db.execute(
        "INSERT INTO trials (started_at, design, allocation_hash) VALUES (?, ?, ?)", (now(), design, digest)
    )
    trial_id = int(cursor.lastrowid or 0)
    db.executemany("INSERT INTO trial_allocation VALUES (?, ?, ?, ?, ?)", [(trial_id, *p) for p in places])
    return trial_id


def latest_trial(db: sqlite3.Connection) -> Trial | None:
    """The latest trial, running or stopped; None when the store has none."""
    row = db.execute("SELECT * FROM trials ORDER BY trial_id DESC LIMIT 1").fetchone()
    if row is None:
        return None
    return Trial(
        trial_id=int(row["trial_id"]),
        started_at=str(row["started_at"]),
        design=str(row["design"]),
        allocation_hash=str(row["allocation_hash"]),
        stopped_at=row["stopped_at"],
    )


def stop_trial(db: sqlite3.Connection, trial_id: int) -> str:
    stamp = now()
    db.execute("UPDATE trials SET stopped_at = ? WHERE trial_id = ?", (stamp, trial_id))
    return stamp


def stored_places(db: sqlite3.Connection, trial_id: int) -> list[PlaceRow]:
    """The allocation as stored, in the order it was made."""
    rows = db.execute(
        "SELECT stratum, position, block, arm FROM trial_allocation WHERE trial_id = ? ORDER BY rowid", (trial_id,)
    ).fetchall()
    return [(str(r[0]), int(r[1]), int(r[2]), str(r[3])) for r in rows]


def assignments(db: sqlite3.Connection, trial_id: int) -> pd.DataFrame:
    """Every burglary the trial assigned: burglary_id, reported, stratum, position, arm, households."""
    rows = db.execute(
        "SELECT burglary_id, reported, stratum, position, arm, assigned_at, households "
        "FROM trial_assignments WHERE trial_id = ? ORDER BY rowid",
        (trial_id,),
    ).fetchall()
    return pd.DataFrame(
        [tuple(r) for r in rows],
        columns=["burglary_id", "reported", "stratum", "position", "arm", "assigned_at", "households"],
    )


def unassigned(db: sqlite3.Connection, trial_id: int, *, starts: str) -> pd.DataFrame:
    """Burglaries reported on or after ``starts`` without an arm, in order of report."""
    rows = db.execute(
        "SELECT burglary_id, last_time, lon, lat FROM burglaries WHERE last_time >= ? AND burglary_id NOT IN "
        "(SELECT burglary_id FROM trial_assignments WHERE trial_id = ?) ORDER BY last_time, burglary_id",
        (starts, trial_id),
    ).fetchall()
    return pd.DataFrame([tuple(r) for r in rows], columns=["burglary_id", "reported", "lon", "lat"])


def used_places(db: sqlite3.Connection, trial_id: int) -> dict[str, int]:
    """Per stratum, the places given so far."""
    return {
        str(r[0]): int(r[1])
        for r in db.execute(
            "SELECT stratum, MAX(position) FROM trial_assignments WHERE trial_id = ? AND arm != 'beyond' "
            "GROUP BY stratum",
            (trial_id,),
        )
    }


def place_arms(db: sqlite3.Connection, trial_id: int) -> dict[tuple[str, int], str]:
    return {
        (str(r[0]), int(r[1])): str(r[2])
        for r in db.execute("SELECT stratum, position, arm FROM trial_allocation WHERE trial_id = ?", (trial_id,))
    }


def add_assignments(db: sqlite3.Connection, trial_id: int, rows: list[tuple[str, str, str, int, str]]) -> None:
    """``rows``: (burglary_id, reported, stratum, position, arm)."""
    stamp = now()
    db.executemany(
        "INSERT INTO trial_assignments (trial_id, burglary_id, reported, stratum, position, arm, "
        "assigned_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(trial_id, *r, stamp) for r in rows],
    )


def record_zone_sizes(db: sqlite3.Connection, trial_id: int, households: dict[str, int]) -> None:
    """The households in the trial's zones, counted by the first plan after the report."""
    db.executemany(
        "UPDATE trial_assignments SET households = ? WHERE trial_id = ? AND burglary_id = ? AND households IS NULL",
        [(n, trial_id, b) for b, n in households.items()],
    )


def burglary_times(db: sqlite3.Connection) -> pd.DataFrame:
    """Every stored burglary's report time and place (for the history stratum)."""
    rows = db.execute("SELECT burglary_id, last_time, lon, lat FROM burglaries").fetchall()
    return pd.DataFrame([tuple(r) for r in rows], columns=["burglary_id", "reported", "lon", "lat"])


PURGED_PREFIX = "purged-"


def purge_assignments(db: sqlite3.Connection, day: str) -> int:
    """Take the burglary ids (case numbers) out of the assignments reported before ``day``: each
    keeps its stratum, place and arm under ``purged-N``, so that ``trial verify`` still checks it."""
    return db.execute(
        f"UPDATE trial_assignments SET burglary_id = '{PURGED_PREFIX}' || rowid "
        f"WHERE reported < ? AND burglary_id NOT LIKE '{PURGED_PREFIX}%'",
        (day,),
    ).rowcount


def kept_episodes(db: sqlite3.Connection, trial_id: int) -> pd.DataFrame:
    """The trial's de-identified episodes kept before purge (:data:`KEPT_EPISODE_COLUMNS`)."""
    rows = db.execute(
        f"SELECT {', '.join(KEPT_EPISODE_COLUMNS)} FROM trial_episodes WHERE trial_id = ? ORDER BY stratum, position",
        (trial_id,),
    ).fetchall()
    return pd.DataFrame([tuple(r) for r in rows], columns=list(KEPT_EPISODE_COLUMNS))


def keep_episodes(db: sqlite3.Connection, trial_id: int, episodes: pd.DataFrame) -> int:
    """Keep (or replace, by place) the de-identified episodes of ``episodes``; returns how many."""

    def plain(v: object) -> object:
        if isinstance(v, float) and math.isnan(v):
            return None
        item = getattr(v, "item", None)
        return item() if callable(item) else v

    day = now()[:10]
    values = [
        (trial_id, *(plain(v) for v in row), day)
        for row in episodes[list(KEPT_EPISODE_COLUMNS)].itertuples(index=False)
    ]
    marks = ", ".join("?" * (len(KEPT_EPISODE_COLUMNS) + 2))
    db.executemany(
        f"INSERT OR REPLACE INTO trial_episodes (trial_id, {', '.join(KEPT_EPISODE_COLUMNS)}, recorded_on) "
        f"VALUES ({marks})",
        values,
    )
    return len(values)
