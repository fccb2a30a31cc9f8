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
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from cocoon.risk.addresses import number_parity, split_address, street_codes, street_key
from cocoon.risk.model import RiskModel
from cocoon.risk.model_scores import model_scores, tier_thresholds
from cocoon.risk.pairs import Pairs, zone_pairs
from cocoon.risk.reasons import reason_columns, reason_lists, top_pairs_in_runs
from cocoon.risk.victims import Victims, find_victims
from cocoon.risk.visit_order import best_first
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
        near_m=max(ranking.tier_a_max_m, ranking.victim_match_m),  # tier A and the victim match look no farther
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
    multiplier = np.array([ranking.same_building, ranking.same_street_same_side, ranking.same_street, 1.0])[relation]
    recency = time_weight(active["age_days"].to_numpy(), ranking)[pairs.b]  # one weight per burglary
    contribution = ranking.points * recency * distance_weight(pairs.d, ranking) * multiplier

    # Tier A: the burgled building, and each burglary's k nearest households (ties included).
    if ranking.tier_a_neighbours > 0:
        kth = pairs.nearest_d[:, ranking.tier_a_neighbours - 1]
        nearest = (pairs.d <= kth[pairs.b]) & (pairs.d <= ranking.tier_a_max_m)
    else:
        nearest = np.zeros(len(pairs.d), dtype=bool)
    tier = np.where(pairs.d <= ranking.tier_b_max_m, 1, 2).astype(np.int8)
    tier[(relation == 0) | nearest] = 0

    reach = _per_household(households, active, pairs, contribution, tier, relation, ranking)
    if model is None:
        ranked = _ranked_by_points(active, pairs, reach, contribution)
    else:
        if history is None:
            history = pd.DataFrame(
                {
                    "x": active.geometry.x.to_numpy(),
                    "y": active.geometry.y.to_numpy(),
                    "burglary_id": active["burglary_id"].to_numpy(),
                    "age_days": active["age_days"].to_numpy(),
                }
            )
        ranked = _ranked_by_model(active, pairs, reach, relation, model, history, hx, hy, ranking)
    visits = _visits_frame(households, pairs, reach, ranked, hx, hy)
    victim_ids = households["household_id"].iloc[np.maximum(victim_h, 0)].to_numpy(dtype=object)
    burgled = pd.DataFrame(
        {"burglary_id": active["burglary_id"].to_numpy(), "household_id": np.where(victim_h >= 0, victim_ids, None)}
    )
    visits["burgled"] = visits["household_id"].isin(set(burgled["household_id"].dropna()))
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
    subset = {c: households[c].iloc[pairs.present] for c in ("street", "number", "building_id") if c in households}
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
    relation: np.ndarray = 3 - same_street.view(np.int8) - same_side.view(np.int8)  # same side: on the same street
    relation[same_building] = 0
    return relation


@dataclass
class _Reach:
    """Per household in reach (in the order of ``Pairs.present``): what its burglaries add up to."""

    score: np.ndarray
    priority: np.ndarray
    dwellings: np.ndarray
    distance: np.ndarray
    """To the nearest burglary, in metres."""
    tier: np.ndarray
    relation: np.ndarray
    high: np.ndarray
    """Whether one of its burglaries is still in the high phase."""
    days_left: np.ndarray
    burglaries: np.ndarray
    """How many burglaries it is in reach of."""
    burglary_ids: pa.Array
    """Its burglaries joined newest first, as in "B7;B1"."""


def _per_household(
    households: pd.DataFrame,
    active: gpd.GeoDataFrame,
    pairs: Pairs,
    contribution: np.ndarray,
    tier: np.ndarray,
    relation: np.ndarray,
    ranking: RankingSettings,
) -> _Reach:
    """One value per household in reach: risk summed over its burglaries, and what the list shows of them."""
    n = len(pairs.present)
    local, starts, b = pairs.local, pairs.starts, pairs.b
    score = np.bincount(local, weights=contribution, minlength=n)
    # The pairs come household by household, each household's burglaries in the order given
    # (newest first): every per-household value is a reduction over a run of pairs.
    counts = np.diff(np.append(starts, len(local)))
    distance = np.minimum.reduceat(pairs.d, starts)
    # on small integers ufunc.at is quicker than reduceat (every household has a pair to start from)
    best_tier = np.full(n, 2, dtype=np.int8)
    np.minimum.at(best_tier, local, tier)
    best_relation = np.full(n, 3, dtype=np.int8)
    np.minimum.at(best_relation, local, relation)
    high = np.zeros(n, dtype=np.int8)
    np.maximum.at(high, local, (active["phase"].to_numpy() == "high").view(np.int8)[b])
    days_left = np.full(n, np.iinfo(np.int64).min)
    np.maximum.at(days_left, local, active["days_left"].to_numpy().astype(np.int64)[b])
    days_left = np.maximum(days_left, 0)

    # "B7;B1": each household's burglaries, newest first, joined in one pass over the pairs.
    ids = pa.array(active["burglary_id"].astype(str).to_numpy(dtype=object), type=pa.string()).take(pa.array(b))
    lists = pa.ListArray.from_arrays(pa.array(np.append(starts, len(ids)), type=pa.int32()), ids)
    dwellings = households["dwellings"].to_numpy()[pairs.present]
    return _Reach(
        score=score,
        priority=score * np.power(dwellings.astype(float), ranking.dwelling_exponent),
        dwellings=dwellings,
        distance=distance,
        tier=best_tier,
        relation=best_relation,
        high=high,
        days_left=days_left,
        burglaries=counts,
        burglary_ids=pc.binary_join(lists, ";"),
    )


