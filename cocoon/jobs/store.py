"""The store's jobs: ingest burglaries, record visits and signs, report delivery, purge old data.

Each job opens the store, does all its writing in one transaction with an audit record of who
ran what, and closes it. The SQL lives in :mod:`cocoon.store.queries`. Like every job, each takes
the :class:`~cocoon.settings.Settings` (the settings file with the command line's options on
top, the language included) and its files.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cocoon.catalogue import resolve_language
from cocoon.errors import CocoonError, InputError
from cocoon.geo.crs import check_area, lonlat_bounds, parse_crs
from cocoon.inputs.burglaries import BurglaryColumns, read_burglaries, require_ids
from cocoon.inputs.odk_audit import audit_beside
from cocoon.inputs.points import refuse_swapped_file
from cocoon.inputs.rejects import Problems
from cocoon.inputs.tables import own_headers, read_table, text_values, to_numbers
from cocoon.jobs.trial_assignment import assign_pending
from cocoon.publish.files import OutputFolder, prepare_output_file, write_rejects
from cocoon.publish.spreadsheets import csv_dialect
from cocoon.publish.status_report import write_status
from cocoon.settings import Settings
from cocoon.store import queries
from cocoon.store.database import Store, open_store
from cocoon.store.delivery import Delivery, delivery
from cocoon.store.outcomes import OUTCOMES
from cocoon.store.queries import IngestResult
from cocoon.store.visit_records import AuditUse, parse_outcome, parse_time, visits_from_table


def store_path(given: str | Path | None, settings: Settings) -> Path:
    """``--store``, else the settings' ``store.path``; an error when neither is given."""
    if given:
        return Path(given)
    if settings.store.path:
        return Path(settings.store.path)
    raise InputError("store.no_path")


def opened(given: str | Path | None, settings: Settings, *, create: bool = True) -> Store:
    """The store of ``--store`` or the settings, to use in a ``with`` block."""
    return open_store(store_path(given, settings), create=create)


@contextmanager
def recorded(store: Store, command: str) -> Iterator[None]:
    """A command that fails after the store was opened is recorded in the audit log with its error."""
    try:
        yield
    except CocoonError as error:
        with suppress(CocoonError), store.transaction() as db:
            store.audit(db, command, error=str(error))
        raise


def run_ingest(
    settings: Settings,
    path: Path,
    *,
    store: str | Path | None,
    columns: BurglaryColumns | None = None,
    input_crs: str | None = None,
    date_format: str | None = None,
    skip_bad_rows: bool = False,
    rejects_path: Path | None = None,
    overwrite: bool = False,
    command: str = "ingest",
) -> IngestResult:
    """``cocoon ingest``: burglaries not yet in the store are added, by id. With ``skip_bad_rows``
    the unusable rows are written, with the reason, to ``rejects_path`` (default
    FILE-rejected-rows.csv in the current folder)."""
    rejects = rejects_path or Path(f"{Path(path).stem}-rejected-rows.csv")
    if skip_bad_rows:
        prepare_output_file(rejects, overwrite=overwrite, inputs=(path, store_path(store, settings)))
    table = read_burglaries(
        path,
        columns=columns or BurglaryColumns(),
        crs=parse_crs(input_crs, what="--crs") if input_crs else None,
        skip_bad_rows=skip_bad_rows,
        date_format=date_format,
        settings=settings.inputs,
    )
    require_ids(table)
    if len(table.rejects) and not skip_bad_rows:  # rows of other crimes left out, listed in the rejects file
        prepare_output_file(rejects, overwrite=overwrite, inputs=(path, store_path(store, settings)))
    if settings.crs:  # a metric CRS named for the area: the burglaries must lie in it
        check_area(parse_crs(settings.crs, what="crs"), lonlat_bounds(table.burglaries), what="crs")
    with opened(store, settings) as db_store, recorded(db_store, command), db_store.transaction() as db:
        refuse_swapped_file(table.burglaries, lonlat_bounds(queries.stored_burglaries(db_store)), file=str(path))
        result = queries.ingest(db, table.burglaries, source=str(path))
        assigned = assign_pending(db)
        db_store.audit(db, command)
    result.rejected = table.unusable
    if len(table.rejects):
        result.rejects_path = write_rejects(
            table.rejects.assign(file=str(path)), rejects, lang=resolve_language(settings.language)
        )
    result.notes = [*table.notes, *assigned]
    return result


@dataclass
class VisitImport:
    added: int
    blank: int
    already: int = 0
    """Rows recorded before (the same record id, or the same household, time and outcome), or twice
    in the file: not stored again."""
    rejected: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    """With ``skip_bad_rows``: each row that could not be read (message key and values: file, row, column)."""
    rejects_path: Path | None = None
    audit: AuditUse | None = None
    """With an ODK audit log (``--audit``, or ``FORM - audit.csv`` beside ``FORM.csv``): what it gave."""


