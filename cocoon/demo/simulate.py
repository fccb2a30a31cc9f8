"""Simulated burglaries with a near-repeat pattern, for the demo. Not real events.

A seeded self-exciting (Hawkes) process on real household locations:

- **background** burglaries arrive at a steady daily rate and fall on random households, more
  likely where there are more dwellings;
- each burglary **triggers** on average ``branching`` follow-on burglaries (Poisson), each
  ``1 + Exponential(mean_delay_days - 1)`` days later, at a household within 500 m chosen
  with probability proportional to ``exp(-distance / mean_distance_m)``: the near-repeat
  pattern that cocooning acts on.

Everything it returns is labelled simulated: ids ``SIM-0001``…, a note, and ``source``.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    import geopandas as gpd

NOTE = "simulated burglary - not a real event"


def simulate_burglaries(
    households: gpd.GeoDataFrame,
    *,
    end: dt.date,
    days: int = 120,
    seed: int = 7,
    background_per_day: float | None = None,
    branching: float = 0.45,
    mean_delay_days: float = 9.0,
    mean_distance_m: float = 120.0,
) -> pd.DataFrame:
    """Simulated burglaries in the ``days`` days up to ``end`` (see the module text)."""
    from scipy.spatial import cKDTree

    rng = np.random.default_rng(seed)
    x = households.geometry.x.to_numpy()
    y = households.geometry.y.to_numpy()
    n = len(x)
    if n == 0:
        raise ValueError("no households to simulate on")
    rate = background_per_day if background_per_day is not None else max(0.05, n / 6000.0)
    weights = households["dwellings"].to_numpy(dtype=float)
    weights = weights / weights.sum()
    tree = cKDTree(np.column_stack([x, y]))
    warmup = 60  # start earlier so that the period opens with a realistic history
    total = days + warmup
    queue: list[tuple[float, int]] = []
    count = rng.poisson(rate * total)
    for t, h in zip(rng.uniform(0, total, count), rng.choice(n, count, p=weights), strict=True):
        queue.append((float(t), int(h)))
    events: list[tuple[float, int]] = []
    while queue:
        t, h = queue.pop()
        events.append((t, h))
        for _ in range(rng.poisson(branching)):
            child_t = t + 1 + rng.exponential(max(mean_delay_days - 1, 0.1))
            if child_t >= total:
                continue
            near = np.asarray(tree.query_ball_point([x[h], y[h]], r=500.0), dtype=np.int64)
            near = near[near != h] if len(near) > 1 else near
            d = np.hypot(x[near] - x[h], y[near] - y[h])
            p = np.exp(-d / mean_distance_m)
            queue.append((child_t, int(rng.choice(near, p=p / p.sum()))))
    events.sort()
    start = pd.Timestamp(end) - pd.Timedelta(days=total - 1)
    rows = [(start + pd.Timedelta(days=int(t)), h) for t, h in events]
    first_day = pd.Timestamp(end) - pd.Timedelta(days=days - 1)
    rows = [(d, h) for d, h in rows if first_day <= d <= pd.Timestamp(end)]
    homes = np.array([h for _, h in rows], dtype=np.int64)
    jitter = rng.uniform(-3, 3, (len(rows), 2))
    labels = households["label"].to_numpy(dtype=object) if "label" in households else np.full(n, None)
    return pd.DataFrame(
        {
            "burglary_id": [f"SIM-{i + 1:04d}" for i in range(len(rows))],
            "date": [d.date() for d, _ in rows],
            "x": x[homes] + jitter[:, 0],
            "y": y[homes] + jitter[:, 1],
            "address": labels[homes],
            "household_id": households["household_id"].to_numpy(dtype=object)[homes],
            "note": NOTE,
            "source": "simulated",
        }
    )
