"""Reported burglaries in: find the columns, read dates and places, refuse unusable rows.

A burglary has an id, a place, and either a date (or date-time) or a from/to window (the
victim was away, then found the burglary). Each row becomes one burglary with
``first_time``/``last_time`` (equal for a single date) and ``first_day``/``last_day``, the
calendar days they fall on. Optional address, note and modus operandi are kept as text.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from pyproj import CRS

from cocoon.errors import InputError
from cocoon.inputs.columns import BurglaryColumns
from cocoon.inputs.crime_types import left_out_records, read_crime_types, subset
from cocoon.inputs.dates import TWIN, ParsedDates, parse_dates, parse_times
from cocoon.inputs.points import read_points
from cocoon.inputs.rejects import Problems, refuse_duplicate_ids, rejects_frame
from cocoon.inputs.stable_ids import id_keys
from cocoon.inputs.tables import RawTable, find_column, read_table, text_values
from cocoon.settings import InputSettings

if TYPE_CHECKING:
    import geopandas as gpd

ID_NAMES = (
    "burglary_id",
    "id",
    "case_id",
    "case",
    "incident_id",
    "incident",
    "event_id",
    "report_id",
    "crime_id",
    "arende",
    "arendenummer",
    "arendenr",
    "diarienummer",
    "anmalan",
    "anmalningsnummer",
    "handelsenummer",
)
DATE_NAMES = (
    "date",
    "datetime",
    "date_single",
    "date_time",
    "occurred",
    "occurred_on",
    "occurred_at",
    "incident_date",
    "crime_date",
    "brottsdatum",
    "datum",
    "handelsedatum",
    "tidpunkt",
    "time",
)
TIME_NAMES = (
    "klockslag",
    "klockslag_hhmm",
    "kl",
    "tid",
    "time",
    "time_of_day",
    "tidpunkt",
    "clock",
    "hour",
    "brottstid",
    "handelsetid",
)
"""A time of day in a column of its own, added to the date column's day."""
FROM_NAMES = (
    "date_from",
    "from",
    "from_date",
    "datetime_from",
    "start",
    "start_date",
    "earliest",
    "datum_fran",
    "fran",
    "fran_datum",
    "fran_tid",
    "tid_fran",
    "brottsdag_start",
    "brottsdag_fran",
    "brottsdatum_fran",
    "handelsedatum_fran",
)
TO_NAMES = (
    "date_to",
    "to",
    "to_date",
    "datetime_to",
    "end",
    "end_date",
    "latest",
    "datum_till",
    "till",
    "till_datum",
    "till_tid",
    "tid_till",
    "brottsdag_slut",
    "brottsdag_till",
    "brottsdatum_till",
    "handelsedatum_till",
)
FROM_TIME_NAMES = (
    "klockslag_fran",
    "kl_fran",
    "fran_klockslag",
    "fran_kl",
    "brottstid_start",
    "brottstid_fran",
    "time_from",
    "from_time",
    "start_time",
    "earliest_time",
)
"""A time of day in a column of its own, added to the day of the window's start (``Klockslag från``)."""
TO_TIME_NAMES = (
    "klockslag_till",
    "kl_till",
    "till_klockslag",
    "till_kl",
    "brottstid_slut",
    "brottstid_till",
    "time_to",
    "to_time",
    "end_time",
    "latest_time",
)
"""A time of day added to the day of the window's end (``Klockslag till``)."""
ADDRESS_NAMES = ("address", "adress", "gatuadress", "street_address", "location", "plats", "brottsplats")
NOTE_NAMES = ("note", "notes", "anteckning", "anteckningar", "kommentar", "comment", "description", "beskrivning")
MODUS_NAMES = ("modus", "modus_operandi", "mo", "tillvagagangssatt", "method")

COLUMNS = ["burglary_id", "first_time", "last_time", "first_day", "last_day", "address", "note", "modus", "row"]


@dataclass
class BurglaryTable:
    """What reading a burglary file gives."""

    burglaries: gpd.GeoDataFrame
    """GeoDataFrame in the file's CRS (EPSG:4326 for lon/lat), columns :data:`COLUMNS` + geometry."""
    rejects: pd.DataFrame
    """Unusable rows (only when skipping was allowed), with row, column and reason."""
    source: str
    columns: dict[str, str]
    """Which column was used for what."""
    notes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    """Things the user should know (message key and values), e.g. ids made from row numbers."""
    left_out: int = 0
    """Rows of ``rejects`` left out on purpose (other crimes, attempts), not for being unusable."""
    reading: dict[str, Any] = field(default_factory=dict)
    """How the file was read, for plan.json: the date order and why, the crime-type columns."""

    @property
    def unusable(self) -> int:
        """Rows left out because they could not be used."""
        return len(self.rejects) - self.left_out


