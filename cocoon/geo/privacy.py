"""Moving points away from victims' homes before anything is published.

A point is replaced by the centre of its grid cell (``cell`` metres). If that centre is closer
than ``min_distance`` to any victim's home, the nearest clear candidate among the cell's corners
and the centres of the surrounding cells is used instead. So no published point lies within
``min_distance`` of a victim's home, and no zone drawn around a published point is centred on
one; and points in the same cell become one and the same point.
"""

from __future__ import annotations

import numpy as np


def generalise(points: np.ndarray, victims: np.ndarray, *, cell: float = 250.0, min_distance: float = 60.0,
               max_rings: int = 4) -> np.ndarray:
    """Generalised copies of ``points`` (n × 2, metres), all ``min_distance`` or more from ``victims``."""
    from scipy.spatial import cKDTree

    points = np.asarray(points, dtype=float).reshape(-1, 2)
    if len(points) == 0:
        return points.copy()
    tree = cKDTree(np.asarray(victims, dtype=float).reshape(-1, 2)) if len(victims) else None

    def clear(candidates: np.ndarray) -> np.ndarray:
        if tree is None:
            return np.ones(len(candidates), dtype=bool)
        distance, _ = tree.query(candidates)
        return distance >= min_distance

    centre = (np.floor(points / cell) + 0.5) * cell
    result = centre.copy()
    bad = np.flatnonzero(~clear(centre))
    offsets = [(dx * cell / 2, dy * cell / 2) for ring in range(1, 2 * max_rings + 1)
               for dx in range(-ring, ring + 1) for dy in range(-ring, ring + 1) if max(abs(dx), abs(dy)) == ring]
    for i in bad:
        candidates = centre[i] + np.array(offsets)
        ok = np.flatnonzero(clear(candidates))
        if len(ok) == 0:
            raise ValueError("no clear place for a generalised point")  # pragma: no cover - needs a wall of victims
        best = ok[np.argmin(np.hypot(*(candidates[ok] - points[i]).T))]
        result[i] = candidates[best]
    return result
