"""Ranking households inside the active zones (the model is explained in the README).

For household h and every active burglary b within the zone radius::

    contribution(h, b) = points x time_weight(age_b) x distance_weight(d(h, b)) x street(h, b)
    score(h)           = sum of contributions           (risk adds up where zones overlap)
    priority(h)        = score(h) x dwellings(h) ** dwelling_exponent

``street(h, b)`` is the multiplier for the burgled building or entrance, the same street and
side (same house-number parity), or the same street. Tier A is the burgled building and the
nearest neighbours of each burglary, tier B the rest within ``tier_b_max_m``, tier C the rest
of the zone. The list is ordered by tier, then priority, then distance.

With a fitted model (settings [model]), the same households (those in a zone) are scored,
tiered and ordered by the model instead (:mod:`cocoon.risk.model_scores`). Either way each
household's score is split into "from recent burglaries nearby" and "from this place's own
history", with the burglaries adding most named in ``reasons``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from cocoon.risk.addresses import number_parity, split_address, street_codes, street_key
from cocoon.risk.model import RiskModel
from cocoon.risk.model_scores import best_first, model_scores, tier_thresholds
from cocoon.risk.reasons import reason_columns, reason_lists, top_pairs
from cocoon.risk.victims import Victims, find_victims
from cocoon.risk.weights import distance_weight, time_weight
from cocoon.settings import RankingSettings

if TYPE_CHECKING:
    import geopandas as gpd

TIERS = np.array(["A", "B", "C"])
RELATIONS = np.array(["same_building", "same_side", "same_street", "nearby"])


@dataclass
class Ranking:
    visits: pd.DataFrame
    """One row per household to visit, best first (see :func:`rank_households`)."""
    excluded: int
    """Households in a zone that were left out because their id was excluded."""
    burgled: pd.DataFrame
    """Per active burglary: the household taken as the burgled address (or none)."""
    victims: Victims
    """Every victim household and the homes around them, for the privacy rules."""
    left_out: tuple[str, ...] = ()
    """The ids of the households left out because their id was excluded."""


@dataclass
class Pairs:
    """(burglary, household) pairs within the radius, as parallel arrays."""

    b: np.ndarray
    """Index of the burglary (row of ``active``)."""
    h: np.ndarray
    """Index of the household (row of ``households``)."""
    d: np.ndarray
    """Distance in metres."""
    present: np.ndarray
    """The households that appear in some pair, ascending."""
    local: np.ndarray
    """For each pair, the position of its household in ``present``."""
    nearest_h: np.ndarray
    """Per burglary, its k nearest households within the radius (-1 where fewer)."""
    nearest_d: np.ndarray
    """... and their distances (inf where fewer)."""


def rank_households(
    households: pd.DataFrame,
    active: gpd.GeoDataFrame,
    *,
    ranking: RankingSettings,
    radius_m: float,
    exclude: Iterable[str] = (),
    model: RiskModel | None = None,
    history: pd.DataFrame | None = None,
    household_xy: tuple[np.ndarray, np.ndarray] | None = None,
) -> Ranking:
    """Every household within ``radius_m`` of an active burglary, scored and ranked.

    ``households`` (a GeoDataFrame, or any frame of their columns when ``household_xy`` is given)
    and ``active`` (points of the active burglaries with ``burglary_id``,
    ``age_days``, ``phase``, ``days_left`` and ``address``) share one metric CRS. With a fitted
    ``model``, the households are scored with it from ``history`` (every burglary, with x, y,
    ``burglary_id`` and ``age_days``; the active ones when not given). ``household_xy`` are the
    households' coordinates when the caller has them already.
    """
    empty = Ranking(
        visits=_empty_visits(),
        excluded=0,
        burgled=pd.DataFrame({"burglary_id": [], "household_id": []}),
        victims=Victims(),
    )
    if len(active) == 0 or len(households) == 0:
        return empty
    # Most recent burglary first, so each household lists its burglaries newest first.
    active = active.iloc[np.argsort(active["age_days"].to_numpy(), kind="stable")].reset_index(drop=True)
    hx, hy = (
        household_xy
        if household_xy is not None
        else (households.geometry.x.to_numpy(), households.geometry.y.to_numpy())
    )
    pairs = zone_pairs(
        hx,
        hy,
        active.geometry.x.to_numpy(),
        active.geometry.y.to_numpy(),
        radius_m=radius_m,
        k=max(ranking.tier_a_neighbours, 1),
    )
    if pairs is None:
        return empty

    victim_h, victims = find_victims(
        households,
        active,
        b=pairs.b,
        h=pairs.h,
        d=pairs.d,
        local=pairs.local,
        present=pairs.present,
        nearest_h=pairs.nearest_h,
        nearest_d=pairs.nearest_d,
        hx=hx,
        hy=hy,
        ranking=ranking,
    )
    relation = _relations(households, active, pairs, victim_h, hx, hy, ranking)
    multiplier = np.choose(relation, [ranking.same_building, ranking.same_street_same_side, ranking.same_street, 1.0])
    age = active["age_days"].to_numpy()[pairs.b]
    contribution = ranking.points * time_weight(age, ranking) * distance_weight(pairs.d, ranking) * multiplier

    # Tier A: the burgled building, and each burglary's k nearest households (ties included).
    if ranking.tier_a_neighbours > 0:
        kth = pairs.nearest_d[:, ranking.tier_a_neighbours - 1]
        nearest = (pairs.d <= kth[pairs.b]) & (pairs.d <= ranking.tier_a_max_m)
    else:
        nearest = np.zeros(len(pairs.d), dtype=bool)
    tier = np.where((relation == 0) | nearest, 0, np.where(pairs.d <= ranking.tier_b_max_m, 1, 2)).astype(np.int8)

    visits = _per_household(households, active, pairs, contribution, tier, relation, hx, hy, ranking)
    if model is not None:
        if history is None:
            history = pd.DataFrame(
                {
                    "x": active.geometry.x.to_numpy(),
                    "y": active.geometry.y.to_numpy(),
                    "burglary_id": active["burglary_id"].to_numpy(),
                    "age_days": active["age_days"].to_numpy(),
                }
            )
        visits = _with_model(visits, active, pairs, relation, model, history, ranking)
    victim_ids = households["household_id"].iloc[np.maximum(victim_h, 0)].to_numpy(dtype=object)
    burgled = pd.DataFrame(
        {"burglary_id": active["burglary_id"].to_numpy(), "household_id": np.where(victim_h >= 0, victim_ids, None)}
    )
    visits["burgled"] = visits["household_id"].isin(set(burgled["household_id"].dropna()))
    visits = visits.drop(columns="_household")
    excluded_ids = set(map(str, exclude))
    drop = (
        visits["household_id"].astype(str).isin(excluded_ids).to_numpy()
        if excluded_ids
        else np.zeros(len(visits), dtype=bool)
    )
    left_out: tuple[str, ...] = ()
    if drop.any():
        left_out = tuple(visits["household_id"][drop].astype(str))
        visits = visits[~drop].reset_index(drop=True)
    visits.insert(0, "rank", np.arange(1, len(visits) + 1))
    return Ranking(visits=visits, excluded=int(drop.sum()), left_out=left_out, burgled=burgled, victims=victims)


def zone_pairs(
    hx: np.ndarray, hy: np.ndarray, bx: np.ndarray, by: np.ndarray, *, radius_m: float, k: int = 1
) -> Pairs | None:
    """Every (burglary, household) pair at most ``radius_m`` apart, found with a KD-tree, and
    each burglary's ``k`` nearest households; None when no household is in reach."""
    from scipy.spatial import cKDTree

    # Only households inside the burglaries' bounding box (plus the radius) go into the tree.
    near = (
        (hx >= bx.min() - radius_m)
        & (hx <= bx.max() + radius_m)
        & (hy >= by.min() - radius_m)
        & (hy <= by.max() + radius_m)
    )
    candidates = np.flatnonzero(near)
    if len(candidates) == 0:
        return None
    # An unbalanced tree builds about twice as fast and queries as fast on household points.
    tree = cKDTree(np.column_stack([hx[candidates], hy[candidates]]), balanced_tree=False, compact_nodes=False)
    points = np.column_stack([bx, by])
    # Unsorted: the order within a burglary settles nothing (ties are settled by burglary).
    found = tree.query_ball_point(points, r=radius_m, workers=-1, return_sorted=False)
    counts = np.fromiter((len(f) for f in found), dtype=np.int64, count=len(found))
    if counts.sum() == 0:
        return None
    h = candidates[np.concatenate([np.asarray(f, dtype=np.int64) for f in found])]
    b = np.repeat(np.arange(len(bx)), counts)
    d = np.hypot(hx[h] - bx[b], hy[h] - by[b])
    # Dense numbering of the households in reach, without sorting.
    seen = np.zeros(len(hx), dtype=bool)
    seen[h] = True
    present = np.flatnonzero(seen)
    position = np.cumsum(seen) - 1
    nearest_d, nearest_local = tree.query(points, k=k, distance_upper_bound=radius_m * (1 + 1e-12), workers=-1)
    nearest_d = nearest_d.reshape(len(bx), k)
    nearest_local = nearest_local.reshape(len(bx), k)
    missing = nearest_local >= len(candidates)
    nearest_h = np.where(missing, -1, candidates[np.minimum(nearest_local, len(candidates) - 1)])
    return Pairs(
        b=b,
        h=h,
        d=d,
        present=present,
        local=position[h],
        nearest_h=nearest_h,
        nearest_d=np.where(missing, np.inf, nearest_d),
    )