@dataclass
class _Ranked:
    """The order of the visit list and, in that order, the scores that rank it."""

    order: np.ndarray
    """Positions in ``Pairs.present``, best first."""
    score_recent: np.ndarray
    score_history: np.ndarray
    tier: np.ndarray
    priority: np.ndarray
    reasons: pa.Array


def _ranked_by_points(active: gpd.GeoDataFrame, pairs: Pairs, reach: _Reach, contribution: np.ndarray) -> _Ranked:
    """The households ranked by the points of the settings."""
    order = best_first(reach.tier, reach.priority, reach.distance, np.arange(len(reach.priority)))
    burglary_ids = active["burglary_id"].astype(str).to_numpy(dtype=object)
    ages = active["age_days"].to_numpy(dtype=np.int64)[pairs.b]
    picks = top_pairs_in_runs(pairs.local, pairs.starts, pairs.d, contribution)
    reasons = reason_lists(picks[:, order], pairs.b, ages, pairs.d, ids=burglary_ids)
    return _Ranked(
        order=order,
        score_recent=reach.score[order],
        score_history=np.zeros(len(order)),
        tier=reach.tier[order],
        priority=reach.priority[order],
        reasons=reasons,
    )


def _ranked_by_model(
    active: gpd.GeoDataFrame,
    pairs: Pairs,
    reach: _Reach,
    relation: np.ndarray,
    model: RiskModel,
    history: pd.DataFrame,
    hx: np.ndarray,
    hy: np.ndarray,
    ranking: RankingSettings,
) -> _Ranked:
    """The zone's households scored, tiered and ranked by the fitted model."""
    # the burgled building of each burglary: (household in reach, row of the burglary in ``history``)
    same = relation == 0
    rows = pd.Index(history["burglary_id"].astype(str)).get_indexer(active["burglary_id"].astype(str))[pairs.b[same]]
    found = rows >= 0
    same_place = pairs.local[same][found] * len(history) + rows[found]
    hh = pairs.present
    scores = model_scores(model, hx[hh], hy[hh], history, same_place)
    score = scores.recent + scores.history
    priority = score * np.power(reach.dwellings.astype(float), ranking.dwelling_exponent)
    tier_a, tier_b = tier_thresholds(model, ranking)
    codes = np.where((reach.relation == 0) | (score >= tier_a), 0, np.where(score >= tier_b, 1, 2))
    order = best_first(codes, priority, reach.distance, hh)
    return _Ranked(
        order=order,
        score_recent=scores.recent[order],
        score_history=scores.history[order],
        tier=codes[order],
        priority=priority[order],
        reasons=scores.reasons(order),
    )


def _visits_frame(
    households: pd.DataFrame, pairs: Pairs, reach: _Reach, ranked: _Ranked, hx: np.ndarray, hy: np.ndarray
) -> pd.DataFrame:
    """The visit list: the households in reach in the ranked order, with their scores."""
    order = ranked.order
    hh = pairs.present[order]
    text_columns = [
        c
        for c in ("household_id", "label", "street", "number", "postcode", "building_type", "owner", "building_id")
        if c in households
    ]
    with ThreadPoolExecutor(1) as beside:  # the text is taken on the other core (outside Python's lock) meanwhile
        taken = beside.submit(lambda: {c: pd.Series(households[c].array.take(hh)) for c in text_columns})
        reason_text = reason_columns(ranked.reasons)
        burglary_ids = reach.burglary_ids.take(pa.array(order)).to_pandas()
        picked = taken.result()  # column by column: no frame to index
    visits = pd.DataFrame(
        {
            "household_id": picked["household_id"],
            "label": picked["label"] if "label" in picked else picked["household_id"],
            "x": hx[hh],
            "y": hy[hh],
            "dwellings": reach.dwellings[order],
            "score": ranked.score_recent + ranked.score_history,
            "score_recent": ranked.score_recent,
            "score_history": ranked.score_history,
            "priority": ranked.priority,
            "tier": pd.Categorical.from_codes(ranked.tier, categories=list(TIERS)),
            "distance_m": reach.distance[order],
            "burglary_ids": burglary_ids,
            "burglaries": reach.burglaries[order],
            "phase": pd.Categorical.from_codes(np.where(reach.high[order] > 0, 0, 1), categories=["high", "elevated"]),
            "days_left": reach.days_left[order],
            "relation": pd.Categorical.from_codes(reach.relation[order], categories=list(RELATIONS)),
            **reason_text,
        },
        copy=False,  # every column is made here: kept as it is, not copied into blocks of one type
    )
    for column in ("street", "number", "postcode", "building_type", "owner", "building_id"):
        visits[column] = picked.get(column)
    return visits


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
