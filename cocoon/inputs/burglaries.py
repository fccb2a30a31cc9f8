"""Reported burglaries in: find the columns, read dates and places, refuse unusable rows.

A burglary has an id, a place, and either a date (or date-time) or a from/to window (the
victim was away, then found the burglary). Each row becomes one burglary with
``first_time``/``last_time`` (equal for a single date) and ``first_day``/``last_day``, the
calendar days they fall on. Optional address, note and modus operandi are kept as text.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pyproj import CRS

from cocoon.errors import InputError
from cocoon.inputs.columns import BurglaryColumns
from cocoon.inputs.dates import parse_dates, parse_times
from cocoon.inputs.points import read_points
from cocoon.inputs.rejects import Problems, refuse_duplicate_ids
from cocoon.inputs.tables import RawTable, find_column, read_table, text_values

ID_NAMES = ("burglary_id", "id", "case_id", "case", "incident_id", "incident", "event_id", "report_id",
            "arende", "arendenummer", "arendenr", "diarienummer", "anmalan", "anmalningsnummer", "handelsenummer")
DATE_NAMES = ("date", "datetime", "date_single", "date_time", "occurred", "occurred_on", "occurred_at",
              "incident_date", "crime_date", "brottsdatum", "datum", "handelsedatum", "tidpunkt", "time")
TIME_NAMES = ("klockslag", "klockslag_hhmm", "kl", "tid", "time", "time_of_day", "tidpunkt", "clock", "hour",
              "brottstid", "handelsetid")
"""A time of day in a column of its own, added to the date column's day."""
FROM_NAMES = ("date_from", "from", "from_date", "datetime_from", "start", "start_date", "earliest",
              "datum_fran", "fran", "fran_datum", "fran_tid", "tid_fran")
TO_NAMES = ("date_to", "to", "to_date", "datetime_to", "end", "end_date", "latest",
            "datum_till", "till", "till_datum", "till_tid", "tid_till")
ADDRESS_NAMES = ("address", "adress", "gatuadress", "street_address", "location", "plats", "brottsplats")
NOTE_NAMES = ("note", "notes", "anteckning", "anteckningar", "kommentar", "comment", "description", "beskrivning")
MODUS_NAMES = ("modus", "modus_operandi", "mo", "tillvagagangssatt", "method")

COLUMNS = ["burglary_id", "first_time", "last_time", "first_day", "last_day", "address", "note", "modus", "row"]


@dataclass
class BurglaryTable:
    """What reading a burglary file gives."""

    burglaries: Any
    """GeoDataFrame in the file's CRS (EPSG:4326 for lon/lat), columns :data:`COLUMNS` + geometry."""
    rejects: pd.DataFrame
    """Unusable rows (only when skipping was allowed), with row, column and reason."""
    source: str
    columns: dict[str, str]
    """Which column was used for what."""
    notes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    """Things the user should know (message key and values), e.g. ids made from row numbers."""


def read_burglaries(path: str | Path, *, columns: BurglaryColumns = BurglaryColumns(), crs: CRS | None = None,
                    plan_date: dt.date | None = None, skip_bad_rows: bool = False, date_format: str | None = None,
                    require_crs: bool = True) -> BurglaryTable:
    """Read burglaries from a CSV, GeoJSON, GeoPackage or (Geo)Parquet file."""
    return burglaries_from_table(read_table(path), columns=columns, crs=crs, plan_date=plan_date,
                                 skip_bad_rows=skip_bad_rows, date_format=date_format, require_crs=require_crs)


def require_ids(table: BurglaryTable) -> None:
    """Refuse a file without an id column where ids must last (the store): ids made from row
    numbers name other burglaries once the export is re-sorted or grows."""
    if "id" not in table.columns:
        raise InputError("plan.needs_burglary_ids", file=table.source)


