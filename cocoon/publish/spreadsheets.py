"""How the CSV files meant for people are written: the plain dialect or the Swedish one.

- ``plain``: UTF-8, ``,`` between cells, a decimal point, the column names as headings.
- ``auto`` (the default): excel-sv when the language is Swedish, plain otherwise.
- ``excel-sv``: what Swedish Excel opens correctly with a double-click: UTF-8 with a byte
  order mark, ``;`` between cells, a decimal comma, Swedish headings (the catalogue's
  ``csv_header``), yes/no as "ja"/"nej".

In both, times are written ``YYYY-MM-DD HH:MM``, coordinates to 6 decimals of a degree
(about 0.1 m) or 0.1 m, and other decimal numbers to 4 decimals. cocoon's own readers take
either dialect back (:func:`cocoon.inputs.tables.own_headers`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cocoon.catalogue import entry, text

DEGREES = ("lon", "lat")
METRES = ("x", "y")


def csv_dialect(setting: str | None, lang: str) -> str:
    """The dialect to write: the one named, or for ``auto`` (and None) the language's own."""
    if setting in ("excel-sv", "plain"):
        return setting
    return "excel-sv" if lang == "sv" else "plain"


def rounded(frame: pd.DataFrame) -> pd.DataFrame:
    """Coordinates and other decimals rounded, and times as ``YYYY-MM-DD HH:MM``."""
    out = frame.copy()
    for name, column in out.items():
        if pd.api.types.is_datetime64_any_dtype(column.dtype):
            out[name] = column.dt.strftime("%Y-%m-%d %H:%M")
        elif pd.api.types.is_float_dtype(column.dtype):
            out[name] = column.round(6 if name in DEGREES else 1 if name in METRES else 4)
    return out


def excel_sv(frame: pd.DataFrame) -> bytes:
    """``frame`` (already rounded and made safe) as Swedish Excel reads it."""
    lang = "sv"
    headings = {
        name: str(entry(f"csv_header.{name}", lang)) if _has_heading(str(name)) else str(name) for name in frame.columns
    }
    out = frame.rename(columns=headings)
    for name, column in out.items():
        if pd.api.types.is_bool_dtype(column.dtype):
            out[name] = np.where(column, text("csv.yes", lang), text("csv.no", lang))
    written: str = out.to_csv(sep=";", decimal=",", index=False, lineterminator="\r\n")
    return written.encode("utf-8-sig")


def _has_heading(name: str) -> bool:
    try:
        entry(f"csv_header.{name}", "en")
    except KeyError:
        return False
    return True
