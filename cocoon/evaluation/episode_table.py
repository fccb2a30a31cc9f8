"""An analyst's own episode table, checked: one row per zone after an originating burglary.

Columns: ``episode_id``, ``treated`` (1/0, true/false, yes/no, ja/nej), ``follow_on`` (a whole
number of burglaries), ``household_days`` (exposure, above 0), and the covariates named with
``--adjust`` (a column whose every value is a number is numeric, any other is a category). Every
problem names the file, row and column; nothing is dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cocoon.errors import InputError
from cocoon.inputs.rejects import Problems, refuse_duplicate_ids
from cocoon.inputs.tables import RawTable, normalise_name, to_numbers

REQUIRED = ("episode_id", "treated", "follow_on", "household_days")
TRUE = {"1", "true", "yes", "y", "ja", "j", "sant"}
FALSE = {"0", "false", "no", "n", "nej", "falskt"}


@dataclass
class EpisodeTable:
    frame: pd.DataFrame
    """episode_id, treated (bool), follow_on (int), household_days (float) and the covariates."""
    adjust: list[str]
    categorical: set[str]
    clusters: np.ndarray | None


def _column(table: RawTable, name: str) -> str | None:
    """The file's column that is ``name``, comparing names without case, spaces or dashes."""
    wanted = normalise_name(name)
    return next((c for c in table.frame.columns if normalise_name(c) == wanted), None)


def read_episodes(table: RawTable, *, adjust: list[str], cluster: str | None = None) -> EpisodeTable:
    """The episodes of ``table``, or an :class:`InputError` naming the first bad cell."""
    frame = table.frame
    found = ", ".join(map(str, frame.columns)) or "-"
    if not len(frame):
        raise InputError("evaluate.no_episodes", file=table.name)
    names = {}
    for name in REQUIRED:
        column = _column(table, name)
        if column is None:
            raise InputError("evaluate.missing_column", file=table.name, column=name, columns=found)
        names[name] = column
    covariates = {}
    for name in [*adjust, *([cluster] if cluster else [])]:
        column = _column(table, name)
        if column is None:
            raise InputError(
                "evaluate.unknown_covariate",
                file=table.name,
                column=name,
                columns=found,
                option="--cluster" if name == cluster and name not in adjust else "--adjust",
            )
        covariates[name] = column
    problems = Problems(table)

    raw = frame[names["treated"]].astype(str).str.strip().str.lower()
    problems.add(
        ~raw.isin(TRUE | FALSE).to_numpy(),
        column=names["treated"],
        key="evaluate.bad_treated",
        values=frame[names["treated"]],
    )
    treated = raw.isin(TRUE).to_numpy()

    counts, unreadable = to_numbers(frame[names["follow_on"]])
    problems.add(
        unreadable | np.isnan(counts),
        column=names["follow_on"],
        key="input.not_a_number",
        values=frame[names["follow_on"]],
    )
    with np.errstate(invalid="ignore"):
        problems.add(
            counts < 0, column=names["follow_on"], key="evaluate.negative_count", values=frame[names["follow_on"]]
        )
        problems.add(
            counts != np.round(counts),
            column=names["follow_on"],
            key="evaluate.not_whole",
            values=frame[names["follow_on"]],
        )

    exposure, unreadable = to_numbers(frame[names["household_days"]])
    problems.add(
        unreadable | np.isnan(exposure),
        column=names["household_days"],
        key="input.not_a_number",
        values=frame[names["household_days"]],
    )
    with np.errstate(invalid="ignore"):
        problems.add(
            ~(exposure > 0),
            column=names["household_days"],
            key="evaluate.bad_exposure",
            values=frame[names["household_days"]],
        )

    out = pd.DataFrame(
        {
            "episode_id": frame[names["episode_id"]].astype(str).str.strip(),
            "treated": treated,
            "follow_on": np.nan_to_num(counts).astype(int),
            "household_days": exposure,
        }
    )
    categorical = _covariates(out, frame, covariates, problems, adjust=adjust, cluster=cluster)
    problems.add(
        (out["episode_id"] == "").to_numpy(),
        column=names["episode_id"],
        key="evaluate.missing_value",
        values=frame[names["episode_id"]],
    )
    problems.settle(skip_bad_rows=False)
    refuse_duplicate_ids(table, out["episode_id"], np.ones(len(out), dtype=bool), names["episode_id"])
    if out["treated"].all() or not out["treated"].any():
        key = "evaluate.all_treated" if out["treated"].all() else "evaluate.none_treated"
        raise InputError(key, file=table.name, column=names["treated"], n=len(out))
    clusters = None
    if cluster:
        clusters = (out[f"cluster:{cluster}"] if cluster not in adjust else out[cluster].astype(str)).to_numpy()
    return EpisodeTable(frame=out, adjust=list(adjust), categorical=categorical, clusters=clusters)


def _covariates(
    out: pd.DataFrame,
    frame: pd.DataFrame,
    covariates: dict[str, str],
    problems: Problems,
    *,
    adjust: list[str],
    cluster: str | None,
) -> set[str]:
    """Add the covariate (and cluster) columns to ``out``; returns those that are categories."""
    categorical: set[str] = set()
    for name, column in covariates.items():
        values = frame[column]
        text = values.astype(str).str.strip()
        empty = (text == "") | text.str.lower().isin({"nan", "none", "null", "na"})
        problems.add(empty.to_numpy(), column=column, key="evaluate.missing_value", values=values)
        numbers, unreadable = to_numbers(values)
        if name == cluster and name not in adjust:
            out[f"cluster:{name}"] = text.to_numpy()
        elif unreadable[~empty.to_numpy()].any():
            out[name] = text.to_numpy()
            categorical.add(name)
        else:
            out[name] = numbers
    return categorical
