"""The burglaries adding most to each household's score, kept as arrays until a file is written.

The ranking picks, per household, the (burglary, household) pairs adding most points, best
first, and hands them over as one Arrow list per household of ``{id, days, m}`` (the burglary,
how many days ago, whole metres away): :func:`reason_lists`. The sentence in visits.csv is
written from those lists (:func:`cocoon.publish.explain.why_column`), never from text parsed
back; :func:`reason_text` gives the short "id|days ago|metres;..." form of the ``reasons``
column.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

REASONS_SHOWN = 2
"""A household's explanation names at most this many burglaries (the ones adding most)."""

REASON_TYPE = pa.list_(pa.struct([("id", pa.string()), ("days", pa.int64()), ("m", pa.int64())]))
"""Per household, its burglaries adding most, best first: id, days ago, metres."""


def top_pairs(
    h: np.ndarray, distance: np.ndarray, points: np.ndarray, n: int, *, shown: int = REASONS_SHOWN
) -> np.ndarray:
    """Per household (``h`` in 0..n-1), the pairs adding most ``points`` (more than 0), best first:
    most points, then nearest, then first given. An array (shown, n) of pair positions, -1 where none."""
    picks = np.full((shown, n), -1, dtype=np.int64)
    left = np.flatnonzero(points > 0)
    for rank in range(shown):
        if len(left) == 0:
            break
        hh, pp = h[left], points[left]
        best = np.full(n, -np.inf)
        np.maximum.at(best, hh, pp)
        top = left[pp == best[hh]]
        nearest = np.full(n, np.inf)
        np.minimum.at(nearest, h[top], distance[top])
        top = top[distance[top] == nearest[h[top]]]
        first = np.full(n, len(h), dtype=np.int64)
        np.minimum.at(first, h[top], top)
        households = np.flatnonzero(first < len(h))
        picks[rank, households] = first[households]
        if rank + 1 < shown:
            taken = np.zeros(len(h), dtype=bool)
            taken[first[households]] = True
            left = left[~taken[left]]
    return picks


def top_pairs_in_runs(local: np.ndarray, starts: np.ndarray, distance: np.ndarray, points: np.ndarray) -> np.ndarray:
    """:func:`top_pairs` for pairs that come household by household (``local``
    ascending, each household's pairs from ``starts``): per household the pairs adding most
    ``points`` (more than 0), best first: most points, then nearest, then first given."""
    picks = np.full((REASONS_SHOWN, len(starts)), -1, dtype=np.int64)
    counts = np.diff(np.append(starts, len(local)))
    candidate = np.where(points > 0, points, -np.inf)  # -inf: not (or no longer) a candidate
    for rank in range(REASONS_SHOWN):
        top = np.flatnonzero(candidate == np.repeat(np.maximum.reduceat(candidate, starts), counts))
        top = top[candidate[top] > -np.inf]
        if len(top) == 0:
            break
        # the few households with a tie on points: the nearest, then the first given
        runs = _runs(local[top])
        near = distance[top]
        top = top[near == np.repeat(np.minimum.reduceat(near, runs), np.diff(np.append(runs, len(top))))]
        first = top[_runs(local[top])]
        picks[rank, local[first]] = first
        candidate[first] = -np.inf
    return picks


def _runs(values: np.ndarray) -> np.ndarray:
    """Where each run of equal ``values`` starts."""
    return np.flatnonzero(np.concatenate([[True], values[1:] != values[:-1]]))


def reason_lists(
    picks: np.ndarray, burglary: np.ndarray, age: np.ndarray, distance: np.ndarray, *, ids: np.ndarray
) -> pa.ListArray:
    """The lists of :data:`REASON_TYPE` for the ``picks`` of :func:`top_pairs`; ``burglary``,
    ``age`` and ``distance`` are per pair, ``burglary`` indexing ``ids``."""
    chosen = picks.T[picks.T >= 0]  # household by household, best first
    return reason_items((picks >= 0).sum(axis=0), burglary[chosen], age[chosen], distance[chosen], ids=ids)


def reason_items(
    counts: np.ndarray, burglary: np.ndarray, age: np.ndarray, distance: np.ndarray, *, ids: np.ndarray
) -> pa.ListArray:
    """The lists of :data:`REASON_TYPE` from their items, household by household and best first:
    ``counts`` per household, then per item the burglary (indexing ``ids``), its age and distance."""
    offsets = np.zeros(len(counts) + 1, dtype=np.int32)
    np.cumsum(counts, out=offsets[1:])
    table = pa.array(np.asarray(ids, dtype=object), type=pa.string())
    items = pa.StructArray.from_arrays(
        [
            table.take(pa.array(burglary)),
            pa.array(np.asarray(age, dtype=np.int64)),
            pa.array(np.rint(distance).astype(np.int64)),
        ],
        names=["id", "days", "m"],
    )
    return pa.ListArray.from_arrays(pa.array(offsets), items)


def no_reasons(n: int) -> pa.ListArray:
    """``n`` households without a burglary adding points."""
    return pa.array([[]] * n, type=REASON_TYPE) if n else pa.array([], type=REASON_TYPE)


def reason_text(lists: pa.Array) -> pa.Array:
    """ "id|days ago|metres;..." per household ("" where none)."""
    items = lists.values
    if len(items):
        written = pc.binary_join_element_wise(
            items.field("id"), _whole(items.field("days")), _whole(items.field("m")), "|"
        )
    else:
        written = pa.array([], type=pa.string())
    return pc.binary_join(pa.ListArray.from_arrays(lists.offsets, written), ";")


def _whole(numbers: pa.Array) -> pa.Array:
    """Whole numbers as text. Days and metres span few values: each is written once and looked up."""
    values = numbers.to_numpy(zero_copy_only=False) if numbers.null_count == 0 else None
    if values is None or len(values) == 0:
        return pc.cast(numbers, pa.string())
    low, high = int(values.min()), int(values.max())
    if high - low >= len(values) // 4:
        return pc.cast(numbers, pa.string())
    return pc.cast(pa.array(np.arange(low, high + 1)), pa.string()).take(pa.array(values - low))


def reason_columns(lists: pa.Array) -> dict[str, pd.Series]:
    """The visits columns of ``lists``: ``reasons`` (text, see :func:`reason_text`) and
    ``_reasons`` (the lists themselves, for the sentence at the write)."""
    return {
        "reasons": pd.Series(reason_text(lists).to_pandas()),
        "_reasons": pd.Series(pd.arrays.ArrowExtensionArray(lists)),
    }
