"""Where the public outputs put each burglary: zone centres and sign sites moved to grid cells
that keep the nearest-households rule (:mod:`cocoon.geo.privacy`).

The public map draws these points, and the volunteers' list is made from them alone
(:mod:`cocoon.risk.volunteers`), so that neither says more about a victim's home than the cell
its burglary is in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from cocoon.geo.privacy import generalise

if TYPE_CHECKING:
    import pandas as pd

    from cocoon.risk.daily_plan import Plan


@dataclass
class PublicPoints:
    """Zone centres and sign sites as the public map shows them (metric CRS)."""

    zones: np.ndarray
    zone_placed: np.ndarray
    """False for a zone no place near which keeps the privacy rule: it is left off."""
    zone_in_own_cell: np.ndarray
    """True for a zone shown at the centre of its burglary's own grid cell (not moved to keep the rule)."""
    signs: np.ndarray
    sign_placed: np.ndarray


def public_points(plan: Plan, signs: pd.DataFrame | None = None) -> PublicPoints:
    """Zone centres and sign sites moved to grid-cell centres that keep the privacy rule: no
    victim's home among the nearest households, none too close (:mod:`cocoon.geo.privacy`)."""
    rule, cells = plan.privacy_rule, plan.settings.privacy
    centres = np.column_stack([plan.zones.geometry.centroid.x.to_numpy(), plan.zones.geometry.centroid.y.to_numpy()])
    zones, zone_placed = generalise(centres, rule, cell=cells.zone_cell_m)
    own = (np.floor(centres / cells.zone_cell_m) + 0.5) * cells.zone_cell_m
    in_own_cell = zone_placed & np.isclose(zones, own).all(axis=1) if len(centres) else np.zeros(0, dtype=bool)
    sites = (
        np.empty((0, 2))
        if signs is None or len(signs) == 0
        else np.column_stack([signs["x"].to_numpy(dtype=float), signs["y"].to_numpy(dtype=float)])
    )
    sign_points, sign_placed = generalise(sites, rule, cell=cells.sign_cell_m)
    return PublicPoints(
        zones=zones, zone_placed=zone_placed, zone_in_own_cell=in_own_cell, signs=sign_points, sign_placed=sign_placed
    )
