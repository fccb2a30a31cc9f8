"""The local store: one SQLite file with the burglaries, plans, visits, signs and an audit log.

Every change happens in one transaction, so a write either completes or leaves nothing (also
when the process is killed: SQLite rolls the journal back the next time the file is opened).
Two processes writing at once take turns (``busy_timeout``). The schema version is kept in
``PRAGMA user_version``; a file from a newer cocoon is refused rather than misread.

Before any command uses it, the file is checked: an empty (0-byte) file, a truncated or damaged
one, another program's SQLite file, a store missing a table or a column, and a store cocoon may
not write to are each refused with a message, never a traceback.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import getpass
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from cocoon.errors import StoreError
from cocoon.store.trial_schema import TRIAL_COLUMNS, TRIAL_EPISODES, TRIAL_TABLES

try:
    import pwd
except ImportError:  # Windows has no password database
    pwd = None  # type: ignore[assignment]

SCHEMA_VERSION = 7
"""1: the first store; 2: the audit log records failed commands (column ``error``); 3: the
de-identified evaluation episodes (table ``evaluation_episodes``), which purge leaves; 4: visits
keep the unique id a phone or form gave the record (``record_id``), so an export imported twice is
stored once; 5: randomised trials (tables ``trials``, ``trial_allocation``, ``trial_assignments``,
see :mod:`cocoon.store.trial`); 6: the kept episodes record the weekday of the report (``weekday``,
1–7), a covariate; 7: a trial's de-identified episodes that purge leaves (table ``trial_episodes``)."""
APPLICATION_ID = 0x636F636F
"""``PRAGMA application_id`` of a cocoon store ("coco"), so that another SQLite file is never taken for one."""
BUSY_TIMEOUT_MS = 60_000

