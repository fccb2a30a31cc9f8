"""How much memory a Knox test or a backtest will need, worked out before it starts.

Both enumerate the pairs of burglaries within their reach, so their memory grows with the
number of such pairs, which grows faster than the number of burglaries. The pairs are counted
on a random sample (a KD-tree query around 2,000 burglaries), and the estimate is compared with
the limit (``[limits] memory_gb``, or 70 % of the machine's memory), so that a file of millions
of burglaries is refused at once, with the estimate and what to do, instead of running out of
memory an hour later.
"""

from __future__ import annotations

import math
import os

import numpy as np

from cocoon.errors import InputError

BYTES_PER_PAIR = 80
"""Measured on Chicago 2014-2017 (2.65 million pairs within 500 m): about 55 bytes a pair at the
peak of the Knox test; the estimate allows for more."""
BYTES_PER_CELL_MEMBER = 16
"""A grid cell covered by a burglary's disc: its number, its distance and the sort's copies."""
SAMPLE = 2000
MACHINE_SHARE = 0.7
"""Without a limit in the settings, this share of the machine's memory may be used."""


def pairs_within(x: np.ndarray, y: np.ndarray, reach: float, *, seed: int = 0) -> float:
    """About how many pairs of points lie within ``reach`` of each other (exact below 2,000 points)."""
    from scipy.spatial import cKDTree

    n = len(x)
    if n < 2 or not math.isfinite(reach):
        return n * (n - 1) / 2
    points = np.column_stack([x, y])
    tree = cKDTree(points)
    sample = np.arange(n) if n <= SAMPLE else np.random.default_rng(seed).choice(n, SAMPLE, replace=False)
    neighbours = tree.query_ball_point(points[sample], r=reach, return_length=True) - 1
    return float(n * neighbours.mean() / 2)


def machine_bytes() -> int | None:
    """The machine's memory, where the operating system tells it."""
    try:
        return int(os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    except (AttributeError, ValueError, OSError):  # not on every system
        return None


def limit_bytes(memory_gb: float) -> float:
    """The memory a run may use: the setting, or 70 % of the machine (8 GB where unknown)."""
    if memory_gb > 0:
        return memory_gb * 1e9
    machine = machine_bytes()
    return MACHINE_SHARE * machine if machine else 8e9


def knox_bytes(x: np.ndarray, y: np.ndarray, reach: float) -> tuple[float, float]:
    """(pairs, bytes) a Knox test whose largest finite distance break is ``reach`` will need."""
    pairs = pairs_within(x, y, reach)
    return pairs, pairs * BYTES_PER_PAIR + len(x) * 64


def fit_bytes(x: np.ndarray, y: np.ndarray, reach: float, parameters: int) -> tuple[float, float]:
    """(pairs, bytes) fitting the risk model will need: its pairs and, per burglary, a row of
    features per parameter (and the EM's working copies of it)."""
    pairs = pairs_within(x, y, reach)
    return pairs, pairs * BYTES_PER_PAIR + len(x) * parameters * 8 * 4


def backtest_bytes(
    x: np.ndarray, y: np.ndarray, reach: float, *, radii: tuple[float, ...], cell: float, area_m2: float
) -> tuple[float, float]:
    """(pairs, bytes) a backtest will need: its pairs, each burglary's disc of grid cells per
    radius, and the grid itself."""
    pairs = pairs_within(x, y, reach)
    discs = len(x) * sum(math.pi * (r / cell + 1) ** 2 for r in radii) * BYTES_PER_CELL_MEMBER
    grid = area_m2 / cell**2 * 64
    return pairs, pairs * BYTES_PER_PAIR + discs + grid


def refuse_if_too_big(needed: float, pairs: float, *, n: int, reach: float, memory_gb: float, command: str) -> None:
    """An error with the estimate and what to do when ``needed`` bytes exceed the limit."""
    limit = limit_bytes(memory_gb)
    if needed > limit:
        raise InputError(
            "memory.too_much",
            command=command,
            n=f"{n:,}",
            pairs=f"{pairs:,.0f}",
            reach=float(reach),
            needed=round(needed / 1e9, 1),
            limit=round(limit / 1e9, 1),
        )