def _relations(
    households: pd.DataFrame,
    active: gpd.GeoDataFrame,
    pairs: Pairs,
    victim_h: np.ndarray,
    hx: np.ndarray,
    hy: np.ndarray,
    ranking: RankingSettings,
) -> np.ndarray:
    """0 same building/entrance, 1 same street and side, 2 same street, 3 neither."""
    subset = households[[c for c in ("street", "number", "building_id") if c in households]].iloc[pairs.present]
    n = len(pairs.present)
    street, names = street_codes(subset["street"]) if "street" in subset else (np.full(n, -1), np.empty(0))
    parity = number_parity(subset["number"]) if "number" in subset else np.full(n, -1, dtype=np.int8)
    # buildings as codes (-1 where none), compared as integers
    building = pd.factorize(subset["building_id"])[0] if "building_id" in subset else np.full(n, -1)
    victim_local = np.full(len(victim_h), -1, dtype=np.int64)
    known = victim_h >= 0
    victim_local[known] = np.searchsorted(pairs.present, victim_h[known])

    # The burglary's street and house number: from the burgled address, else from its address text.
    if "address" in active:
        b_street_text, b_number_text = split_address(active["address"].reset_index(drop=True))
    else:
        b_street_text = b_number_text = pd.Series([None] * len(active), dtype=object)
    # a burglary's street as the households' code; -2 where no household is on it
    lookup = {name: i for i, name in enumerate(names)}
    b_street = np.array([lookup.get(k, -1 if k == "" else -2) for k in street_key(b_street_text)], dtype=np.int64)
    b_parity = number_parity(b_number_text)
    matched = victim_local >= 0
    b_street[matched] = street[victim_local[matched]]
    b_parity[matched] = parity[victim_local[matched]]
    b_building = np.full(len(active), -1, dtype=np.int64)
    b_building[matched] = building[victim_local[matched]]

    b, h, local = pairs.b, pairs.h, pairs.local
    v = victim_h[b]
    has_victim = v >= 0
    same_building = has_victim & (h == v)
    # Close to the burgled address: only pairs near the burglary can be, so only they are measured.
    near = np.flatnonzero(has_victim & (pairs.d <= ranking.victim_match_m + ranking.same_building_m))
    same_building[near] |= np.hypot(hx[h[near]] - hx[v[near]], hy[h[near]] - hy[v[near]]) <= ranking.same_building_m
    if (b_building >= 0).any():
        pair_building = b_building[b]
        same_building |= has_victim & (pair_building >= 0) & (building[local] == pair_building)
    pair_street = b_street[b]
    same_street = (pair_street >= 0) & (street[local] == pair_street)
    same_side = same_street & (parity[local] >= 0) & (parity[local] == b_parity[b])
    return np.where(same_building, 0, np.where(same_side, 1, np.where(same_street, 2, 3))).astype(np.int8)