SCHEMA = """
CREATE TABLE IF NOT EXISTS burglaries (
    burglary_id TEXT PRIMARY KEY,
    first_time TEXT NOT NULL,
    last_time TEXT NOT NULL,
    lon REAL NOT NULL,
    lat REAL NOT NULL,
    address TEXT,
    note TEXT,
    modus TEXT,
    source TEXT,
    ingested_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS plans (
    plan_id INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_date TEXT NOT NULL,
    made_at TEXT NOT NULL,
    out_dir TEXT,
    radius_m REAL, high_days INTEGER, elevated_days INTEGER
);
CREATE TABLE IF NOT EXISTS plan_households (
    plan_id INTEGER NOT NULL REFERENCES plans(plan_id) ON DELETE CASCADE,
    household_id TEXT NOT NULL,
    label TEXT,
    tier TEXT,
    score REAL,
    burglary_ids TEXT,
    PRIMARY KEY (plan_id, household_id)
);
CREATE INDEX IF NOT EXISTS plan_households_household ON plan_households(household_id);
CREATE TABLE IF NOT EXISTS visits (
    visit_id INTEGER PRIMARY KEY AUTOINCREMENT,
    household_id TEXT NOT NULL,
    outcome TEXT NOT NULL,
    visited_at TEXT NOT NULL,
    visitor TEXT,
    source TEXT,
    recorded_at TEXT NOT NULL,
    record_id TEXT
);
CREATE INDEX IF NOT EXISTS visits_household ON visits(household_id);
CREATE UNIQUE INDEX IF NOT EXISTS visits_record ON visits(record_id) WHERE record_id IS NOT NULL;
CREATE TABLE IF NOT EXISTS signs (
    sign_id TEXT PRIMARY KEY,
    zone INTEGER,
    lon REAL, lat REAL,
    planned_down TEXT,
    put_up TEXT NOT NULL,
    taken_down TEXT,
    burglary_ids TEXT
);
CREATE TABLE IF NOT EXISTS audit (
    audit_id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    user TEXT NOT NULL,
    command TEXT NOT NULL,
    error TEXT
);
"""
EVALUATION_EPISODES = """
CREATE TABLE IF NOT EXISTS evaluation_episodes (
    month TEXT NOT NULL,
    quarter TEXT, weekend INTEGER,
    households INTEGER NOT NULL, radius_m REAL,
    follow_on INTEGER NOT NULL, follow_on_elevated INTEGER, repeat INTEGER, repeat_elevated INTEGER,
    ring_follow_on INTEGER,
    household_days REAL NOT NULL, household_days_elevated REAL, ring_household_days REAL,
    prior_12m INTEGER, reporting_delay_h REAL,
    served INTEGER NOT NULL, ab_households INTEGER, hours_to_first_attempt REAL,
    attempted_24h_share REAL, attempted_48h_share REAL, face_to_face_share REAL, leaflet_only_share REAL,
    nothing_share REAL, with_sign INTEGER, days_to_sign REAL,
    recorded_on TEXT NOT NULL
);
"""
"""One row per episode, without ids, addresses or exact times, so that the evaluation keeps
accumulating after purge has removed the burglaries, plans and visits it came from."""
EPISODE_WEEKDAY = "ALTER TABLE evaluation_episodes ADD COLUMN weekday INTEGER;\n"
"""Schema 6: the weekday of the report (ISO, 1 Monday – 7 Sunday) in the kept episodes; episodes
kept before it have none (their weekday is an unknown level of the covariate)."""
SCHEMA += EVALUATION_EPISODES + EPISODE_WEEKDAY
SCHEMA += TRIAL_TABLES + TRIAL_EPISODES
MIGRATIONS = {
    1: "ALTER TABLE audit ADD COLUMN error TEXT;",
    2: EVALUATION_EPISODES,
    3: "ALTER TABLE visits ADD COLUMN record_id TEXT;\n"
    "CREATE UNIQUE INDEX IF NOT EXISTS visits_record ON visits(record_id) WHERE record_id IS NOT NULL;",
    4: TRIAL_TABLES,
    5: EPISODE_WEEKDAY,
    6: TRIAL_EPISODES,
}
"""What turns a store of one schema version into the next."""
ADDED_IN = {"evaluation_episodes": 3, **dict.fromkeys(TRIAL_COLUMNS, 5), "trial_episodes": 7}
"""Tables newer than the first schema: a store older than that version gets them by migration."""
COLUMNS_ADDED_IN = {("audit", "error"): 2, ("visits", "record_id"): 4, ("evaluation_episodes", "weekday"): 6}
"""Columns newer than their table: a store older than that version gets them by migration."""
TABLES = {
    "burglaries": {
        "burglary_id",
        "first_time",
        "last_time",
        "lon",
        "lat",
        "address",
        "note",
        "modus",
        "source",
        "ingested_at",
    },
    "plans": {"plan_id", "plan_date", "made_at", "out_dir", "radius_m", "high_days", "elevated_days"},
    "plan_households": {"plan_id", "household_id", "label", "tier", "score", "burglary_ids"},
    "visits": {"visit_id", "household_id", "outcome", "visited_at", "visitor", "source", "recorded_at", "record_id"},
    "signs": {"sign_id", "zone", "lon", "lat", "planned_down", "put_up", "taken_down", "burglary_ids"},
    "audit": {"audit_id", "at", "user", "command", "error"},
    "evaluation_episodes": {"month", "households", "follow_on", "household_days", "served", "recorded_on", "weekday"},
    **TRIAL_COLUMNS,
}
"""The tables and columns a store must have."""


def now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")


def system_user() -> str:
    """Who runs the command, from the process's user id (not $LOGNAME, which anyone can set)."""
    if pwd is not None:
        try:
            return pwd.getpwuid(os.getuid()).pw_name
        except KeyError:  # a uid with no entry (some containers)
            return f"uid {os.getuid()}"
    try:
        return getpass.getuser()
    except OSError:
        return "unknown"


class Store:
    """An open store. Use :func:`open_store`; write inside :meth:`transaction`."""

    def __init__(self, connection: sqlite3.Connection, path: Path):
        self.db = connection
        self.path = path

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """All or nothing: commits at the end, rolls back on any error."""
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise self.error(exc, busy=True) from None
        try:
            yield self.db
        except sqlite3.Error as exc:
            self.db.rollback()
            raise self.error(exc) from None
        except BaseException:
            self.db.rollback()
            raise
        else:
            try:
                self.db.commit()
            except sqlite3.Error as exc:
                self.db.rollback()
                raise self.error(exc) from None

    @contextlib.contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """Reads outside a transaction, with SQLite's errors turned into clear ones."""
        try:
            yield self.db
        except sqlite3.Error as exc:
            raise self.error(exc) from None
        except Exception as exc:  # pandas wraps SQLite's errors in its own
            if isinstance(exc.__cause__, sqlite3.Error) or type(exc).__name__ == "DatabaseError":
                raise self.error(exc) from None
            raise

    def error(self, exc: Exception, *, busy: bool = False) -> StoreError:
        reason = str(exc)
        if "readonly" in reason or "read-only" in reason:
            return StoreError("store.read_only", path=str(self.path))
        if busy and "locked" in reason:
            return StoreError("store.busy", path=str(self.path), reason=reason)
        code = getattr(exc, "sqlite_errorcode", None)
        if code == sqlite3.SQLITE_FULL or "disk is full" in reason:
            return StoreError("store.disk_full", path=str(self.path), folder=str(self.path.parent.resolve()))
        if (code is not None and code & 0xFF == sqlite3.SQLITE_IOERR) or "disk I/O error" in reason:
            return StoreError("store.io_error", path=str(self.path), reason=reason)
        return StoreError("store.corrupt", path=str(self.path), reason=reason)

    def audit(self, db: sqlite3.Connection, command: str, error: str | None = None) -> None:
        """Record who ran what, and the error if it failed (inside the command's own transaction)."""
        db.execute(
            "INSERT INTO audit (at, user, command, error) VALUES (?, ?, ?, ?)", (now(), system_user(), command, error)
        )

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def writable(path: Path) -> bool:
    """May this process write the file, and its folder (where SQLite keeps its journal)?"""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)


