"""Who must never be pointed at: the burgled households, and everyone at their address.

For each active burglary, the burgled household is found two ways, and both count:

- by its coordinates: the household nearest to the burglary, within ``victim_match_m``;
- by its address text: every household within ``tier_a_max_m`` whose label is the burglary's
  address (so a burglary recorded as "Uudenmaankatu 15" at the coordinates of number 14 marks
  both).

Around each of those, the same address (the same label), the same building (``building_id``)
and every household within ``same_building_m`` are victims too. Volunteer lists leave all of
them out, and nothing published or put up may have one among its nearest households
(:mod:`cocoon.geo.privacy`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from cocoon.risk.addresses import street_key
from cocoon.settings import RankingSettings

if TYPE_CHECKING:
    import geopandas as gpd


@dataclass(frozen=True)
class Victims:
    """The victims of the active burglaries, and the homes around them (metric CRS)."""

    household_ids: frozenset[str] = frozenset()
    """Households that are, or share an address or building with, a burgled household."""
    homes: np.ndarray = field(default_factory=lambda: np.empty((0, 2)))
    """Every household within the zones (before any is excluded from the list), and every active
    burglary's own point: where the nearest-households rule looks."""
    is_victim: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=bool))
    """For each home: a victim's home (a victim household or a burglary's point)."""

    @property
    def victim_homes(self) -> np.ndarray:
        return self.homes[self.is_victim]


def find_victims(households: gpd.GeoDataFrame, active: gpd.GeoDataFrame, *, b: np.ndarray, h: np.ndarray,
                 d: np.ndarray, present: np.ndarray, nearest_h: np.ndarray, nearest_d: np.ndarray,
                 ranking: RankingSettings) -> Victims:
    """The victims of ``active`` among ``households`` (both in one metric CRS), from the
    (burglary ``b``, household ``h``, distance ``d``) pairs within the zone radius, the households
    ``present`` in some pair, and each burglary's nearest household (``nearest_h``, ``nearest_d``)."""
    from scipy.spatial import cKDTree

    hx = households.geometry.x.to_numpy()
    hy = households.geometry.y.to_numpy()
    core = set(nearest_h[:, 0][(nearest_d[:, 0] <= ranking.victim_match_m) & (nearest_h[:, 0] >= 0)].tolist())
    if "address" in active and "label" in households:
        close = np.flatnonzero(d <= max(ranking.tier_a_max_m, ranking.victim_match_m))
        b_key = street_key(active["address"].reset_index(drop=True))[b[close]]
        h_key = street_key(households["label"].iloc[h[close]].reset_index(drop=True))
        core |= set(h[close][(b_key != "") & (b_key == h_key)].tolist())
    victim = np.zeros(len(households), dtype=bool)
    if core:
        members = np.fromiter(core, dtype=np.int64)
        victim[members] = True
        local = present
        labels = street_key(households["label"].iloc[local].reset_index(drop=True)) if "label" in households else \
            np.full(len(local), "", dtype=object)
        core_labels = set(street_key(households["label"].iloc[members].reset_index(drop=True))) if \
            "label" in households else set()
        addresses = [label for label in core_labels if any(c.isdigit() for c in label)]  # a street alone is no address
        same_address = pd.Series(labels, dtype=object).isin(addresses).to_numpy(dtype=bool)
        same_building = np.zeros(len(local), dtype=bool)
        if "building_id" in households:
            buildings = households["building_id"].to_numpy(dtype=object)
            core_buildings = {x for x in buildings[members] if pd.notna(x) and str(x) != ""}
            same_building = pd.Series(buildings[local], dtype=object).astype(str).isin(
                [str(x) for x in core_buildings]).to_numpy(dtype=bool)
        near, _ = cKDTree(np.column_stack([hx[members], hy[members]])).query(
            np.column_stack([hx[local], hy[local]]), distance_upper_bound=ranking.same_building_m * (1 + 1e-9))
        victim[local[same_address | same_building | np.isfinite(near)]] = True
    burgled_points = np.column_stack([active.geometry.x.to_numpy(), active.geometry.y.to_numpy()])
    homes = np.vstack([np.column_stack([hx[present], hy[present]]), burgled_points])
    is_victim = np.concatenate([victim[present], np.ones(len(burgled_points), dtype=bool)])
    ids = households["household_id"].to_numpy(dtype=object)[np.flatnonzero(victim)]
    return Victims(household_ids=frozenset(map(str, ids)), homes=homes, is_victim=is_victim)