def burglaries_from_table(table: RawTable, *, columns: BurglaryColumns = BurglaryColumns(), crs: CRS | None = None,
                          plan_date: dt.date | None = None, skip_bad_rows: bool = False,
                          date_format: str | None = None, require_crs: bool = True) -> BurglaryTable:
    import geopandas as gpd

    frame = table.frame
    if len(frame) == 0:
        raise InputError("input.no_rows", file=table.name)
    problems = Problems(table)
    notes: list[tuple[str, dict[str, Any]]] = []
    used: dict[str, str] = {}

    id_c = find_column(table, given=columns.id, candidates=ID_NAMES, option="--id-column")
    if id_c:
        ids = text_values(frame[id_c])
        problems.add(ids.isna().to_numpy(), column=id_c, key="input.no_id")
        used["id"] = id_c
    else:
        ids = pd.Series([f"row-{r}" for r in table.rows], index=frame.index, dtype=object)
        notes.append(("notes.ids_from_rows", {"file": table.name}))

    points = read_points(table, problems, columns=columns.coordinates, crs=crs, require_crs=require_crs)
    used["x"], used["y"] = points.columns

    first, last = _read_times(table, problems, columns, date_format, used, plan_date)

    rejects = problems.settle(skip_bad_rows=skip_bad_rows)
    good = ~problems.bad
    if id_c:
        refuse_duplicate_ids(table, ids, good, id_c)

    def opt(name: str, given: str | None, candidates: tuple[str, ...]) -> pd.Series:
        column = find_column(table, given=given, candidates=candidates, option=f"--{name}-column")
        if column is None:
            return pd.Series([None] * len(frame), index=frame.index, dtype=object)
        used[name] = column
        return text_values(frame[column])

    data = pd.DataFrame({
        "burglary_id": ids.to_numpy(dtype=object),
        "first_time": first,
        "last_time": last,
        "first_day": first.dt.normalize(),
        "last_day": last.dt.normalize(),
        "address": opt("address", columns.address, ADDRESS_NAMES).to_numpy(dtype=object),
        "note": opt("note", columns.note, NOTE_NAMES).to_numpy(dtype=object),
        "modus": opt("modus", columns.modus, MODUS_NAMES).to_numpy(dtype=object),
        "row": table.rows,
    })[good].reset_index(drop=True)
    burglaries = gpd.GeoDataFrame(data, geometry=points.geometry(good), crs=points.crs)
    burglaries.attrs["source"] = table.name
    return BurglaryTable(burglaries=burglaries, rejects=rejects, source=table.name, columns=used, notes=notes)


def _with_time(table: RawTable, problems: Problems, columns: BurglaryColumns, dates: pd.Series,
               date_c: str | None, used: dict[str, str], taken: set[str | None]) -> pd.Series:
    """The date column's days at the times of a separate time column (``Klockslag``), if any.
    A row without a time keeps its date as it is."""
    if date_c is None:
        if columns.time:
            raise InputError("input.time_needs_date", file=table.name, column=columns.time)
        return dates
    time_c = find_column(table, given=columns.time, candidates=(), option="--time-column") if columns.time else \
        next((c for c in (find_column(table, given=None, candidates=(name,), option="--time-column")
                          for name in TIME_NAMES) if c is not None and c not in taken), None)
    if time_c is None:
        return dates
    used["time"] = time_c
    times = parse_times(table.frame[time_c])
    problems.add(times.unreadable, column=time_c, key="input.bad_time_of_day", values=table.frame[time_c])
    known = times.values.notna() & dates.notna()
    return dates.where(~known, dates.dt.normalize() + times.values)


def _read_times(table: RawTable, problems: Problems, columns: BurglaryColumns, date_format: str | None,
                used: dict[str, str], plan_date: dt.date | None) -> tuple[pd.Series, pd.Series]:
    frame = table.frame
    date_c = find_column(table, given=columns.date, candidates=DATE_NAMES, option="--date-column")
    from_c = find_column(table, given=columns.date_from, candidates=FROM_NAMES, option="--from-column")
    to_c = find_column(table, given=columns.date_to, candidates=TO_NAMES, option="--to-column")
    if not (date_c or from_c or to_c):
        raise InputError("input.no_date_column", file=table.name, columns=", ".join(map(str, frame.columns)))
    nat = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")

    def parsed(column: str | None, role: str) -> pd.Series:
        if column is None:
            return nat
        used[role] = column
        dates = parse_dates(frame[column], date_format=date_format)
        if date_format and dates.unreadable.any() and dates.values.notna().sum() == 0:
            example = frame[column].iloc[int(np.flatnonzero(dates.unreadable)[0])]
            raise InputError("input.date_format_reads_nothing", file=table.name, column=column,
                             format=date_format, value=example)
        problems.add(dates.out_of_range, column=column, key="input.date_out_of_range", values=frame[column])
        problems.add(dates.unreadable, column=column, key="input.bad_date", values=frame[column])
        return dates.values

    single, start, end = parsed(date_c, "date"), parsed(from_c, "date_from"), parsed(to_c, "date_to")
    single = _with_time(table, problems, columns, single, date_c, used, taken={date_c, from_c, to_c})
    first = start.fillna(end).fillna(single)
    last = end.fillna(start).fillna(single)
    where = to_c or from_c or date_c
    assert where is not None  # a file without any date column was refused above
    problems.add(first.isna().to_numpy(), column=where, key="input.no_date")
    problems.add((first > last).to_numpy(), column=f"{from_c}/{to_c}", key="input.window_reversed",
                 values=lambda i: f"{first.iloc[i]} > {last.iloc[i]}")
    if plan_date is not None:
        limit = pd.Timestamp(plan_date) + pd.Timedelta(days=1)
        future = (last >= limit).to_numpy()
        problems.add(future, column=where, key="input.after_plan_date", values=frame[where], plan_date=str(plan_date))
    return first, last
