"""Visit records: outcomes typed in from the paper list or a filled visit-list CSV, checked
row by row before anything is stored."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from cocoon.catalogue import catalogue, languages
from cocoon.errors import InputError
from cocoon.inputs.rejects import Problems
from cocoon.inputs.tables import RawTable, find_column, text_values
from cocoon.store.outcomes import OUTCOMES

ID_NAMES = ("household_id", "household", "hushalls_id", "hushall_id", "hushall", "id")
OUTCOME_NAMES = ("outcome", "result", "utfall", "resultat")
TIME_NAMES = ("time", "visited_at", "visit_time", "datetime", "date", "tid", "tidpunkt", "datum")
VISITOR_NAMES = ("visitor", "officer_name", "besokare", "polis", "name")
MAX_ROWS_SHOWN = 20
"""At most this many bad rows are listed in the error."""


def outcome_aliases() -> dict[str, str]:
    """Codes (face), letters from the printed list (F) and the words in every language."""
    aliases = {o: o for o in OUTCOMES}
    for lang in languages():
        entries = catalogue(lang)
        for o in OUTCOMES:
            words = [entries.get(f"outcome_code.{o}", ""), entries.get(f"outcome.{o}", ""),
                     *entries.get(f"outcome_words.{o}", [])]
            for word in words:
                aliases[_plain(str(word))] = o
    aliases.pop("", None)
    return {k.casefold(): v for k, v in aliases.items()}


def _plain(word: str) -> str:
    """"Ej hemma.", "EJ  HEMMA" and "ej hemma" are one word."""
    return " ".join(word.casefold().replace("_", " ").split()).rstrip(".!")


def parse_outcome(value: str) -> str | None:
    return outcome_aliases().get(_plain(str(value)))


def parse_time(value: str, default_date: dt.date | None = None) -> dt.datetime | None:
    """"2026-05-04 14:30", "2026-05-04T14:30", "2026-05-04", or "14:30" on ``default_date``."""
    text = str(value).strip()
    if not text:
        return None
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        pass
    if default_date is not None:
        try:
            return dt.datetime.combine(default_date, dt.time.fromisoformat(text))
        except ValueError:
            return None
    return None


@dataclass
class VisitRecords:
    records: pd.DataFrame
    """household_id, outcome, visited_at (ISO text), visitor, row."""
    blank: int
    """Rows with no outcome (not visited yet): skipped, not errors."""


def visits_from_table(table: RawTable, *, known: set[str], default_date: dt.date | None = None) -> VisitRecords:
    """Every row checked: a known household id, an outcome, a time. Any problem stops the
    import with the rows listed, so nothing is half-imported."""
    frame = table.frame
    if len(frame) == 0:
        raise InputError("input.no_rows", file=table.name)
    id_c = find_column(table, given=None, candidates=ID_NAMES, option="household_id")
    outcome_c = find_column(table, given=None, candidates=OUTCOME_NAMES, option="outcome")
    time_c = find_column(table, given=None, candidates=TIME_NAMES, option="time")
    visitor_c = find_column(table, given=None, candidates=VISITOR_NAMES, option="visitor")
    if id_c is None or outcome_c is None or time_c is None:
        missing = [name for name, c in (("household_id", id_c), ("outcome", outcome_c), ("time", time_c)) if c is None]
        raise InputError("visits.missing_columns", file=table.name, missing=", ".join(missing),
                         columns=", ".join(map(str, frame.columns)))
    ids = text_values(frame[id_c])
    outcomes_raw = text_values(frame[outcome_c]).fillna("")
    blank = (outcomes_raw.str.strip() == "").to_numpy()
    outcomes = outcomes_raw.map(parse_outcome)
    times = text_values(frame[time_c]).fillna("").map(lambda v: parse_time(v, default_date))
    problems = Problems(table)
    problems.add(~blank & ids.isna().to_numpy(), column=id_c, key="input.no_id")
    problems.add(~blank & ids.notna().to_numpy() & ~ids.isin(known).to_numpy(), column=id_c,
                 key="visits.unknown_household", values=frame[id_c])
    problems.add(~blank & outcomes.isna().to_numpy(), column=outcome_c, key="visits.bad_outcome",
                 values=frame[outcome_c], codes=", ".join(OUTCOMES))
    problems.add(~blank & times.isna().to_numpy(), column=time_c, key="visits.bad_time", values=frame[time_c])
    bad = problems.records()
    if bad:
        shown = bad[:MAX_ROWS_SHOWN]
        raise InputError("visits.rejected", file=table.name, n=len(bad), shown=len(shown),
                         details=[(r["key"], r["params"]) for r in shown])
    keep = ~blank
    records = pd.DataFrame({
        "household_id": ids[keep].to_numpy(dtype=object),
        "outcome": outcomes[keep].to_numpy(dtype=object),
        "visited_at": [t.isoformat(timespec="minutes") for t in times[keep]],
        "visitor": (text_values(frame[visitor_c])[keep].to_numpy(dtype=object) if visitor_c
                    else [None] * int(keep.sum())),
        "row": [r for r, k in zip(table.rows, keep, strict=True) if k],
    })
    return VisitRecords(records=records, blank=int(blank.sum()))
