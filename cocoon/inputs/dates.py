"""Reading dates and date-times from input columns.

Every cell of a column is read with the same date order: the first of the known formats that
reads the most cells wins (ISO 8601 first, then day-first, then month-first), so "03/04/2026"
is never read one way on one row and another way on the next. A time of day may follow the
date. ``--date-format`` names the format instead (strftime codes, e.g. "%d/%m/%Y"), and
``--date-order`` (``inputs.date_order``) the order of day, month and year.

When every cell reads both day-first and month-first (no day above 12) and the two readings
differ, the column is *ambiguous*: :class:`ParsedDates` then carries the month-first reading
too, and the reader of the file decides (another column, the plan date) or refuses.

Dates before 1900 or after 2100 are refused: they are typing mistakes (a year 2062 for 2026),
and no burglary record reaches that far.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cocoon.errors import InputError

DATE_FORMATS = ("ISO8601", "%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y", "%Y/%m/%d", "%d-%m-%Y", "%Y%m%d")
ORDER_FORMATS = {
    "dmy": ("%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y"),
    "mdy": ("%m/%d/%Y", "%m-%d-%Y", "%m.%d.%Y"),
    "ymd": ("%Y/%m/%d", "%Y%m%d", "%Y.%m.%d"),
}
"""The formats read for each ``--date-order`` (ISO 8601, year first, is always read too)."""
ORDER_OF = {fmt: order for order, formats in ORDER_FORMATS.items() for fmt in formats} | {"ISO8601": "ymd"}
"""The order of day, month and year that each format reads."""
TWIN = {"%d/%m/%Y": "%m/%d/%Y"}
"""Formats that read the same cells the other way round."""
TIME_SUFFIXES = ("", " %H:%M", " %H:%M:%S", "T%H:%M", "T%H:%M:%S")
FIRST_YEAR, LAST_YEAR = 1900, 2100
"""Dates outside these years are refused."""
_YEAR = r"(?<!\d)(\d{4})(?!\d)"


@dataclass
class ParsedDates:
    values: pd.Series
    """Naive date-times (local wall time); NaT where blank, unreadable or out of range."""
    unreadable: np.ndarray
    """Non-blank cells that could not be read as a date."""
    out_of_range: np.ndarray
    """Cells with a year before 1900 or after 2100."""
    fmt: str | None = None
    """The format that read the column (None: a date-time column, or nothing read)."""
    alternative: pd.Series | None = None
    """The month-first reading, when every cell reads both ways and the readings differ."""

    @property
    def order(self) -> str | None:
        """ "dmy", "mdy" or "ymd"; None when the column held date-times already."""
        return ORDER_OF.get(self.fmt) if self.fmt else None


def _to_datetime(text: pd.Series, fmt: str) -> pd.Series:
    """``text`` read with one format; NaT where it does not fit (never an exception)."""
    try:
        parsed = pd.to_datetime(text, format=fmt, errors="coerce")
    except (ValueError, OverflowError):
        return pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    if not pd.api.types.is_datetime64_any_dtype(parsed.dtype):  # mixed offsets give objects
        return pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    return parsed.astype("datetime64[ns]")


def _parse_with(text: pd.Series, base: str) -> pd.Series:
    if base == "ISO8601":
        # The wall-clock time as written: a UTC offset ("+02:00", "Z") is dropped, not applied.
        wall = text.str.replace(r"(?<=\d)(Z|[+-]\d\d:?\d\d)$", "", regex=True)
        return _to_datetime(wall, "ISO8601")
    result = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    for suffix in TIME_SUFFIXES:
        missing = result.isna() & text.notna()
        if not missing.any():
            break
        result[missing] = _to_datetime(text[missing], base + suffix)
    return result


def check_date_format(date_format: str, *, option: str = "--date-format") -> None:
    """Refuse a format with codes strftime does not know (``%Q``), before any file is read."""
    try:
        pd.Timestamp("2026-05-04 13:45").strftime(date_format)
        pd.to_datetime(pd.Series(["x"]), format=date_format, errors="coerce")
    except ValueError as exc:
        raise InputError("input.bad_date_format", option=option, value=date_format, reason=str(exc)) from None


def parse_dates(values: pd.Series, *, date_format: str | None = None, order: str = "auto") -> ParsedDates:
    """Date-times (naive, local wall time), the cells that could not be read and those out of range.

    ``order`` ("dmy", "mdy", "ymd" or "auto") limits the formats tried to that order's (and ISO 8601)."""
    n = len(values)
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        parsed = pd.to_datetime(values)
        if getattr(parsed.dtype, "tz", None) is not None:
            parsed = parsed.dt.tz_localize(None)
        years = parsed.dt.year.to_numpy(dtype=float)
        outside = (years < FIRST_YEAR) | (years > LAST_YEAR)
        return ParsedDates(parsed.astype("datetime64[ns]").where(~outside), np.zeros(n, dtype=bool), outside)
    text = values.astype(str).str.strip()
    blank = values.isna() | (text == "") | text.str.lower().isin(["nat", "nan", "none", "null"])
    text = text.where(~blank, None)
    year = pd.to_numeric(text.str.extract(_YEAR, expand=False), errors="coerce").to_numpy(dtype=float)
    outside = ((year < FIRST_YEAR) | (year > LAST_YEAR)) & ~blank.to_numpy()
    text = text.where(~outside, None)
    if date_format:
        check_date_format(date_format)
    if date_format:
        candidates = [date_format]
    elif order in ORDER_FORMATS:
        candidates = ["ISO8601", *ORDER_FORMATS[order]]
    else:
        candidates = list(DATE_FORMATS)
    best = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    best_count = -1
    best_fmt: str | None = None
    wanted = int((~blank).sum() - outside.sum())
    for fmt in candidates:
        parsed = _parse_with(text, fmt)
        count = int(parsed.notna().sum())
        if count > best_count:
            best, best_count, best_fmt = parsed, count, fmt
        if count == wanted:
            break
    alternative = None
    if not date_format and order == "auto" and best_fmt in TWIN and best_count == wanted and wanted > 0:
        other = _parse_with(text, TWIN[best_fmt])
        if int(other.notna().sum()) == wanted and not other.equals(best):
            alternative = other
    years_read = best.dt.year.to_numpy(dtype=float)
    late = (years_read < FIRST_YEAR) | (years_read > LAST_YEAR)  # e.g. 8-digit dates with no 4-digit year
    outside |= late
    best = best.where(~late)
    unreadable = ~blank.to_numpy() & ~outside & best.isna().to_numpy()
    if alternative is not None:
        alternative = alternative.where(~late)
    return ParsedDates(best, unreadable, outside, fmt=best_fmt if best_count > 0 else None, alternative=alternative)


