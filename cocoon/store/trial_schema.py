"""The tables of a randomised trial (store schema 5) and its kept episodes (schema 7).

The SQL that uses them is in :mod:`cocoon.store.trial`."""

from __future__ import annotations

TRIAL_TABLES = """
CREATE TABLE IF NOT EXISTS trials (
    trial_id INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at TEXT NOT NULL,
    design TEXT NOT NULL,
    allocation_hash TEXT NOT NULL,
    stopped_at TEXT
);
CREATE TABLE IF NOT EXISTS trial_allocation (
    trial_id INTEGER NOT NULL REFERENCES trials(trial_id),
    stratum TEXT NOT NULL,
    position INTEGER NOT NULL,
    block INTEGER NOT NULL,
    arm TEXT NOT NULL,
    PRIMARY KEY (trial_id, stratum, position)
);
CREATE TABLE IF NOT EXISTS trial_assignments (
    trial_id INTEGER NOT NULL REFERENCES trials(trial_id),
    burglary_id TEXT NOT NULL,
    reported TEXT NOT NULL,
    stratum TEXT NOT NULL,
    position INTEGER NOT NULL,
    arm TEXT NOT NULL,
    assigned_at TEXT NOT NULL,
    households INTEGER,
    PRIMARY KEY (trial_id, burglary_id)
);
"""
"""A randomised trial (``cocoon trial``): its design (seed, strata, delay) as JSON with the SHA-256
of its allocation, every place of the allocation, and the arm each burglary was given. The
assignment keeps the number of households in the burglary's zone (``households``), counted by the
first plan after its report (listed or held back alike), so that the analysis by assignment has
the same exposure in both arms."""
TRIAL_EPISODES = """
CREATE TABLE IF NOT EXISTS trial_episodes (
    trial_id INTEGER NOT NULL REFERENCES trials(trial_id),
    stratum TEXT NOT NULL,
    position INTEGER NOT NULL,
    arm TEXT NOT NULL,
    month TEXT NOT NULL,
    week INTEGER NOT NULL,
    households INTEGER,
    follow_on INTEGER,
    household_days REAL,
    served_48h INTEGER,
    hours_to_first_attempt REAL,
    recorded_on TEXT NOT NULL,
    PRIMARY KEY (trial_id, stratum, position)
);
"""
"""Schema 7: a de-identified episode per assigned burglary that ``cocoon purge`` reaches, kept
before it removes the burglaries, plans and visits, so that the trial's analysis still counts it.
It is found by its place in the allocation (stratum and position, as the assignment keeps them),
never by a burglary id; it holds the arm, the month of the report (YYYY-MM), the week of the
report as weeks since the trial's first week (the cluster), the zone's households (none: no zone
was counted), the follow-ons and household-days (none: not yet observed), whether a door was
attempted within 48 h and the whole hours to the first attempt."""
KEPT_EPISODE_COLUMNS = (
    "stratum",
    "position",
    "arm",
    "month",
    "week",
    "households",
    "follow_on",
    "household_days",
    "served_48h",
    "hours_to_first_attempt",
)
"""The columns of a kept trial episode (table ``trial_episodes``), besides the trial and the day."""
TRIAL_COLUMNS = {
    "trials": {"trial_id", "started_at", "design", "allocation_hash", "stopped_at"},
    "trial_allocation": {"trial_id", "stratum", "position", "block", "arm"},
    "trial_assignments": {
        "trial_id",
        "burglary_id",
        "reported",
        "stratum",
        "position",
        "arm",
        "assigned_at",
        "households",
    },
    "trial_episodes": {"trial_id", *KEPT_EPISODE_COLUMNS, "recorded_on"},
}
