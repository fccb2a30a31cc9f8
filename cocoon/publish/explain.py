"""Why a household is on the list, in one sentence: its score's two parts and the burglaries behind it.

"Score 12.3: 9.1 from recent burglaries nearby (B12, 3 days ago, 40 m; B7, 20 days ago,
150 m), 3.2 from this place's own history." The parts come from the ranking
(:mod:`cocoon.risk.ranking`): ``score_recent``, ``score_history`` and the burglaries behind the
score, as the ranking's lists (``_reasons``, :mod:`cocoon.risk.reasons`) or as the short text
"id|days|metres;..." (``reasons``) where only that is given.

A plan can list a million households, so the sentences are written for a whole table at once
with Arrow's string kernels (:func:`why_column`): each catalogue template is split once per
language into its literal text and its slots, and every slot is filled column-wise. A long table
is written in pieces of :data:`WHY_PIECE_ROWS` rows on the cores side by side (the kernels run
outside Python's lock); each row's sentence depends on that row alone.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from cocoon.catalogue import localise, text

_REASON = re.compile(r"[^|;]*\|-?[0-9]{1,9}\|[0-9]{1,12}(?:\.[0-9]+)?")
"""One burglary of the ranking's reasons: id|whole days ago|metres."""


def why(row: Any, lang: str) -> str:
    """The sentence for one visits row (a namedtuple or a mapping with score, score_recent,
    score_history and reasons)."""

    def get(key: str, default: Any) -> Any:
        return row.get(key, default) if isinstance(row, dict) else getattr(row, key, default)

    score = get("score", 0.0)
    frame = pd.DataFrame(
        {
            "score": [score],
            "score_recent": [get("score_recent", score)],
            "score_history": [get("score_history", 0.0)],
            "reasons": [get("reasons", "")],
        }
    )
    return why_column(frame, lang)[0]


def why_column(visits: pd.DataFrame, lang: str) -> list[str]:
    """The sentence for every row of ``visits`` (columns score and, where present, score_recent,
    score_history and the ranking's reasons). Scores are written to one decimal, as visits.csv
    rounds them."""
    return list(why_array(visits, lang).to_pylist())


WHY_PIECE_ROWS = 150_000
"""Rows whose sentences one core writes at a time."""


def why_array(visits: pd.DataFrame, lang: str) -> pa.Array | pa.ChunkedArray:
    """:func:`why_column` as Arrow text, for a writer that takes it as it is: a long table's in
    pieces, as the large strings pandas keeps text in (so that neither copies it again)."""
    n = len(visits)
    threads = min(os.cpu_count() or 1, 2)
    if n > WHY_PIECE_ROWS and threads > 1:

        def piece(at: int) -> pa.Array:
            return pc.cast(_why_array(visits.iloc[at : at + WHY_PIECE_ROWS], lang), pa.large_string())

        with ThreadPoolExecutor(threads) as pool:
            return pa.chunked_array(list(pool.map(piece, range(0, n, WHY_PIECE_ROWS))))
    return _why_array(visits, lang)


def _why_array(visits: pd.DataFrame, lang: str) -> pa.Array:
    n = len(visits)
    if n == 0:
        return pa.array([], type=pa.string())
    score = _values(visits.get("score"), n)
    recent = _values(visits["score_recent"], n) if "score_recent" in visits else score
    history = _values(visits.get("score_history"), n)
    listed = pa.nulls(n, pa.string())
    if "_reasons" in visits and isinstance(visits["_reasons"].dtype, pd.ArrowDtype):
        listed = _listed(pa.array(visits["_reasons"].array), lang)
    elif "reasons" in visits:
        listed = _burglaries(visits["reasons"].to_numpy(dtype=object), lang)
    sentence = _pieces("why.sentence", lang, ("score", "recent", "history", "burglaries"))
    around = _pieces("why.burglaries", lang, ("list",))
    if listed.null_count == 0:  # every row names burglaries: their template is filled with the sentence
        sentence, burglaries = _inside(sentence, 3, around), listed
    else:
        burglaries = pc.fill_null(_fill(around, [listed]), "")
    written_score = _written(score, lang)
    return _fill(
        sentence,
        [
            written_score,
            written_score if np.array_equal(recent, score) else _written(recent, lang),
            _written(history, lang),
            burglaries,
        ],
    )


def _listed(lists: pa.ListArray, lang: str) -> pa.Array:
    """ "B12, 3 days ago, 40 m; B7, …" per row (null where none), from the ranking's lists of
    burglaries (:data:`cocoon.risk.reasons.REASON_TYPE`)."""
    offsets = lists.offsets.to_numpy()  # into all of the values, where ``lists`` is a slice
    items = lists.values.slice(offsets[0], offsets[-1] - offsets[0])
    days = items.field("days")
    metres = items.field("m").to_numpy(zero_copy_only=False).astype(float)
    return _joined(
        pa.array(offsets - offsets[0]),
        items.field("id"),
        days,
        metres,
        lang,
        mask=pc.equal(pc.list_value_length(lists), 0),
    )


