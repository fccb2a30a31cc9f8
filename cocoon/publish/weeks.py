"""Weeks as residents see them: ISO 8601 week numbers, never exact dates, on anything public."""

from __future__ import annotations

import datetime as dt

import pandas as pd


def iso_week(day: dt.date | str | pd.Timestamp) -> tuple[int, int]:
    """(ISO year, ISO week) of ``day``: 2026-11-26 is week 48 of 2026, 2027-01-01 week 53 of 2026."""
    year, week, _ = pd.Timestamp(day).isocalendar()
    return int(year), int(week)


def week_label(day: dt.date | str | pd.Timestamp) -> str:
    """ "48/2026": the week and its ISO year."""
    year, week = iso_week(day)
    return f"{week}/{year}"