def _with_model(
    visits: pd.DataFrame,
    active: gpd.GeoDataFrame,
    pairs: Pairs,
    relation: np.ndarray,
    model: RiskModel,
    history: pd.DataFrame,
    ranking: RankingSettings,
) -> pd.DataFrame:
    """The zone's households scored, tiered and ordered by the fitted model."""
    # the burgled building of each burglary: (household position, row of the burglary in ``history``)
    position = np.full(int(visits["_household"].max()) + 1, -1, dtype=np.int64)
    position[visits["_household"].to_numpy()] = np.arange(len(visits))
    same = relation == 0
    rows = pd.Index(history["burglary_id"].astype(str)).get_indexer(active["burglary_id"].astype(str))[pairs.b[same]]
    found = rows >= 0
    same_place = position[pairs.h[same][found]] * len(history) + rows[found]
    scores = model_scores(model, visits["x"].to_numpy(), visits["y"].to_numpy(), history, same_place)
    score = scores.recent + scores.history
    priority = score * np.power(visits["dwellings"].to_numpy(dtype=float), ranking.dwelling_exponent)
    tier_a, tier_b = tier_thresholds(model, ranking)
    burgled_building = (visits["relation"] == "same_building").to_numpy()
    codes = np.where(burgled_building | (score >= tier_a), 0, np.where(score >= tier_b, 1, 2))
    order = best_first(codes, priority, visits["distance_m"].to_numpy(), visits["_household"].to_numpy())
    # the model's columns are made in the new order; only the others are reordered
    model_columns = ["score_recent", "score_history", "score", "priority", "tier", "reasons", "_reasons"]
    ranked = visits.drop(columns=model_columns).iloc[order].reset_index(drop=True)
    ranked = ranked.assign(
        score_recent=scores.recent[order],
        score_history=scores.history[order],
        score=score[order],
        priority=priority[order],
        tier=pd.Categorical.from_codes(codes[order], categories=list(TIERS)),
        **reason_columns(scores.reasons(order)),
    )
    return ranked[list(visits.columns)]