def read_burglaries(
    path: str | Path,
    *,
    columns: BurglaryColumns = BurglaryColumns(),
    crs: CRS | None = None,
    plan_date: dt.date | None = None,
    skip_bad_rows: bool = False,
    date_format: str | None = None,
    require_crs: bool = True,
    settings: InputSettings = InputSettings(),
    active_days: int | None = None,
) -> BurglaryTable:
    """Read burglaries from a CSV, GeoJSON, GeoPackage or (Geo)Parquet file.

    ``settings`` say which crimes and dates are read (``--attempts`` and ``--date-order`` in
    ``columns`` win); ``active_days`` (the zone window), with ``plan_date``, tells whether the
    order of day and month would change the plan."""
    return burglaries_from_table(
        read_table(path, layer=columns.layer, option="--layer"),
        columns=columns,
        crs=crs,
        plan_date=plan_date,
        skip_bad_rows=skip_bad_rows,
        date_format=date_format,
        require_crs=require_crs,
        settings=settings,
        active_days=active_days,
    )


def require_ids(table: BurglaryTable) -> None:
    """Refuse a file without an id column where ids must last (the store): ids made from row
    numbers name other burglaries once the export is re-sorted or grows."""
    if "id" not in table.columns:
        raise InputError("plan.needs_burglary_ids", file=table.source)


def burglaries_from_table(
    table: RawTable,
    *,
    columns: BurglaryColumns = BurglaryColumns(),
    crs: CRS | None = None,
    plan_date: dt.date | None = None,
    skip_bad_rows: bool = False,
    date_format: str | None = None,
    require_crs: bool = True,
    settings: InputSettings = InputSettings(),
    active_days: int | None = None,
) -> BurglaryTable:
    import geopandas as gpd

    if len(table.frame) == 0:
        raise InputError("input.no_rows", file=table.name)
    reading = replace(
        settings, attempts=columns.attempts or settings.attempts, date_order=columns.date_order or settings.date_order
    )
    notes: list[tuple[str, dict[str, Any]]] = list(table.notes)  # what reading the file said (UTF-16...)
    used: dict[str, str] = {}
    info: dict[str, Any] = {}
    left_out = pd.DataFrame()
    crimes = read_crime_types(table, given=columns.crime, settings=reading)
    if crimes is not None:
        used["crime"] = ", ".join(crimes.columns)
        info.update(
            crime_columns=crimes.columns,
            crimes_left_out=crimes.left_out,
            attempts_counted=crimes.attempts,
            attempts=reading.attempts,
        )
        notes += crimes.notes(table.name, reading.attempts)
        left_out = rejects_frame(table, left_out_records(table, crimes, reading.attempts))
        table = subset(table, crimes.keep)
    frame = table.frame
    problems = Problems(table)

    id_c = find_column(table, given=columns.id, candidates=ID_NAMES, option="--id-column")
    if id_c:
        ids, keys = id_keys(text_values(frame[id_c]))
        problems.add(ids.isna().to_numpy(), column=id_c, key="input.no_id")
        used["id"] = id_c
    else:
        ids = pd.Series([f"row-{r}" for r in table.rows], index=frame.index, dtype=object)
        notes.append(("notes.ids_from_rows", {"file": table.name}))

    points = read_points(table, problems, columns=columns.coordinates, crs=crs, require_crs=require_crs)
    used["x"], used["y"] = points.columns

    first, last = _read_times(
        table,
        problems,
        columns,
        date_format,
        used,
        plan_date,
        _DateChoice(reading.date_order, active_days, notes, info),
    )

    rejects = problems.settle(skip_bad_rows=skip_bad_rows)
    if len(left_out):
        rejects = pd.concat([left_out, rejects], ignore_index=True) if len(rejects) else left_out
    good = ~problems.bad
    if id_c:
        merged = _same_burglary_twice(table, keys, ids, good, first, last, points.x, points.y, id_c, notes)
        if len(merged):
            rejects = pd.concat([rejects, merged], ignore_index=True) if len(rejects) else merged
            good = good & ~np.isin(np.arange(len(frame)), merged.attrs["index"])
        refuse_duplicate_ids(table, keys, good, id_c, shown=ids)

    def opt(name: str, given: str | None, candidates: tuple[str, ...]) -> pd.Series:
        column = find_column(table, given=given, candidates=candidates, option=f"--{name}-column")
        if column is None:
            return pd.Series([None] * len(frame), index=frame.index, dtype=object)
        used[name] = column
        return text_values(frame[column])

    data = pd.DataFrame(
        {
            "burglary_id": ids.to_numpy(dtype=object),
            "first_time": first,
            "last_time": last,
            "first_day": first.dt.normalize(),
            "last_day": last.dt.normalize(),
            "address": opt("address", columns.address, ADDRESS_NAMES).to_numpy(dtype=object),
            "note": opt("note", columns.note, NOTE_NAMES).to_numpy(dtype=object),
            "modus": opt("modus", columns.modus, MODUS_NAMES).to_numpy(dtype=object),
            "row": table.rows,
        }
    )[good].reset_index(drop=True)
    burglaries = gpd.GeoDataFrame(data, geometry=points.geometry(good), crs=points.crs)
    burglaries.attrs["source"] = table.name
    return BurglaryTable(
        burglaries=burglaries,
        rejects=rejects,
        source=table.name,
        columns=used,
        notes=notes,
        left_out=len(rejects) - len(problems.records()),
        reading=info,
    )


