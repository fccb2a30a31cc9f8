"""Household ids for a register that has no id column, made from what does not change.

The store matches visits to household ids, so an id must name the same household in every
export: re-sorted, with rows added or removed. Row numbers do not. A household without an id
column is named by its address and position instead:

- ``addr-<hash>``: the normalised address (street, number and postcode, or else the label,
  with case, accents and punctuation ignored) and the position rounded to about a metre
  (5 decimals of longitude/latitude, whatever the file's coordinate system);
- ``xy-<hash>``: the rounded position alone, for a row without any address.

Rows that share address and position (flats listed one by one at the same entrance) also
hash the rest of the row, so each keeps an id of its own. Rows that are the same in every
cell cannot be told apart: they are reported as repeats of the first.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from cocoon.inputs.tables import STR, arrow_text

if TYPE_CHECKING:
    import pyarrow as pa

DIGITS = 10
"""Hex digits of the hash: 40 bits, so a register of a million households has about a 1 in
2,000 chance of any two ids colliding, and a collision is reported, never merged."""
_NOT_WORD = re.compile(r"[^0-9a-z]+")


@dataclass
class StableIds:
    ids: pd.Series
    repeats: np.ndarray
    """Per row, the position of the earlier row it repeats exactly, or -1."""


def normalise_address(value: object) -> str:
    """ "Storgatan 12 A", "STORGATAN 12a" and "Storgatan 12-A" are one address."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    text = unicodedata.normalize("NFKD", str(value).casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return _NOT_WORD.sub("", text)


def _normalised(values: pd.Series) -> list[str]:
    """:func:`normalise_address` of every cell, worked out once per distinct value."""
    codes, distinct = pd.factorize(values, use_na_sentinel=True)
    table = [normalise_address(v) for v in distinct] + [""]
    return [table[c] for c in codes]


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=8).hexdigest()[:DIGITS]


def stable_household_ids(
    *,
    street: pd.Series,
    number: pd.Series,
    postcode: pd.Series,
    label: pd.Series,
    lon: np.ndarray,
    lat: np.ndarray,
    rows: pd.DataFrame,
) -> StableIds:
    """Ids for every row of ``rows`` (the register as read), from address and position."""
    n = len(rows)
    position = [f"{x:.5f},{y:.5f}" if np.isfinite(x) and np.isfinite(y) else "" for x, y in zip(lon, lat, strict=True)]
    ids = np.empty(n, dtype=object)
    columns = (_normalised(street), _normalised(number), _normalised(postcode), _normalised(label), position)
    for i, (s, no, pc, lab, pos) in enumerate(zip(*columns, strict=True)):
        address = f"{s}|{no}" if s and no else lab
        ids[i] = f"addr-{_digest(f'{address}|{pc}|{pos}')}" if address else f"xy-{_digest(pos)}"
    repeats = np.full(n, -1, dtype=np.int64)
    shared = pd.Series(ids).duplicated(keep=False).to_numpy()
    if shared.any():
        content = rows.iloc[np.flatnonzero(shared)].astype(str).agg("\x1f".join, axis=1)
        seen: dict[str, int] = {}
        for j, whole in zip(map(int, np.flatnonzero(shared)), content, strict=True):
            key = f"{ids[j]}\x1f{whole}"
            if key in seen:
                repeats[j] = seen[key]
            else:
                seen[key] = j
                ids[j] = f"{ids[j]}-{_digest(whole)[:6]}"
    return StableIds(ids=pd.Series(ids, index=rows.index, dtype=object), repeats=repeats)