def _joined(
    offsets: pa.Array, ids: pa.Array, days: pa.Array, metres: np.ndarray, lang: str, mask: pa.Array
) -> pa.Array:
    """Each row's burglaries (``offsets`` into ``ids``, ``days``, ``metres``) written and joined."""
    columns = [ids, _days(days), _written(metres, lang, 0)]
    items = _fill(_pieces("why.burglary", lang, ("id", "days", "m"), plural=2), columns)
    one = pc.fill_null(pc.equal(days, 1), False)
    if pc.any(one).as_py():  # "1 day ago": written again only for the few items it concerns
        few = [column.filter(one) if isinstance(column, _Lookup) else pc.filter(column, one) for column in columns]
        items = pc.replace_with_mask(
            items, one, _fill(_pieces("why.burglary", lang, ("id", "days", "m"), plural=1), few)
        )
    return pc.binary_join(pa.ListArray.from_arrays(offsets, items, mask=mask), "; ")


def _days(days: pa.Array) -> pa.Array | _Lookup:
    """Whole days as text (null where missing), each distinct number written once when few."""
    if days.null_count:
        return pc.cast(days, pa.string())
    return _looked_up(days.to_numpy(), lambda every: pc.cast(pa.array(every), pa.string()))


def _burglaries(reasons: np.ndarray, lang: str, *, cleaned: bool = False) -> pa.Array:
    """ "B12, 3 days ago, 40 m; B7, …" per row (null where none), from the ranking's
    "id|days|metres;…" reasons; parts that do not read so are left out."""
    given = pa.array([r if isinstance(r, str) and r else None for r in reasons.tolist()], type=pa.string())
    parts = pc.split_pattern(given, ";")
    fields = pc.split_pattern(parts.flatten(), "|")
    try:
        lengths = pc.min_max(pc.list_value_length(fields)).as_py()
        if len(fields) and (lengths["min"], lengths["max"]) != (3, 3):
            raise ValueError("a reason without three fields")
        ids = pc.list_element(fields, 0)
        days = pc.cast(pc.list_element(fields, 1), pa.int64())
        metres = pc.cast(pc.list_element(fields, 2), pa.float64()).to_numpy(zero_copy_only=False)
        if not np.isfinite(metres).all():
            raise ValueError("a distance that is not a number")
    except (pa.ArrowInvalid, ValueError):
        if cleaned:
            return pa.nulls(len(reasons), pa.string())
        return _burglaries(_well_formed(reasons), lang, cleaned=True)
    return _joined(parts.offsets, ids, days, metres, lang, mask=parts.is_null())


def _well_formed(reasons: np.ndarray) -> np.ndarray:
    """Each row's reasons without the parts that do not read as id|whole days|metres."""
    return np.array(
        [
            ";".join(p for p in r.split(";") if _REASON.fullmatch(p)) if isinstance(r, str) else None
            for r in reasons.tolist()
        ],
        dtype=object,
    )