def _same_burglary_twice(
    table: RawTable,
    keys: pd.Series,
    ids: pd.Series,
    good: np.ndarray,
    first: pd.Series,
    last: pd.Series,
    x: np.ndarray,
    y: np.ndarray,
    column: str,
    notes: list[tuple[str, dict[str, Any]]],
) -> pd.DataFrame:
    """Rows whose ids match once case and invisible characters are ignored ("B-17", "b-17",
    "B-17" with a zero-width space) and that agree on time and place: one burglary listed twice.
    The later rows are left out (listed in the rejects file) and the summary names them; rows
    that disagree stay, and are refused as two burglaries with one id."""
    usable = pd.Series(keys.where(good, None))
    repeat = usable.notna().to_numpy() & usable.duplicated(keep="first").to_numpy()
    if not repeat.any():
        return pd.DataFrame()
    first_of = {k: i for i, k in reversed(list(enumerate(usable))) if k is not None}
    tolerance = 1e-5 if bool(np.all(np.abs(x[good]) <= 180)) and bool(np.all(np.abs(y[good]) <= 90)) else 1.0
    records, pairs = [], []
    for j in map(int, np.flatnonzero(repeat)):
        i = first_of[usable.iloc[j]]
        same = (
            first.iloc[i] == first.iloc[j]
            and last.iloc[i] == last.iloc[j]
            and abs(x[i] - x[j]) <= tolerance
            and abs(y[i] - y[j]) <= tolerance
        )
        if not same:
            continue
        row, other = int(table.rows[j]), int(table.rows[i])
        value = str(table.frame[column].iloc[j])
        records.append(
            {
                "index": j,
                "row": row,
                "column": column,
                "value": value,
                "key": "input.same_burglary_merged",
                "params": {
                    "file": table.name,
                    "row": row,
                    "column": column,
                    "value": ids.iloc[j],
                    "other": other,
                    "kept": ids.iloc[i],
                },
            }
        )
        pairs.append(f"'{ids.iloc[j]}' (row {row}) = '{ids.iloc[i]}' (row {other})")
    if not records:
        return pd.DataFrame()
    notes.append(
        ("notes.ids_merged", {"file": table.name, "column": column, "n": len(records), "pairs": "; ".join(pairs[:10])})
    )
    merged = rejects_frame(table, records)
    merged.attrs["index"] = [r["index"] for r in records]
    return merged


def _with_time(
    table: RawTable,
    problems: Problems,
    columns: BurglaryColumns,
    dates: pd.Series,
    date_c: str | None,
    used: dict[str, str],
    taken: set[str | None],
) -> pd.Series:
    """The date column's days at the times of a separate time column (``Klockslag``), if any.
    A row without a time keeps its date as it is."""
    if date_c is None:
        if columns.time:
            raise InputError("input.time_needs_date", file=table.name, column=columns.time)
        return dates
    time_c = (
        find_column(table, given=columns.time, candidates=(), option="--time-column")
        if columns.time
        else next(
            (
                c
                for c in (
                    find_column(table, given=None, candidates=(name,), option="--time-column") for name in TIME_NAMES
                )
                if c is not None and c not in taken
            ),
            None,
        )
    )
    if time_c is None:
        return dates
    used["time"] = time_c
    times = parse_times(table.frame[time_c])
    problems.add(times.unreadable, column=time_c, key="input.bad_time_of_day", values=table.frame[time_c])
    known = times.values.notna() & dates.notna()
    return dates.where(~known, dates.dt.normalize() + times.values)