def shown_id(value: object) -> str | None:
    """An id as given, without what no one can see: zero-width spaces and joiners, byte-order
    marks and NUL dropped, no-break spaces read as spaces, and the spaces around it. Case and
    everything else are kept (other control characters too: the screen shows them escaped)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    text = "".join(
        " " if unicodedata.category(c) == "Zs" else c
        for c in str(value)
        if unicodedata.category(c) != "Cf" and c != "\x00"
    )
    text = re.sub(r"\s+", " ", text).strip()
    return text or None


def id_key(value: object) -> str | None:
    """What ids are matched by: :func:`shown_id` in one Unicode form (NFKC) and without case, so
    "B-17", "b-17" and "B-17\\u200b" name one burglary."""
    shown = shown_id(value)
    if shown is None:
        return None
    visible = "".join(c for c in shown if unicodedata.category(c) != "Cc")
    return unicodedata.normalize("NFKC", visible).casefold()


def id_keys(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """:func:`shown_id` and :func:`id_key` of every cell, worked out once per distinct value
    (Arrow-backed text: in Arrow, and in Python only for ids that are not printable ASCII)."""
    text = arrow_text(values)
    if text is not None:
        return _arrow_id_keys(text, values.index)
    codes, distinct = pd.factorize(values, use_na_sentinel=True)
    text = pd.Series(distinct, dtype=object).astype(str)
    plain = ~text.str.contains(r"[^\x21-\x7e]", regex=True).to_numpy()  # printable ASCII, no spaces: as it is
    shown = np.array(text.to_numpy(dtype=object), dtype=object)
    keys = np.array(text.str.lower().to_numpy(dtype=object), dtype=object)
    for i in map(int, np.flatnonzero(~plain)):
        shown[i], keys[i] = shown_id(distinct[i]), id_key(distinct[i])
    shown, keys = np.append(shown, np.array([None], dtype=object)), np.append(keys, np.array([None], dtype=object))
    return (
        pd.Series(shown[codes], index=values.index, dtype=object),
        pd.Series(keys[codes], index=values.index, dtype=object),
    )


def _arrow_id_keys(text: pa.ChunkedArray, index: pd.Index) -> tuple[pd.Series, pd.Series]:
    """:func:`id_keys` of Arrow strings: printable ASCII without spaces is shown as it is and
    matched lower-cased; the rest go through :func:`shown_id` and :func:`id_key`."""
    import pyarrow as pa
    import pyarrow.compute as pc

    text = text.combine_chunks()
    if _printable_ascii(text):  # the usual register: a look at the bytes instead of a regex per id
        return (
            pd.Series(pd.array(text, dtype=STR), index=index),
            pd.Series(pd.array(pc.ascii_lower(text), dtype=STR), index=index),
        )
    keys = pc.utf8_lower(text)
    other = pc.fill_null(pc.invert(pc.match_substring_regex(text, r"^[\x21-\x7e]*$")), False)
    if pc.any(other).as_py():
        unusual = pc.filter(text, other).to_pylist()
        shown = {v: shown_id(v) for v in unusual}
        key = {v: id_key(v) for v in shown}
        text = pc.replace_with_mask(text, other, pa.array([shown[v] for v in unusual], type=text.type))
        keys = pc.replace_with_mask(keys, other, pa.array([key[v] for v in unusual], type=text.type))
    return (
        pd.Series(pd.array(text, dtype=STR), index=index),
        pd.Series(pd.array(keys, dtype=STR), index=index),
    )


def _printable_ascii(text: pa.LargeStringArray) -> bool:
    """Whether every byte of the strings (nulls' too, if they have any) is printable ASCII other
    than a space (0x21-0x7e), so that every id is shown as it is and matched lower-cased."""
    offsets = np.frombuffer(text.buffers()[1], dtype=np.int64, count=len(text) + 1, offset=text.offset * 8)
    data = text.buffers()[2]
    if data is None or len(text) == 0:
        return True
    used = np.frombuffer(data, dtype=np.uint8)[int(offsets[0]) : int(offsets[-1])]
    return bool(np.all(used - np.uint8(0x21) <= np.uint8(0x7E - 0x21)))


def has_repeats(values: pd.Series) -> bool:
    """Whether any value (missing ones aside) is there twice."""
    text = arrow_text(values)
    if text is None:
        return bool(values.dropna().duplicated().any())
    import pyarrow.compute as pc

    nulls = text.null_count  # unique() counts null as one value; it is faster than count_distinct()
    return bool(len(pc.unique(text)) - (1 if nulls else 0) < len(text) - nulls)
