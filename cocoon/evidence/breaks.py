"""Band breaks of the Knox test ("0,1,100,inf"): read, checked, written and labelled."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any

from cocoon.errors import InputError


def parse_breaks(text: str, *, what: str) -> tuple[float, ...]:
    """ "0,1,100,inf" -> (0.0, 1.0, 100.0, inf), with a clear error for anything unusable."""
    try:
        values = tuple(float(part) for part in str(text).replace(" ", "").split(",") if part != "")
    except ValueError:
        raise InputError("knox.bad_breaks", what=what, value=text) from None
    check_breaks(values, what=what)
    return values


def check_breaks(values: Sequence[float], *, what: str) -> None:
    """At least two breaks, increasing, from 0 or more; only the last may be inf."""
    shown = ",".join(f"{v:g}" for v in values)
    if len(values) < 2:
        raise InputError("knox.too_few_breaks", what=what, value=shown)
    if any(b <= a for a, b in itertools.pairwise(values)) or any(math.isnan(v) for v in values):
        raise InputError("knox.breaks_not_increasing", what=what, value=shown)
    if values[0] < 0 or any(math.isinf(v) for v in values[:-1]):
        raise InputError("knox.bad_breaks", what=what, value=shown)


def breaks_json(breaks: Sequence[float]) -> list[Any]:
    """Breaks for JSON: whole numbers as integers, inf as "inf"."""
    return ["inf" if math.isinf(v) else (int(v) if float(v).is_integer() else v) for v in breaks]


def band_labels(breaks: Sequence[float], unit: str = "") -> list[str]:
    """ "0–100 m", "100–200 m", "500+ m" (without a unit: "0–100", "500+")."""
    suffix = f" {unit}" if unit else ""
    return [f"{lo:g}+{suffix}" if math.isinf(hi) else f"{lo:g}–{hi:g}{suffix}" for lo, hi in itertools.pairwise(breaks)]
