"""Keeping published and physically placed points from leading to a victim's home.

The rule (the police.uk snapping rule, and the product brief): a point on the public map, or a
place where a sign goes up, must not have a victim's home among the ``k`` households nearest to
it (``k`` = 8 by default), and must be at least ``min_distance`` from every victim's home.

:func:`generalise` moves points to the centre of their grid cell (``cell`` metres; points in the
same cell become one point). Where the centre breaks the rule, the candidate nearest the centre
that keeps it, among the cell's corners and the centres of the surrounding cells (up to
``max_rings`` cells away), is used instead; where none does, the point is left out and the caller
says so. The choice depends on the cell and the rule only, never on where in the cell the point
was: two burglaries in the same cell are published at the same place, so the published point
tells nothing of the direction from the cell's centre to the home.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class NearestRule:
    """The homes around the zones and which of them are victims' homes (metric CRS)."""

    homes: np.ndarray = field(default_factory=lambda: np.empty((0, 2)))
    """Households (and burglary points) near the zones, n × 2."""
    is_victim: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=bool))
    k: int = 8
    """No victim's home among the k households nearest to a point."""
    min_distance: float = 60.0
    """And no victim's home closer than this, metres."""

    def clear(self, points: np.ndarray) -> np.ndarray:
        """For each point (m × 2): does it keep the rule?"""
        from scipy.spatial import cKDTree

        points = np.asarray(points, dtype=float).reshape(-1, 2)
        ok = np.ones(len(points), dtype=bool)
        victims = self.homes[self.is_victim]
        if len(points) == 0 or len(victims) == 0:
            return ok
        distance, _ = cKDTree(victims).query(points)
        ok &= distance >= self.min_distance
        k = min(self.k, len(self.homes))
        if k > 0:
            _, nearest = cKDTree(self.homes).query(points, k=k)
            ok &= ~self.is_victim[np.asarray(nearest).reshape(len(points), k)].any(axis=1)
        return ok


def generalise(
    points: np.ndarray, rule: NearestRule, *, cell: float = 250.0, max_rings: int = 4
) -> tuple[np.ndarray, np.ndarray]:
    """Generalised copies of ``points`` (n × 2, metres) that keep ``rule``, and which points could
    be placed (False: no candidate keeps the rule; leave that point out)."""
    points = np.asarray(points, dtype=float).reshape(-1, 2)
    if len(points) == 0:
        return points.copy(), np.ones(0, dtype=bool)
    centre = (np.floor(points / cell) + 0.5) * cell
    result = centre.copy()
    placed = np.ones(len(points), dtype=bool)
    offsets = np.array(
        [
            (dx * cell / 2, dy * cell / 2)
            for ring in range(1, 2 * max_rings + 1)
            for dx in range(-ring, ring + 1)
            for dy in range(-ring, ring + 1)
            if max(abs(dx), abs(dy)) == ring
        ]
    )
    for i in np.flatnonzero(~rule.clear(centre)):
        candidates = centre[i] + offsets
        ok = np.flatnonzero(rule.clear(candidates))
        if len(ok) == 0:
            placed[i] = False
            continue
        # offsets run ring by ring outwards; within a ring, the nearest to the centre, first in order
        result[i] = candidates[ok[np.argmin(np.hypot(*offsets[ok].T))]]
    return result, placed