def _per_household(
    households: pd.DataFrame,
    active: gpd.GeoDataFrame,
    pairs: Pairs,
    contribution: np.ndarray,
    tier: np.ndarray,
    relation: np.ndarray,
    hx: np.ndarray,
    hy: np.ndarray,
    ranking: RankingSettings,
) -> pd.DataFrame:
    """One row per household in reach: risk summed over its burglaries, best first."""
    n = len(pairs.present)
    local = pairs.local
    score = np.bincount(local, weights=contribution, minlength=n)
    # The pairs grouped by household (every household in ``present`` has one), its burglaries
    # in the order given (newest first): one sort serves every per-household reduction below.
    order = np.argsort(local * len(active) + pairs.b)  # keys are unique, so the order is too
    starts = np.flatnonzero(np.concatenate([[True], np.diff(local[order]) != 0]))
    counts = np.diff(np.append(starts, len(order)))
    distance = np.minimum.reduceat(pairs.d[order], starts)
    best_tier = np.minimum.reduceat(tier[order], starts)
    best_relation = np.minimum.reduceat(relation[order], starts)
    b = pairs.b[order]
    high = np.maximum.reduceat((active["phase"].to_numpy() == "high")[b], starts)
    days_left = np.maximum(np.maximum.reduceat(active["days_left"].to_numpy().astype(np.int64)[b], starts), 0)

    # "B7;B1": each household's burglaries, newest first, joined in one pass over the pairs.
    burglary_ids = active["burglary_id"].astype(str).to_numpy(dtype=object)
    ids = pa.array(burglary_ids, type=pa.string()).take(pa.array(b))
    lists = pa.ListArray.from_arrays(pa.array(np.append(starts, len(ids)), type=pa.int32()), ids)
    joined = pc.binary_join(lists, ";")

    ages = active["age_days"].to_numpy(dtype=np.int64)[pairs.b]
    reasons = reason_lists(top_pairs(local, pairs.d, contribution, n), pairs.b, ages, pairs.d, ids=burglary_ids)
    hh = pairs.present
    dwellings = households["dwellings"].to_numpy()[hh]
    priority = score * np.power(dwellings.astype(float), ranking.dwelling_exponent)
    sort = _best_first(best_tier, priority, distance)
    hh = hh[sort]
    text_columns = [
        c
        for c in ("household_id", "label", "street", "number", "postcode", "building_type", "owner", "building_id")
        if c in households
    ]
    picked = pd.DataFrame(households[text_columns]).iloc[hh].reset_index(drop=True)
    visits = pd.DataFrame(
        {
            "household_id": picked["household_id"],
            "label": picked["label"] if "label" in picked else picked["household_id"],
            "x": hx[hh],
            "y": hy[hh],
            "dwellings": dwellings[sort],
            "score": score[sort],
            "score_recent": score[sort],
            "score_history": np.zeros(n),
            "priority": priority[sort],
            "tier": pd.Categorical.from_codes(best_tier[sort], categories=list(TIERS)),
            "distance_m": distance[sort],
            "burglary_ids": joined.take(pa.array(sort)).to_pandas(),
            "burglaries": counts[sort],
            "phase": pd.Categorical.from_codes(np.where(high[sort] > 0, 0, 1), categories=["high", "elevated"]),
            "days_left": days_left[sort],
            "relation": pd.Categorical.from_codes(best_relation[sort], categories=list(RELATIONS)),
            **reason_columns(reasons.take(pa.array(sort))),
            "_household": hh,
        }
    )
    for column in ("street", "number", "postcode", "building_type", "owner", "building_id"):
        visits[column] = picked.get(column, None)
    return visits