def _values(column: pd.Series | None, n: int) -> np.ndarray:
    """Numbers as floats, with anything missing or not a number as 0."""
    if column is None:
        return np.zeros(n)
    values = pd.to_numeric(column, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    return np.where(np.isfinite(values), values, 0.0)


def _written(values: np.ndarray, lang: str, digits: int = 1) -> pa.Array | _Lookup:
    """Numbers rounded to ``digits`` decimals and written the way ``lang`` writes them ("1,234.5"
    or "1 234,5"), like :func:`cocoon.catalogue.number`, for a whole column at once. When the
    column's numbers span fewer steps than it has rows (scores, metres), each step is written
    once and looked up."""
    scaled = np.rint(np.abs(values) * 10**digits)
    huge = scaled >= 2**62
    steps = np.where((values < 0) & (scaled > 0), -scaled, scaled)
    if not huge.any():
        return _looked_up(steps.astype(np.int64), lambda every: _spelled(every, lang, digits))
    written = _spelled(np.where(huge, 0, steps).astype(np.int64), lang, digits)
    spell = [localise(format(v, f",.{digits}f"), lang) for v in values[huge].tolist()]
    return pc.replace_with_mask(written, pa.array(huge), pa.array(spell, type=pa.string()))


def _looked_up(whole: np.ndarray, write: Callable[[np.ndarray], pa.Array]) -> pa.Array | _Lookup:
    """``write(whole)`` for whole numbers; when they span fewer values than there are, every
    value between the least and the greatest is written once, for each number to look up."""
    if len(whole) == 0:
        return write(whole)
    low, high = int(whole.min()), int(whole.max())
    if high - low >= len(whole) // 4:
        return write(whole)
    return _Lookup(write(np.arange(low, high + 1)), pa.array(whole - low))


@dataclass(frozen=True)
class _Lookup:
    """A column of text as each distinct text once and, for each row, which one it is. A
    template's literal text next to its slot is put into the few texts (:func:`_fill`), not
    into every row."""

    texts: pa.Array
    index: pa.Array

    def around(self, before: str = "", after: str = "") -> _Lookup:
        return _Lookup(pc.binary_join_element_wise(before, self.texts, after, ""), self.index)

    def filter(self, rows: pa.Array) -> _Lookup:
        return _Lookup(self.texts, pc.filter(self.index, rows))

    def array(self) -> pa.Array:
        return self.texts.take(self.index)


def _spelled(steps: np.ndarray, lang: str, digits: int) -> pa.Array:
    """Whole numbers of steps of ``10**-digits`` (5 steps of 0.1: "0.5"), written as in :func:`_written`."""
    decimal, thousands = localise(".", lang), localise(",", lang)
    magnitude = np.abs(steps)
    written = _grouped(magnitude // 10**digits, thousands)
    if digits:
        part = pc.cast(pa.array(magnitude % 10**digits), pa.string())
        if digits > 1:
            part = pc.utf8_lpad(part, digits, "0")
        written = pc.binary_join_element_wise(written, part, decimal)
    negative = steps < 0
    if negative.any():
        written = pc.if_else(pa.array(negative), pc.binary_join_element_wise("-", written, ""), written)
    return written


def _grouped(whole: np.ndarray, thousands: str) -> pa.Array:
    """Whole numbers (0 or more) with a separator between groups of three digits."""
    plain = pc.cast(pa.array(whole), pa.string())
    big = whole >= 1000
    if not big.any():
        return plain
    few = whole[big]  # grouped only where there are groups to write
    low = pc.utf8_lpad(pc.cast(pa.array(few % 1000), pa.string()), 3, "0")
    return pc.replace_with_mask(
        plain, pa.array(big), pc.binary_join_element_wise(_grouped(few // 1000, thousands), low, thousands)
    )


def _fill(pieces: tuple[str | int, ...], columns: list[pa.Array | _Lookup]) -> pa.Array:
    """A template for every row at once: ``pieces`` alternate literal text and the number of the
    column that fills a slot (a null in any slot makes the row null). Literal text beside a
    looked-up column goes into its texts, so fewer pieces are joined row by row."""
    if not any(isinstance(p, int) for p in pieces):
        first = _array(columns[0])
        blank = pc.if_else(pc.is_valid(first), "", pa.scalar(None, pa.string()))
        return pc.binary_join_element_wise(*[p for p in pieces if p != ""], blank, "")
    parts: list[pa.Array | _Lookup | str] = []
    for piece in pieces:
        part = columns[piece] if isinstance(piece, int) else piece
        if isinstance(part, str) and parts and isinstance(parts[-1], _Lookup):
            parts[-1] = parts[-1].around(after=part)
        elif isinstance(part, _Lookup) and parts and isinstance(parts[-1], str):
            parts.append(part.around(before=str(parts.pop())))
        elif part != "":
            parts.append(part)
    arrays = [pa.scalar(p, pa.string()) if isinstance(p, str) else _array(p) for p in parts]
    return arrays[0] if len(arrays) == 1 else pc.binary_join_element_wise(*arrays, "")


def _inside(outer: tuple[str | int, ...], slot: int, inner: tuple[str | int, ...]) -> tuple[str | int, ...]:
    """The pieces of ``outer`` with those of ``inner`` (whose slot 0 becomes ``slot``) in place of
    its slot ``slot``, literal text side by side put together."""
    pieces: list[str | int] = []
    for piece in outer:
        parts = [slot if isinstance(p, int) else p for p in inner] if piece == slot else [piece]
        for part in parts:
            if isinstance(part, str) and pieces and isinstance(pieces[-1], str):
                pieces[-1] += part
            else:
                pieces.append(part)
    return tuple(pieces)


def _array(column: pa.Array | _Lookup) -> pa.Array:
    return column.array() if isinstance(column, _Lookup) else column


class _Slot(int):
    """A whole number that writes itself as a numbered slot, so that a template's plural form
    (``{days:day|days}``) is still chosen by its value."""

    slot: str

    def __new__(cls, value: int, slot: str) -> _Slot:
        made = super().__new__(cls, value)
        made.slot = slot
        return made

    def __format__(self, spec: str) -> str:
        return self.slot


@cache
def _pieces(key: str, lang: str, fields: tuple[str, ...], plural: int = 1) -> tuple[str | int, ...]:
    """The catalogue entry ``key`` as literal text and slot numbers (positions in ``fields``),
    its plural forms settled for a value of ``plural``."""
    filled = text(key, lang, **{name: _Slot(plural, f"\x00{i}\x00") for i, name in enumerate(fields)})
    return tuple(int(piece) if k % 2 else piece for k, piece in enumerate(re.split("\x00([0-9]+)\x00", filled)))