@dataclass
class _DateChoice:
    """What decides the order of day and month, and where to say what was decided."""

    order: str
    """inputs.date_order or --date-order: auto, dmy, mdy or ymd."""
    active_days: int | None
    notes: list[tuple[str, dict[str, Any]]]
    info: dict[str, Any]


def _window_times(
    table: RawTable,
    problems: Problems,
    columns: BurglaryColumns,
    start: pd.Series,
    end: pd.Series,
    from_c: str | None,
    to_c: str | None,
    used: dict[str, str],
    taken: set[str | None],
) -> tuple[pd.Series, pd.Series]:
    """The window's days at the times of its own time-of-day columns (``Klockslag från`` and
    ``Klockslag till`` beside ``Datum från`` and ``Datum till``), where the file has them."""
    out = []
    for dates, date_c, names, role in (
        (start, from_c, FROM_TIME_NAMES, "time_from"),
        (end, to_c, TO_TIME_NAMES, "time_to"),
    ):
        time_c = next(
            (
                c
                for c in (find_column(table, given=None, candidates=(name,), option="--from-column") for name in names)
                if c is not None and c not in taken
            ),
            None,
        )
        if date_c is None or time_c is None:
            out.append(dates)
            continue
        used[role] = time_c
        times = parse_times(table.frame[time_c])
        problems.add(times.unreadable, column=time_c, key="input.bad_time_of_day", values=table.frame[time_c])
        known = times.values.notna() & dates.notna()
        out.append(dates.where(~known, dates.dt.normalize() + times.values))
    return out[0], out[1]


def _read_times(
    table: RawTable,
    problems: Problems,
    columns: BurglaryColumns,
    date_format: str | None,
    used: dict[str, str],
    plan_date: dt.date | None,
    choice: _DateChoice,
) -> tuple[pd.Series, pd.Series]:
    frame = table.frame
    date_c = find_column(table, given=columns.date, candidates=DATE_NAMES, option="--date-column")
    from_c = find_column(table, given=columns.date_from, candidates=FROM_NAMES, option="--from-column")
    to_c = find_column(table, given=columns.date_to, candidates=TO_NAMES, option="--to-column")
    if not (date_c or from_c or to_c):
        raise InputError("input.no_date_column", file=table.name, columns=", ".join(map(str, frame.columns)))
    nat = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    read = {
        c: parse_dates(frame[c], date_format=date_format, order=choice.order)
        for c in dict.fromkeys((date_c, from_c, to_c))
        if c is not None
    }
    _decide_order(table, read, plan_date, choice, date_format)

    def parsed(column: str | None, role: str) -> pd.Series:
        if column is None:
            return nat
        used[role] = column
        dates = read[column]
        if date_format and dates.unreadable.any() and dates.values.notna().sum() == 0:
            example = frame[column].iloc[int(np.flatnonzero(dates.unreadable)[0])]
            raise InputError(
                "input.date_format_reads_nothing", file=table.name, column=column, format=date_format, value=example
            )
        problems.add(dates.out_of_range, column=column, key="input.date_out_of_range", values=frame[column])
        problems.add(dates.unreadable, column=column, key="input.bad_date", values=frame[column])
        return dates.values

    single, start, end = parsed(date_c, "date"), parsed(from_c, "date_from"), parsed(to_c, "date_to")
    single = _with_time(table, problems, columns, single, date_c, used, taken={date_c, from_c, to_c})
    start, end = _window_times(table, problems, columns, start, end, from_c, to_c, used, taken={date_c, from_c, to_c})
    first = start.fillna(end).fillna(single)
    last = end.fillna(start).fillna(single)
    where = to_c or from_c or date_c
    assert where is not None  # a file without any date column was refused above
    problems.add(first.isna().to_numpy(), column=where, key="input.no_date")
    problems.add(
        (first > last).to_numpy(),
        column=f"{from_c}/{to_c}",
        key="input.window_reversed",
        values=lambda i: f"{first.iloc[i]} > {last.iloc[i]}",
    )
    if plan_date is not None:
        limit = pd.Timestamp(plan_date) + pd.Timedelta(days=1)
        future = (last >= limit).to_numpy()
        problems.add(future, column=where, key="input.after_plan_date", values=frame[where], plan_date=str(plan_date))
    return first, last