def _best_first(tier: np.ndarray, priority: np.ndarray, distance: np.ndarray) -> np.ndarray:
    """The order of the households: tier, then priority, then distance; the input order settles
    exact ties. Sorted by tier and priority first; only the runs tied on both by distance."""
    sort = np.lexsort((-priority, tier))  # stable: ties keep the input order
    t, p = tier[sort], priority[sort]
    tied = (t[1:] == t[:-1]) & (p[1:] == p[:-1])
    if tied.any():
        run = np.cumsum(np.concatenate([[True], ~tied]))
        at = np.flatnonzero(np.concatenate([tied, [False]]) | np.concatenate([[False], tied]))
        sort[at] = sort[at[np.lexsort((sort[at], distance[sort[at]], run[at]))]]
    return sort


def _empty_visits() -> pd.DataFrame:
    return pd.DataFrame(
        {
            c: []
            for c in [
                "rank",
                "household_id",
                "label",
                "x",
                "y",
                "dwellings",
                "score",
                "priority",
                "tier",
                "distance_m",
                "burglary_ids",
                "burglaries",
                "phase",
                "days_left",
                "relation",
                "reasons",
                "score_recent",
                "score_history",
                "street",
                "number",
                "postcode",
                "building_type",
                "owner",
                "building_id",
                "burgled",
            ]
        }
    )
