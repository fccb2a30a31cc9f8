"""Visit records: outcomes typed in from the paper list, a filled visit-list CSV, the officer's
page export or an ODK Collect / KoboToolbox CSV export, checked row by row before anything is stored.

A record may carry a unique id (``record_id``; ODK's ``meta-instanceID`` or ``KEY``, Kobo's
``_uuid``): the store keeps it, so the same export imported twice, or two officers' exports in
any order, stores each visit once."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pandas as pd

from cocoon.catalogue import catalogue, languages
from cocoon.errors import InputError
from cocoon.inputs.odk_audit import AnswerTimes, answer_times, local_time
from cocoon.inputs.rejects import Problems, rejects_frame
from cocoon.inputs.tables import RawTable, find_column, text_values
from cocoon.store.outcomes import OUTCOMES

ID_NAMES = ("household_id", "household", "hushalls_id", "hushall_id", "hushall", "id")
OUTCOME_NAMES = ("outcome", "result", "utfall", "resultat")
TIME_NAMES = ("time", "visited_at", "visit_time", "datetime", "date", "tid", "tidpunkt", "datum", "start", "end")
"""The visit's time; in an ODK/Kobo export, ``start`` (the form opened at the door), else ``end``."""
VISITOR_NAMES = ("visitor", "officer_name", "besokare", "polis", "name", "username", "deviceid")
RECORD_NAMES = ("record_id", "meta-instanceID", "instanceID", "KEY", "_uuid", "uuid")
"""A unique id per record: the officer's page writes ``record_id``; ODK Central ``meta-instanceID``
and ``KEY``; KoboToolbox ``_uuid`` (or ``meta/instanceID``)."""
MAX_ROWS_SHOWN = 20
"""At most this many bad rows are listed in the error."""


def outcome_aliases() -> dict[str, str]:
    """Codes (face), letters from the printed list (F) and the words in every language."""
    aliases = {o: o for o in OUTCOMES}
    for lang in languages():
        entries = catalogue(lang)
        for o in OUTCOMES:
            words = [
                entries.get(f"outcome_code.{o}", ""),
                entries.get(f"outcome.{o}", ""),
                *entries.get(f"outcome_words.{o}", []),
            ]
            for word in words:
                aliases[_plain(str(word))] = o
    aliases.pop("", None)
    return {k.casefold(): v for k, v in aliases.items()}


def _plain(word: str) -> str:
    """ "Ej hemma.", "EJ  HEMMA" and "ej hemma" are one word."""
    return " ".join(word.casefold().replace("_", " ").split()).rstrip(".!")


def parse_outcome(value: str) -> str | None:
    return outcome_aliases().get(_plain(str(value)))


_WHEN = re.compile(r"(?:(\d{4}-\d{2}-\d{2})(?:[T ]\s*|\s+))?(\d{1,2})[:.](\d{2})(?::(\d{2}))?")
"""A time typed by hand: "9:48", "09.48", "2026-05-04 9:48", with seconds or without."""


def parse_time(value: str, default_date: dt.date | None = None) -> dt.datetime | None:
    """ "2026-05-04 14:30", "2026-05-04T14:30", "2026-05-04", "2026-05-04 9:48", or "14:30" / "9:48"
    on ``default_date``. A time with an offset (``2026-05-04T09:48:12+02:00``, as phones and ODK
    write it) is taken on the phone's own clock, the local time at the door."""
    text = str(value).strip()
    if not text:
        return None
    try:
        return dt.datetime.fromisoformat(text).replace(tzinfo=None)
    except ValueError:
        pass
    match = _WHEN.fullmatch(text)
    if match is None:
        return None
    day_text, hour, minute, second = match.groups()
    try:
        day = dt.date.fromisoformat(day_text) if day_text else default_date
        clock = dt.time(int(hour), int(minute), int(second or 0))
    except ValueError:
        return None
    return None if day is None else dt.datetime.combine(day, clock)


@dataclass
class VisitRecords:
    records: pd.DataFrame
    """household_id, outcome, visited_at (ISO text), visitor, record_id (None where not given), row."""
    blank: int
    """Rows with no outcome (not visited yet): skipped, not errors."""
    rejects: pd.DataFrame | None = None
    """With ``skip_bad_rows``: the rows that could not be read, with row, column and reason."""
    audit: AuditUse | None = None
    """With an ODK audit log: how many records took their time from it, and why the others did not."""


@dataclass(frozen=True)
class AuditUse:
    """What an ODK audit log gave: the time the outcome was tapped, record by record."""

    path: str
    used: int
    """Records whose time is when the outcome was tapped (from the log)."""
    total: int
    without: int
    """Records with no outcome in the log: they keep the export's time."""
    no_offset: int
    """Records whose start/end has no offset to put the log's UTC time on the phone's clock."""
    others: int
    """Records in the log that are not in the export."""


