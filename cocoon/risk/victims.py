"""Who must never be pointed at: the burgled households, and everyone at their address.

For each active burglary, the burgled household is found two ways, and both count:

- by its coordinates: the household nearest to the burglary, within ``victim_match_m``;
- by its address text: every household within ``tier_a_max_m`` whose label is the burglary's
  address (so a burglary recorded as "Uudenmaankatu 15" at the coordinates of number 14 marks
  both).

The one taken as *the* burgled address of a burglary (for the ranking's "same building" and
the plan's ``burgled`` table) is the nearest household whose label matches, else the nearest
within ``victim_match_m``. Both come from one pass (:func:`find_victims`).

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

from cocoon.risk.addresses import street_codes, street_key
from cocoon.risk.pairs import zone_pairs
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


def find_victims(
    households: pd.DataFrame,
    active: gpd.GeoDataFrame,
    *,
    b: np.ndarray,
    h: np.ndarray,
    d: np.ndarray,
    local: np.ndarray,
    present: np.ndarray,
    nearest_h: np.ndarray,
    nearest_d: np.ndarray,
    hx: np.ndarray,
    hy: np.ndarray,
    ranking: RankingSettings,
) -> tuple[np.ndarray, Victims]:
    """Per burglary of ``active``, the household index taken as the burgled address (-1 where
    none), and the victims among ``households`` (both in one metric CRS, households at ``hx``,
    ``hy``). From the (burglary ``b``, household ``h``, distance ``d``) pairs within the zone
    radius, each pair's position in ``present`` (``local``, the households in some pair), and
    each burglary's nearest household (``nearest_h``, ``nearest_d``)."""
    burgled = np.where(nearest_d[:, 0] <= ranking.victim_match_m, nearest_h[:, 0], -1).astype(np.int64)
    core = set(burgled[burgled >= 0].tolist())
    has_labels = "label" in households
    # the labels of the households in reach as codes into their distinct keys (-1 for none)
    label, label_keys = (
        street_codes(households["label"].iloc[present])
        if has_labels
        else (np.full(len(present), -1, dtype=np.int64), np.empty(0, dtype=object))
    )
    if "address" in active and has_labels and bool(active["address"].notna().any()):
        close = np.flatnonzero(d <= max(ranking.tier_a_max_m, ranking.victim_match_m))
        cb, ch, cd = b[close], h[close], d[close]
        lookup = {key: i for i, key in enumerate(label_keys)}
        b_label = np.array([lookup.get(key, -1) for key in street_key(active["address"])], dtype=np.int64)[cb]
        match = (b_label >= 0) & (b_label == label[local[close]])
        if match.any():
            # the nearest matching address of each burglary is its burgled address
            order = np.lexsort((ch[match], cd[match], cb[match]))
            mb, mh = cb[match][order], ch[match][order]
            first = np.unique(mb, return_index=True)[1]
            burgled[mb[first]] = mh[first]
            core |= set(ch[match].tolist())
    victim = np.zeros(len(households), dtype=bool)
    if core:
        members = np.fromiter(core, dtype=np.int64)
        victim[members] = True
        # the victims' own labels (every victim so far is a household in reach); a street alone is no address
        core_labels = np.unique(label[np.searchsorted(present, members)])
        address = np.zeros(len(label_keys) + 1, dtype=bool)  # the last entry: no label
        address[[c for c in core_labels if c >= 0 and any(char.isdigit() for char in label_keys[c])]] = True
        same_address = address[label]
        same_building = np.zeros(len(present), dtype=bool)
        if "building_id" in households:
            buildings = households["building_id"]
            core_buildings = {x for x in buildings.iloc[members] if pd.notna(x) and str(x) != ""}
            if core_buildings:
                same_building = (
                    pd.Series(buildings.iloc[present].to_numpy(dtype=object), dtype=object)
                    .astype(str)
                    .isin([str(x) for x in core_buildings])
                    .to_numpy(dtype=bool)
                )
        reach = ranking.same_building_m * (1 + 1e-9)
        victim[present[same_address | same_building]] = True
        near = zone_pairs(hx[present], hy[present], hx[members], hy[members], radius_m=reach)
        if near is not None:
            victim[present[near.present]] = True
    burgled_points = np.column_stack([active.geometry.x.to_numpy(), active.geometry.y.to_numpy()])
    homes = np.vstack([np.column_stack([hx[present], hy[present]]), burgled_points])
    is_victim = np.concatenate([victim[present], np.ones(len(burgled_points), dtype=bool)])
    ids = households["household_id"].iloc[np.flatnonzero(victim)].to_numpy(dtype=object)
    return burgled, Victims(household_ids=frozenset(map(str, ids)), homes=homes, is_victim=is_victim)
