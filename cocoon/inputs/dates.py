"""Reading dates and date-times from input columns.

Every cell of a column is read with the same date order: the first of the known formats that
reads the most cells wins (ISO 8601 first, then day-first, then month-first), so "03/04/2026"
is never read one way on one row and another way on the next. A time of day may follow the
date. ``--date-format`` names the format instead (strftime codes, e.g. "%d/%m/%Y").
"""

from __future__ import annotations

import numpy as np
import pandas as pd

DATE_FORMATS = ("ISO8601", "%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y", "%Y/%m/%d", "%d-%m-%Y", "%Y%m%d")
TIME_SUFFIXES = ("", " %H:%M", " %H:%M:%S", "T%H:%M", "T%H:%M:%S")


def _parse_with(text: pd.Series, base: str) -> pd.Series:
    if base == "ISO8601":
        # The wall-clock time as written: a UTC offset ("+02:00", "Z") is dropped, not applied.
        wall = text.str.replace(r"(?<=\d)(Z|[+-]\d\d:?\d\d)$", "", regex=True)
        return pd.to_datetime(wall, format="ISO8601", errors="coerce")
    result = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    for suffix in TIME_SUFFIXES:
        missing = result.isna() & text.notna()
        if not missing.any():
            break
        result[missing] = pd.to_datetime(text[missing], format=base + suffix, errors="coerce")
    return result


def parse_dates(values: pd.Series, *, date_format: str | None = None) -> tuple[pd.Series, np.ndarray]:
    """Date-times (naive, local wall time) and a mask of non-blank cells that could not be read."""
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        parsed = pd.to_datetime(values)
        if getattr(parsed.dtype, "tz", None) is not None:
            parsed = parsed.dt.tz_localize(None)
        return parsed.astype("datetime64[ns]"), np.zeros(len(values), dtype=bool)
    text = values.astype(str).str.strip()
    blank = values.isna() | (text == "") | text.str.lower().isin(["nat", "nan", "none", "null"])
    text = text.where(~blank, None)
    candidates = [date_format] if date_format else list(DATE_FORMATS)
    best: pd.Series | None = None
    best_count = -1
    for fmt in candidates:
        try:
            parsed = _parse_with(text, fmt)
        except (ValueError, TypeError):
            continue
        count = int(parsed.notna().sum())
        if count > best_count:
            best, best_count = parsed, count
        if count == int((~blank).sum()):
            break
    assert best is not None
    bad = (~blank.to_numpy()) & best.isna().to_numpy()
    return best.astype("datetime64[ns]"), bad
