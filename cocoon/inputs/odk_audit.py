"""ODK Collect's audit log: when the outcome was tapped at the door.

A form with an ``audit`` question (the XLSForm of ``--xlsform`` has one) makes ODK Collect log
when each question was shown and left, in milliseconds since 1970 (UTC). ODK Central's "all
data" download gives the log of every submission in one file, ``FORM - audit.csv``, beside
``FORM.csv``, with the columns ``instance ID``, ``event``, ``node``, ``start`` and ``end``.

The visit's time is then when the officer last left the outcome question (its ``end``, else its
``start``): closer to the door than the form's ``start``, which may have been opened on the way.
It is put on the phone's own clock with the offset of the record's ``start`` (or ``end``), as
the export writes it, so it reads like every other visit time: the local time at the door.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from cocoon.errors import InputError
from cocoon.inputs.rejects import Problems
from cocoon.inputs.tables import RawTable, find_column, text_values, to_numbers

AUDIT_SUFFIX = " - audit.csv"
"""ODK Central names the merged audit log after the form: ``FORM - audit.csv`` beside ``FORM.csv``."""
INSTANCE_NAMES = ("instance ID", "instance_id", "instanceID")
EVENT_NAMES = ("event",)
NODE_NAMES = ("node",)
START_NAMES = ("start",)
END_NAMES = ("end",)
QUESTION = "question"
"""The event of a question shown and answered (others: form start, end screen, form save ...)."""
MAX_ROWS_SHOWN = 20


@dataclass(frozen=True)
class AnswerTimes:
    """When each record's outcome question was last answered, from one audit log."""

    path: Path
    answered_ms: dict[str, int]
    """Record id (ODK's instance ID) to milliseconds since 1970, UTC."""


def audit_beside(visits_path: str | Path) -> Path | None:
    """ODK Central's audit log for the export ``visits_path`` (``FORM - audit.csv`` beside
    ``FORM.csv``), where there is one."""
    path = Path(visits_path)
    beside = path.with_name(path.stem + AUDIT_SUFFIX)
    return beside if beside.is_file() else None


def question_name(column: str) -> str:
    """The question's own name: ``visit-outcome`` (ODK's export of a group), ``visit/outcome``
    (Kobo's) and ``/data/visit/outcome`` (the audit's node) are all ``outcome``."""
    return str(column).replace("-", "/").rstrip("/").rsplit("/", 1)[-1]


def answer_times(table: RawTable, *, outcome_question: str = "outcome") -> AnswerTimes:
    frame = table.frame
    columns = {
        name: find_column(table, given=None, candidates=candidates, option=name)
        for name, candidates in (
            ("instance ID", INSTANCE_NAMES),
            ("event", EVENT_NAMES),
            ("node", NODE_NAMES),
            ("start", START_NAMES),
            ("end", END_NAMES),
        )
    }
    missing = [name for name, column in columns.items() if column is None]
    if missing:
        raise InputError(
            "visit_audit.missing_columns",
            file=table.name,
            missing=", ".join(missing),
            columns=", ".join(map(str, frame.columns)),
        )
    instance_c, event_c, node_c, start_c, end_c = (str(c) for c in columns.values())
    events = text_values(frame[event_c]).fillna("").str.strip().str.casefold()
    nodes = text_values(frame[node_c]).fillna("").map(question_name)
    wanted = ((events == QUESTION) & (nodes.str.casefold() == question_name(outcome_question).casefold())).to_numpy()
    starts, start_bad = to_numbers(frame[start_c])
    ends, end_bad = to_numbers(frame[end_c])
    instances = text_values(frame[instance_c])
    problems = Problems(table)
    problems.add(wanted & start_bad, column=start_c, key="visit_audit.bad_time", values=frame[start_c])
    problems.add(wanted & end_bad, column=end_c, key="visit_audit.bad_time", values=frame[end_c])
    problems.add(wanted & instances.isna().to_numpy(), column=instance_c, key="input.no_id")
    bad = problems.records()
    if bad:
        shown = bad[:MAX_ROWS_SHOWN]
        raise InputError(
            "visit_audit.rejected",
            file=table.name,
            n=len(bad),
            shown=len(shown),
            details=[(r["key"], r["params"]) for r in shown],
        )
    when = np.where(np.isnan(ends), starts, ends)
    keep = wanted & ~np.isnan(when)
    answers = pd.DataFrame({"record": instances[keep].to_numpy(dtype=object), "shown": starts[keep], "at": when[keep]})
    # The last time the question was shown is the answer that stood when the form was sent.
    last = answers.sort_values("shown", kind="stable").drop_duplicates("record", keep="last")
    return AnswerTimes(
        path=table.path, answered_ms={str(r): int(a) for r, a in zip(last["record"], last["at"], strict=True)}
    )


def local_time(milliseconds: int, clock_of: str) -> dt.datetime | None:
    """``milliseconds`` since 1970 on the clock of ``clock_of`` (a time with an offset, as ODK
    writes ``start``); None when ``clock_of`` has no offset to go by."""
    try:
        reference = dt.datetime.fromisoformat(str(clock_of).strip())
    except ValueError:
        return None
    offset = reference.utcoffset()
    if offset is None:
        return None
    moment = dt.datetime.fromtimestamp(milliseconds / 1000, tz=dt.timezone(offset))
    return moment.replace(tzinfo=None)