def visits_from_table(
    table: RawTable,
    *,
    known: set[str],
    default_date: dt.date | None = None,
    skip_bad_rows: bool = False,
    audit_log: RawTable | None = None,
) -> VisitRecords:
    """Every row checked: a known household id, an outcome, a time. Any problem stops the
    import with the rows listed (file, row and column), so nothing is half-imported; with
    ``skip_bad_rows`` the good rows are kept and the bad ones returned as rejects. With
    ``audit_log`` (an ODK audit log) a record's time is when its outcome was tapped, where the log
    has it (:mod:`cocoon.inputs.odk_audit`)."""
    frame = table.frame
    if len(frame) == 0:
        raise InputError("input.no_rows", file=table.name)
    id_c = find_column(table, given=None, candidates=ID_NAMES, option="household_id")
    outcome_c = find_column(table, given=None, candidates=OUTCOME_NAMES, option="outcome")
    time_c = find_column(table, given=None, candidates=TIME_NAMES, option="time")
    visitor_c = find_column(table, given=None, candidates=VISITOR_NAMES, option="visitor")
    record_c = find_column(table, given=None, candidates=RECORD_NAMES, option="record_id")
    if id_c is None or outcome_c is None or time_c is None:
        missing = [name for name, c in (("household_id", id_c), ("outcome", outcome_c), ("time", time_c)) if c is None]
        raise InputError(
            "visits.missing_columns",
            file=table.name,
            missing=", ".join(missing),
            columns=", ".join(map(str, frame.columns)),
        )
    ids = text_values(frame[id_c])
    outcomes_raw = text_values(frame[outcome_c]).fillna("")
    blank = (outcomes_raw.str.strip() == "").to_numpy()
    outcomes = outcomes_raw.map(parse_outcome)
    times = text_values(frame[time_c]).fillna("").map(lambda v: parse_time(v, default_date))
    problems = Problems(table)
    problems.add(~blank & ids.isna().to_numpy(), column=id_c, key="input.no_id")
    problems.add(
        ~blank & ids.notna().to_numpy() & ~ids.isin(known).to_numpy(),
        column=id_c,
        key="visits.unknown_household",
        values=frame[id_c],
    )
    problems.add(
        ~blank & outcomes.isna().to_numpy(),
        column=outcome_c,
        key="visits.bad_outcome",
        values=frame[outcome_c],
        codes=", ".join(OUTCOMES),
    )
    problems.add(~blank & times.isna().to_numpy(), column=time_c, key="visits.bad_time", values=frame[time_c])
    bad = problems.records()
    if bad and not skip_bad_rows:
        shown = bad[:MAX_ROWS_SHOWN]
        raise InputError(
            "visits.rejected",
            file=table.name,
            n=len(bad),
            shown=len(shown),
            details=[(r["key"], r["params"]) for r in shown],
        )
    keep = ~blank & ~problems.bad
    record_ids = text_values(frame[record_c])[keep].to_numpy(dtype=object) if record_c else [None] * int(keep.sum())
    audit = None
    if audit_log is not None:
        if record_c is None:
            raise InputError("visit_audit.no_record_ids", file=table.name, audit=audit_log.name)
        answers = answer_times(audit_log, outcome_question=str(outcome_c))
        clocks = _phone_clocks(table)[keep]
        times = times[keep].copy()
        audit = _answer_times(
            times, list(record_ids), clocks, answers, in_file=set(text_values(frame[record_c]).dropna())
        )
        keep_times = times.to_list()
    else:
        keep_times = times[keep].to_list()
    records = pd.DataFrame(
        {
            "household_id": ids[keep].to_numpy(dtype=object),
            "outcome": outcomes[keep].to_numpy(dtype=object),
            "visited_at": [t.isoformat(timespec="minutes") for t in keep_times],
            "visitor": (
                text_values(frame[visitor_c])[keep].to_numpy(dtype=object) if visitor_c else [None] * int(keep.sum())
            ),
            "record_id": record_ids,
            "row": [r for r, k in zip(table.rows, keep, strict=True) if k],
        }
    )
    return VisitRecords(
        records=records,
        blank=int(blank.sum()),
        rejects=rejects_frame(table, bad) if skip_bad_rows else None,
        audit=audit,
    )


def _phone_clocks(table: RawTable) -> pd.Series:
    """Per row, a time written with the phone's offset (ODK's ``start``, else ``end``), or ""."""
    clock = pd.Series("", index=table.frame.index, dtype=object)
    for name in ("end", "start"):  # start wins where both are there
        column = find_column(table, given=None, candidates=(name,), option=name)
        if column is not None:
            values = text_values(table.frame[column]).fillna("")
            clock = clock.where(values == "", values)
    return clock


def _answer_times(
    times: pd.Series, record_ids: list[object], clocks: pd.Series, answers: AnswerTimes, *, in_file: set[str]
) -> AuditUse:
    """Put each record's tap time from the log into ``times`` (in place); count what happened."""
    used = without = no_offset = 0
    for i, (record, clock) in enumerate(zip(record_ids, clocks, strict=True)):
        answered = None if record is None or pd.isna(record) else answers.answered_ms.get(str(record))
        if answered is None:
            without += 1
            continue
        tapped = local_time(answered, clock)
        if tapped is None:
            no_offset += 1
            continue
        times.iloc[i] = tapped
        used += 1
    return AuditUse(
        path=str(answers.path),
        used=used,
        total=len(times),
        without=without,
        no_offset=no_offset,
        others=len(set(answers.answered_ms) - in_file),
    )