def run_visits_import(
    settings: Settings,
    path: Path,
    *,
    store: str | Path | None,
    date: dt.date | None = None,
    skip_bad_rows: bool = False,
    rejects_path: Path | None = None,
    overwrite: bool = False,
    command: str = "visits import",
    audit_path: Path | None = None,
) -> VisitImport:
    """All rows checked first; any bad row stops the import and nothing is stored. With
    ``skip_bad_rows`` the readable rows are stored and each bad one is named (file, row, column) and
    written with the reason to ``rejects_path`` (default FILE-rejected-rows.csv in the current folder).
    An ODK audit log (``audit_path``, else ODK Central's ``FORM - audit.csv`` beside ``FORM.csv``)
    gives each record the time its outcome was tapped."""
    audit_file = audit_path or audit_beside(path)
    audit_log = read_table(audit_file) if audit_file is not None else None
    rejects = rejects_path or Path(f"{Path(path).stem}-rejected-rows.csv")
    if skip_bad_rows:
        prepare_output_file(rejects, overwrite=overwrite, inputs=(path, store_path(store, settings)))
    with opened(store, settings, create=False) as db_store, recorded(db_store, command):
        records = visits_from_table(
            own_headers(read_table(path)),
            known=queries.known_households(db_store),
            default_date=date,
            skip_bad_rows=skip_bad_rows,
            audit_log=audit_log,
        )
        with db_store.transaction() as db:
            added = queries.add_visits(db, records.records, source=str(path))
            db_store.audit(db, command)
    result = VisitImport(added=added, blank=records.blank, already=len(records.records) - added, audit=records.audit)
    if records.rejects is not None and len(records.rejects):
        result.rejected = list(zip(records.rejects["reason_key"], records.rejects["reason_params"], strict=True))
        result.rejects_path = write_rejects(
            records.rejects.assign(file=str(path)), rejects, lang=resolve_language(settings.language)
        )
    return result


def run_visit_add(
    settings: Settings,
    household: str,
    *,
    outcome: str,
    time: str,
    visitor: str | None,
    store: str | Path | None,
    command: str = "visits add",
) -> bool:
    """``cocoon visits add``: one visit, checked like an imported row. False when the same visit
    (household, time and outcome) was already recorded."""
    code = parse_outcome(outcome)
    if code is None:
        raise InputError("visits.bad_outcome_option", value=outcome, codes=", ".join(OUTCOMES))
    when = parse_time(time, dt.date.today())
    if when is None:
        raise InputError("visits.bad_time_option", value=time)
    with opened(store, settings, create=False) as db_store, recorded(db_store, command):
        if household not in queries.known_households(db_store):
            raise InputError("visits.unknown_household_option", value=household)
        record = pd.DataFrame(
            [
                {
                    "household_id": household,
                    "outcome": code,
                    "visited_at": when.isoformat(timespec="minutes"),
                    "visitor": visitor,
                }
            ]
        )
        with db_store.transaction() as db:
            added = queries.add_visits(db, record, source="visits add")
            db_store.audit(db, command)
    return added == 1


def run_signs_up(
    settings: Settings,
    signs_csv: Path,
    *,
    store: str | Path | None,
    sign_ids: tuple[str, ...] = (),
    date: dt.date,
    command: str = "signs up",
) -> queries.SignsPutUp:
    """Record the signs of a plan's signs.csv (all, or the ids given) as put up on ``date``.
    The file may be in either CSV dialect; signs already recorded are left as they are."""
    raw = own_headers(read_table(signs_csv))
    table = raw.frame
    needed = {"sign_id", "zone", "lon", "lat", "down"}
    if not needed <= set(map(str, table.columns)):
        raise InputError("signs.not_a_signs_file", file=str(signs_csv))
    table = table.assign(sign_id=text_values(table["sign_id"]))
    problems = Problems(raw)
    for column in ("zone", "lon", "lat"):
        values, unreadable = to_numbers(table[column])
        problems.add(unreadable | np.isnan(values), column=column, key="input.not_a_number", values=table[column])
        table[column] = values
    problems.settle(skip_bad_rows=False)
    if sign_ids:
        unknown = sorted(set(sign_ids) - set(table["sign_id"]))
        if unknown:
            raise InputError("signs.unknown_sign", file=str(signs_csv), ids=", ".join(unknown))
        table = table[table["sign_id"].isin(sign_ids)]
    with opened(store, settings) as db_store, recorded(db_store, command), db_store.transaction() as db:
        done = queries.put_up_signs(db, table, date=date)
        db_store.audit(db, command)
    return done


