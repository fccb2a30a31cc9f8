"""Knox calibration: the plain-language verdict, and how far and long the pattern reaches.

The verdict follows the Near Repeat Calculator's rule: a cell is significant when p <= 0.05 and
the Knox ratio >= 1.2, and time bands count only while they are significant from the first.
The same rule reads off the zone radius and windows the pattern suggests (see :func:`suggest`);
calibrate shows them as advice and leaves the zones, the police area's choice, as they are.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from cocoon.evidence.breaks import band_labels
from cocoon.evidence.knox import MIN_EXPECTED_PAIRS, KnoxResult

ALPHA = 0.05
MIN_RATIO = 1.2


def _near_rows(result: KnoxResult, sig: np.ndarray) -> list[int]:
    """Spatial bands (not the same-location band, not an inf band) significant in the first time band,
    consecutive from the nearest."""
    rows = []
    for r in range(1 if result.same_location else 0, len(result.sds) - 1):
        if math.isinf(result.sds[r + 1]) or not sig[r, 0]:
            break
        rows.append(r)
    return rows


def _time_run(result: KnoxResult, sig_row: np.ndarray) -> int:
    """How many time bands from the first are significant (finite bands only)."""
    n = 0
    for k in range(len(result.tds) - 1):
        if math.isinf(result.tds[k + 1]) or not sig_row[k]:
            break
        n += 1
    return n


def _pooled_ratio(result: KnoxResult, rows: list[int], cols: list[int]) -> float:
    block = np.ix_(rows, cols)
    expected = float(result.sim_mean[block].sum())
    return float(result.observed[block].sum()) / expected if expected > 0 else math.nan


def _percent(ratio: float) -> int:
    """Per cent above 1, rounded half up (1.575 -> 58)."""
    return math.floor((ratio - 1) * 100 + 0.5 + 1e-9)


def verdict(
    result: KnoxResult, *, alpha: float = ALPHA, min_ratio: float = MIN_RATIO
) -> list[tuple[str, dict[str, Any]]]:
    """What the table says, as message keys with values (rendered in the user's language)."""
    sig = result.significant(alpha, min_ratio)
    lines: list[tuple[str, dict[str, Any]]] = []
    if result.same_location and sig[0, 0]:
        run = _time_run(result, sig[0])
        lines.append(
            (
                "verdict.repeat",
                {"pct": _percent(_pooled_ratio(result, [0], list(range(run)))), "days": float(result.tds[run])},
            )
        )
    rows = _near_rows(result, sig)
    first_near = 1 if result.same_location else 0
    if rows:
        run = min(_time_run(result, sig[r]) for r in rows)
        lines.append(
            (
                "verdict.near",
                {
                    "distance": float(result.sds[rows[-1] + 1]),
                    "days": float(result.tds[run]),
                    "pct": _percent(_pooled_ratio(result, rows, list(range(run)))),
                },
            )
        )
    elif first_near < len(result.sds) - 1 and not math.isinf(result.sds[first_near + 1]):
        lines.append(("verdict.none", {"band": band_labels(result.sds, "m")[first_near]}))
    for r in range(first_near, len(result.sds) - 1):
        if math.isinf(result.sds[r + 1]) or not sig[r, 0]:
            continue
        k = _time_run(result, sig[r])
        lines.append(
            (
                "verdict.band",
                {
                    "band": band_labels(result.sds, "m")[r],
                    "days": float(result.tds[k]),
                    "pct": _percent(_pooled_ratio(result, [r], list(range(k)))),
                },
            )
        )
    lines.append(("verdict.rule", {"alpha": float(alpha), "ratio": float(min_ratio), "expected": MIN_EXPECTED_PAIRS}))
    return lines


@dataclass(frozen=True)
class Suggestion:
    """Zone radius and windows read off the significant cells."""

    radius_m: float
    high_days: int
    elevated_days: int


def suggest(result: KnoxResult, *, alpha: float = ALPHA, min_ratio: float = MIN_RATIO) -> Suggestion | None:
    """Settings from the Knox table, or None when no near-repeat band passes the NRC's rule.

    The NRC's rule (p <= alpha and ratio >= min_ratio) decides whether there is a pattern and
    how long the high-risk phase lasts. How far and how long zones reach follow every *significant
    excess* (p <= alpha and ratio > 1): a ring where burglaries are 10 % more likely than chance is
    still a ring where a visit can prevent one.

    - radius: the outer break of the last spatial band with a significant excess in the first
      time band, counting bands outwards from the nearest (the same-location band left out);
    - high-risk days: the last day of the time bands through which every band passing the NRC's
      rule passes it (with [a, b) bands the band [7, 14) ends on day 13, with (a, b] on day 14:
      a plan's zone is high for ages 0 to ``high_days``, both counted);
    - elevated days: the last day of the time bands through which any band within the radius, or
      the same-location band (repeat burglary at the same address), has a significant excess,
      minus the high-risk days: while same-place repeats are still raised, the zone is not ended.
    """
    sig = result.significant(alpha, min_ratio)
    rows = _near_rows(result, sig)
    if not rows:
        return None
    with np.errstate(invalid="ignore"):
        excess = (result.p_value <= alpha) & (result.knox_ratio > 1) & ~result.thin()
    reach = _near_rows(result, excess | sig)
    high_run = min(_time_run(result, sig[r]) for r in rows)
    run = max(high_run, *(_time_run(result, excess[r] | sig[r]) for r in reach))
    if result.same_location:
        run = max(run, _time_run(result, excess[0] | sig[0]))
    radius = float(result.sds[reach[-1] + 1])
    high = _last_day(result, high_run)
    return Suggestion(radius_m=radius, high_days=high, elevated_days=_last_day(result, run) - high)


def _last_day(result: KnoxResult, k: int) -> int:
    """The last whole day of the time bands before break ``k``: the day before it when bands are
    [a, b), the break itself when they are (a, b]; a plan counts ages in whole days."""
    edge = float(result.tds[k])
    last = math.ceil(edge) - 1 if result.closed == "left" else math.floor(edge)
    return max(0, int(last))
