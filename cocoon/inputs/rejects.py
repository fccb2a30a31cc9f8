"""Collecting unusable rows: stop on the first with a clear error, or skip and list them all.

Readers record each kind of problem as a mask over the rows. :meth:`Problems.settle` then
either raises an :class:`InputError` naming the file, row, column and value of the first bad
row (and how many more there are), or, when skipping is allowed, returns one reject record per
bad row so that nothing the user gave is dropped silently.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeAlias

import numpy as np
import pandas as pd

from cocoon.errors import InputError
from cocoon.inputs.tables import RawTable

Values: TypeAlias = "pd.Series | np.ndarray | Callable[[int], str] | None"
"""The cells to show for each bad row: a column, an array, or a function of the row index."""


@dataclass
class Problem:
    mask: np.ndarray
    column: str
    key: str
    values: Values
    params: dict[str, Any]


@dataclass
class Problems:
    table: RawTable
    found: list[Problem] = field(default_factory=list)

    def add(self, mask: np.ndarray, *, column: str, key: str, values: Values = None, **params: Any) -> None:
        """Record ``key`` for the rows in ``mask`` that have no problem yet."""
        mask = np.asarray(mask, dtype=bool) & ~self.bad
        if mask.any():
            self.found.append(Problem(mask, column, key, values, params))

    @property
    def bad(self) -> np.ndarray:
        result = np.zeros(len(self.table.frame), dtype=bool)
        for problem in self.found:
            result |= problem.mask
        return result

    def _value(self, problem: Problem, i: int) -> str:
        if problem.values is None:
            return ""
        if callable(problem.values):
            return str(problem.values(i))
        value = problem.values.iloc[i] if isinstance(problem.values, pd.Series) else problem.values[i]
        return "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)

    def records(self) -> list[dict[str, Any]]:
        """One record per bad row: its row number, column, value, message key and parameters."""
        out: list[dict[str, Any]] = []
        for problem in self.found:
            for i in map(int, np.flatnonzero(problem.mask)):
                row = int(self.table.rows[i])
                value = self._value(problem, i)
                out.append(
                    {
                        "index": i,
                        "row": row,
                        "column": problem.column,
                        "value": value,
                        "key": problem.key,
                        "params": {
                            **problem.params,
                            "file": self.table.name,
                            "row": row,
                            "column": problem.column,
                            "value": value,
                        },
                    }
                )
        out.sort(key=lambda r: r["index"])
        return out

    def settle(self, *, skip_bad_rows: bool) -> pd.DataFrame:
        """Raise for the first bad row, or return the rejects (empty when all rows are good)."""
        records = self.records()
        if records and not skip_bad_rows:
            first = records[0]
            raise InputError(first["key"], **first["params"], more=len(records) - 1)
        return rejects_frame(self.table, records)


def rejects_frame(table: RawTable, records: list[dict[str, Any]]) -> pd.DataFrame:
    """The bad rows as the user gave them, with row, column and reason (a message key and values)."""
    if not records:
        return pd.DataFrame(columns=["row", "column", "value", "reason_key", "reason_params"])
    index = [r["index"] for r in records]
    original = table.frame.iloc[index].reset_index(drop=True).astype(object)
    info = pd.DataFrame(
        {
            "row": [r["row"] for r in records],
            "column": [r["column"] for r in records],
            "value": [r["value"] for r in records],
            "reason_key": [r["key"] for r in records],
            "reason_params": [r["params"] for r in records],
        }
    )
    original = original.rename(columns={c: f"input_{c}" for c in original.columns if c in info.columns})
    return pd.concat([info, original], axis=1)


def refuse_duplicate_ids(
    table: RawTable, ids: pd.Series, good: np.ndarray, column: str, shown: pd.Series | None = None
) -> None:
    """Two usable rows with the same id are always an error: which one is right cannot be known.
    ``ids`` are compared; ``shown`` (the ids as given) name them in the message."""
    kept = ids[good]
    dup = kept.duplicated(keep=False).to_numpy()
    if dup.any():
        first_key = kept[dup].iloc[0]
        first_id = first_key if shown is None else shown[good][dup].iloc[0]
        rows = table.rows[good][(kept == first_key).to_numpy()]
        raise InputError(
            "input.duplicate_id",
            file=table.name,
            column=column,
            id=first_id,
            rows=", ".join(map(str, rows)),
            count=int(kept[dup].nunique()),
        )