def run_signs_down(
    settings: Settings,
    sign_ids: tuple[str, ...],
    *,
    store: str | Path | None,
    date: dt.date,
    due: bool = False,
    today: dt.date | None = None,
    command: str = "signs down",
) -> int:
    """Mark signs as taken down on ``date``: the ids given, or with ``due`` every sign due by then.
    A sign cannot have come down on a day still to come: a ``date`` after ``today`` is refused."""
    if not sign_ids and not due:
        raise InputError("signs.nothing_to_take_down")
    today = today or dt.date.today()
    if date > today:
        raise InputError("day.signs_down_ahead", date=date.isoformat(), today=today.isoformat())
    with opened(store, settings, create=False) as db_store, recorded(db_store, command), db_store.transaction() as db:
        if due:
            ids = queries.signs_due(db, by=date)
        else:
            ids = list(sign_ids)
            unknown = sorted(set(ids) - queries.signs_up(db))
            if unknown:
                raise InputError("signs.not_up", ids=", ".join(unknown))
        queries.take_down_signs(db, ids, date=date)
        db_store.audit(db, command)
    return len(ids)


@dataclass
class StatusResult:
    delivery: Delivery
    written: list[Path]
    moved_aside: Path | None = None
    """Where an earlier folder holding files cocoon did not write was moved (--overwrite)."""


def run_status(
    settings: Settings,
    store: str | Path | None,
    *,
    on: dt.date,
    out_dir: Path | None,
    overwrite: bool = False,
    command: str = "status",
) -> StatusResult:
    """``cocoon status``: delivery measures from the store, written as status.csv and status.html
    in the settings' language and CSV dialect."""
    lang = resolve_language(settings.language)
    output = OutputFolder(
        out_dir or Path(f"status-{on.isoformat()}"), overwrite=overwrite, inputs=(store_path(store, settings),)
    )
    with opened(store, settings, create=False) as db_store, recorded(db_store, command):
        tables = queries.delivery_tables(db_store)
        with db_store.transaction() as db:
            db_store.audit(db, command)
    result = delivery(tables.burglaries, tables.listed, tables.visits, tables.signs, on=on)
    with output as folder:
        written = write_status(result, folder, on=on, lang=lang, dialect=csv_dialect(settings.csv_dialect, lang))
    return StatusResult(delivery=result, written=[output.final(p) for p in written], moved_aside=output.moved_aside)


@dataclass
class Purged:
    before: dt.date
    counts: dict[str, int]


@dataclass
class PurgePreview:
    """What a purge will remove, counted before anything is removed."""

    before: dt.date
    retention_cut: dt.date
    """The default cut-off: today minus the zone window and ``store.retention_days``."""
    counts: dict[str, int]

    @property
    def within_retention(self) -> bool:
        """The purge reaches data still inside the retention period, so it must be confirmed."""
        return self.before > self.retention_cut


def default_purge_date(settings: Settings, today: dt.date) -> dt.date:
    """Today minus the zone window and ``store.retention_days``."""
    return today - dt.timedelta(days=settings.zones.active_days + settings.store.retention_days)


def run_purge(
    settings: Settings,
    *,
    store: str | Path | None,
    before: dt.date | None,
    today: dt.date | None = None,
    yes: bool = False,
    show: Callable[[PurgePreview], None] | None = None,
    confirm: Callable[[PurgePreview], bool] | None = None,
    command: str = "purge",
) -> Purged:
    """Remove personal data dated before ``before`` (default: the zone window plus the retention
    days before today): burglaries, visits, plans with their households, and signs taken down.

    First the rows to remove are counted (the same purge, in a transaction that is rolled back) and
    handed to ``show``. A ``before`` later than the default cut-off reaches data still inside the
    retention period: it needs ``yes`` or ``confirm`` (asked with the counts) to say so, and without
    either (no terminal to ask on) it is refused; nothing is removed unless confirmed."""

    class Counted(Exception):
        """Ends the counting transaction, so that it is rolled back."""

        def __init__(self, counts: dict[str, int]) -> None:
            super().__init__("counted")
            self.counts = counts

    retention_cut = default_purge_date(settings, today or dt.date.today())
    cut = before or retention_cut
    with opened(store, settings, create=False) as db_store, recorded(db_store, command):
        try:
            with db_store.transaction() as db:
                raise Counted(queries.purge_before(db, cut))
        except Counted as counted:
            preview = PurgePreview(before=cut, retention_cut=retention_cut, counts=counted.counts)
        if show is not None:
            show(preview)
        if preview.within_retention and not yes:
            if confirm is None:
                raise InputError("purge.needs_yes", before=cut.isoformat(), cut=retention_cut.isoformat())
            if not confirm(preview):
                raise InputError("purge.not_confirmed")
        with db_store.transaction() as db:
            counts = queries.purge_before(db, cut)
            db_store.audit(db, command)
    return Purged(before=cut, counts=counts)