def require_existing(path: str | Path) -> Path:
    """``path`` if a file is there: a store that does not exist is refused (only ingest makes one)."""
    path = Path(path)
    if path.is_dir():
        raise StoreError("store.is_a_folder", path=str(path))
    if not path.exists():
        raise StoreError("store.missing", path=str(path))
    return path


def open_store(path: str | Path, *, create: bool = True) -> Store:
    """Open (and create, the first time) the store at ``path``; clear errors for bad files."""
    path = Path(path)
    if path.is_dir():
        raise StoreError("store.is_a_folder", path=str(path))
    if not create:
        require_existing(path)
    new = not path.exists()
    if not new and path.stat().st_size == 0:
        raise StoreError("store.empty_file", path=str(path))
    if not new and not writable(path):
        raise StoreError("store.read_only", path=str(path))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    except (OSError, sqlite3.Error) as exc:
        raise StoreError("store.cannot_open", path=str(path), reason=str(exc)) from None
    try:
        _prepare(db, path, new=new)
    except sqlite3.DatabaseError as exc:
        db.close()
        raise StoreError("store.corrupt", path=str(path), reason=str(exc)) from None
    except StoreError:
        db.close()
        raise
    db.row_factory = sqlite3.Row
    return Store(db, path)


def _prepare(db: sqlite3.Connection, path: Path, *, new: bool) -> None:
    """Check an existing store (or make a new one) and bring its schema up to date."""
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    db.execute("PRAGMA foreign_keys = ON")
    version = int(db.execute("PRAGMA user_version").fetchone()[0])
    application = int(db.execute("PRAGMA application_id").fetchone()[0])
    tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if version > SCHEMA_VERSION:
        raise StoreError("store.newer_schema", path=str(path), found=version, known=SCHEMA_VERSION)
    if not new and application != APPLICATION_ID and (version == 0 or not set(TABLES) <= tables):
        raise StoreError("store.not_a_store", path=str(path), tables=", ".join(sorted(tables)) or "-")
    check = db.execute("PRAGMA quick_check").fetchone()[0]
    if check != "ok":
        raise StoreError("store.corrupt", path=str(path), reason=str(check))
    if version == 0:
        db.executescript(
            f"BEGIN IMMEDIATE;\n{SCHEMA}\nPRAGMA user_version = {SCHEMA_VERSION};\n"
            f"PRAGMA application_id = {APPLICATION_ID};\nCOMMIT;"
        )
        return
    _check_tables(db, path, version)
    if version < SCHEMA_VERSION or application != APPLICATION_ID:
        steps = "".join(MIGRATIONS[v] for v in range(version, SCHEMA_VERSION))
        db.executescript(
            f"BEGIN IMMEDIATE;\n{steps}\nPRAGMA user_version = {SCHEMA_VERSION};\n"
            f"PRAGMA application_id = {APPLICATION_ID};\nCOMMIT;"
        )
    _check_tables(db, path)


def _check_tables(db: sqlite3.Connection, path: Path, version: int = SCHEMA_VERSION) -> None:
    for table, needed in TABLES.items():
        if version < ADDED_IN.get(table, 0):
            continue  # made by the migration
        columns = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
        if not columns:
            raise StoreError("store.missing_table", path=str(path), table=table)
        missing = {c for c in needed - columns if version >= COLUMNS_ADDED_IN.get((table, c), 0)}
        if missing:
            raise StoreError("store.missing_column", path=str(path), table=table, columns=", ".join(sorted(missing)))