_CLOCK = re.compile(r"^(?:kl\.?\s*)?(\d{1,2})(?:[:.](\d{2})(?:[:.](\d{2}))?|(\d{2}))?$", re.IGNORECASE)
"""A time of day: 21:30, 21.30, 21:30:15, 2130, 930 (a leading "kl" or "kl." allowed), or 21."""


@dataclass
class ParsedTimes:
    values: pd.Series
    """Time of day as a timedelta since midnight; NaT where blank or unreadable."""
    unreadable: np.ndarray
    """Non-blank cells that are not a time of day."""


def parse_times(values: pd.Series) -> ParsedTimes:
    """Times of day from a column of their own (``Klockslag``, ``time``): "21:30", "2130",
    "kl. 21.30"; a cell holding a whole date-time gives its time of day."""
    text = values.astype(str).str.strip()
    blank = (values.isna() | (text == "") | text.str.lower().isin(["nat", "nan", "none", "null"])).to_numpy()
    out = np.full(len(values), np.nan)
    for i, cell in enumerate(text.to_numpy(dtype=object)):
        if blank[i]:
            continue
        match = _CLOCK.match(str(cell))
        if match is None:
            continue
        hour_text, minute, second, packed = match.groups()
        if packed is not None:  # "2130", "0930"
            hour, minutes = int(hour_text), int(packed)
        elif minute is None and len(hour_text) > 2:
            continue
        else:
            hour, minutes = int(hour_text), int(minute or 0)
        seconds = int(second or 0)
        if hour < 24 and minutes < 60 and seconds < 60:
            out[i] = hour * 3600 + minutes * 60 + seconds
    missing = ~blank & np.isnan(out)
    if missing.any():  # whole date-times: take their time of day
        whole = parse_dates(values[missing])
        out[np.flatnonzero(missing)] = (whole.values - whole.values.dt.normalize()).dt.total_seconds().to_numpy()
    unreadable = ~blank & np.isnan(out)
    return ParsedTimes(pd.Series(pd.to_timedelta(out, unit="s"), index=values.index), unreadable)
