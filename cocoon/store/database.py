"""The local store: one SQLite file with the burglaries, plans, visits, signs and an audit log.

Every change happens in one transaction, so a write either completes or leaves nothing (also
when the process is killed: SQLite rolls the journal back the next time the file is opened).
Two processes writing at once take turns (``busy_timeout``). The schema version is kept in
``PRAGMA user_version``; a file from a newer cocoon is refused rather than misread.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import getpass
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from cocoon.errors import CocoonError

SCHEMA_VERSION = 1
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
    recorded_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS visits_household ON visits(household_id);
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
    command TEXT NOT NULL
);
"""


class StoreError(CocoonError):
    """The store file cannot be used."""


def now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")


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
            raise StoreError("store.busy", path=str(self.path), reason=str(exc)) from None
        try:
            yield self.db
        except BaseException:
            self.db.rollback()
            raise
        else:
            self.db.commit()

    def audit(self, db: sqlite3.Connection, command: str) -> None:
        """Record who ran what (inside the command's own transaction)."""
        try:
            user = getpass.getuser()
        except Exception:  # no user name in some containers and services
            user = "unknown"
        db.execute("INSERT INTO audit (at, user, command) VALUES (?, ?, ?)", (now(), user, command))

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_store(path: str | Path, *, create: bool = True) -> Store:
    """Open (and create, the first time) the store at ``path``; clear errors for bad files."""
    path = Path(path)
    if path.is_dir():
        raise StoreError("store.is_a_folder", path=str(path))
    if not path.exists() and not create:
        raise StoreError("store.missing", path=str(path))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        db.execute("PRAGMA foreign_keys = ON")
        version = int(db.execute("PRAGMA user_version").fetchone()[0])
        if version > SCHEMA_VERSION:
            db.close()
            raise StoreError("store.newer_schema", path=str(path), found=version, known=SCHEMA_VERSION)
        check = db.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            db.close()
            raise StoreError("store.corrupt", path=str(path), reason=str(check))
        if version < SCHEMA_VERSION:
            db.executescript(f"BEGIN IMMEDIATE;\n{SCHEMA}\nPRAGMA user_version = {SCHEMA_VERSION};\nCOMMIT;")
    except sqlite3.DatabaseError as exc:
        raise StoreError("store.corrupt", path=str(path), reason=str(exc)) from None
    except OSError as exc:
        raise StoreError("store.cannot_open", path=str(path), reason=exc.strerror or str(exc)) from None
    db.row_factory = sqlite3.Row
    return Store(db, path)