def _decide_order(
    table: RawTable,
    read: dict[str, ParsedDates],
    plan_date: dt.date | None,
    choice: _DateChoice,
    date_format: str | None,
) -> None:
    """Settle the order of day and month for the whole file, and say which it is and why.

    A column that reads both ways takes the order another column of the file shows (a day above
    12), else the one that puts no burglary after the plan date, else day first when the two
    readings give the same plan (no burglary read differently is inside the zone window either
    way). Otherwise the file is refused: only the user knows."""
    ambiguous = {c: p for c, p in read.items() if p.alternative is not None}
    shown = {p.order for p in read.values() if p.alternative is None and p.fmt in (*TWIN, *TWIN.values())}
    column = next(iter(ambiguous), None) or next((c for c, p in read.items() if p.order), None)
    if column is None:
        return
    how = "given" if date_format or choice.order != "auto" else "data"
    if ambiguous:
        month_first, how = _month_first(table, column, ambiguous, shown, plan_date, choice)
        for name, p in ambiguous.items():
            if month_first:
                assert p.alternative is not None
                read[name] = ParsedDates(p.alternative, p.unreadable, p.out_of_range, fmt=TWIN[str(p.fmt)])
            else:
                read[name] = ParsedDates(p.values, p.unreadable, p.out_of_range, fmt=p.fmt)
    parsed = read[column]
    order = parsed.order
    if order is None or parsed.fmt == "ISO8601":
        return
    choice.info.update(date_order=order, date_order_from=how)
    if how == "data":
        example_row = _telling_row(table, column, parsed)
        if example_row is None:
            return  # dot and dash dates: one order only, nothing to say
        choice.notes.append(
            ("notes.date_order_data", {"file": table.name, "column": column, "order": order, **example_row})
        )
    else:
        choice.notes.append((f"notes.date_order_{how}", {"file": table.name, "column": column, "order": order}))


def _month_first(
    table: RawTable,
    column: str,
    ambiguous: dict[str, ParsedDates],
    shown: set[str | None],
    plan_date: dt.date | None,
    choice: _DateChoice,
) -> tuple[bool, str]:
    """Whether columns that read both ways are month first, and what decided it; refused when
    nothing in the data decides and the order changes the plan."""
    if len(shown) == 1:
        return shown == {"mdy"}, "other_column"
    if plan_date is not None:
        limit = pd.Timestamp(plan_date) + pd.Timedelta(days=1)
        late = {
            name: any(
                bool((getattr(p, name) >= limit).any()) for p in ambiguous.values() if getattr(p, name) is not None
            )
            for name in ("values", "alternative")
        }
        if late["values"] != late["alternative"]:
            return late["values"], "plan_date"
        if choice.active_days is not None and not _changes_plan(ambiguous, plan_date, choice.active_days):
            return False, "same_plan"
    first = next(iter(ambiguous.values()))
    assert first.alternative is not None
    differs = (first.values != first.alternative) & first.values.notna()
    i = int(np.flatnonzero(differs.to_numpy())[0])
    raise InputError(
        "input.ambiguous_dates",
        file=table.name,
        column=column,
        row=int(table.rows[i]),
        value=str(table.frame[column].iloc[i]),
        dmy=first.values.iloc[i].date().isoformat(),
        mdy=first.alternative.iloc[i].date().isoformat(),
    )


def _telling_row(table: RawTable, column: str, parsed: ParsedDates) -> dict[str, Any] | None:
    """The first row whose date reads only in the order used (25/04/2026 is day first), if the
    other order exists for its format."""
    twins = {**TWIN, **{b: a for a, b in TWIN.items()}}
    if parsed.fmt not in twins:
        return None
    other = parse_dates(table.frame[column], date_format=twins[parsed.fmt])
    only = parsed.values.notna().to_numpy() & other.values.isna().to_numpy()
    if not only.any():
        return None
    i = int(np.flatnonzero(only)[0])
    return {"row": int(table.rows[i]), "value": str(table.frame[column].iloc[i])}


def _changes_plan(ambiguous: dict[str, ParsedDates], plan_date: dt.date, active_days: int) -> bool:
    """Whether any burglary read differently lies within the zone window in either reading."""
    on = pd.Timestamp(plan_date)
    for p in ambiguous.values():
        assert p.alternative is not None
        differs = (p.values != p.alternative).to_numpy()
        for dates in (p.values, p.alternative):
            age = (on - dates.dt.normalize()).dt.days.to_numpy(dtype=float)
            if bool((differs & (age >= 0) & (age <= active_days)).any()):
                return True
    return False
