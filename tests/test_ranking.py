"""The ranked list: who is listed, in which tier, with which score."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from conftest import PLAN_DATE, X0, Y0
from hypothesis import given, settings
from hypothesis import strategies as st

from cocoon.errors import InputError
from cocoon.risk.daily_plan import make_plan
from cocoon.risk.pairs import zone_pairs
from cocoon.risk.reasons import top_pairs, top_pairs_in_runs
from cocoon.risk.visit_order import best_first
from cocoon.settings import Settings


def households(xy, streets=None, numbers=None, crs=3006):
    n = len(xy)
    return gpd.GeoDataFrame(
        {
            "household_id": [f"H{i:04d}" for i in range(n)],
            "label": [f"H{i}" for i in range(n)],
            "street": streets if streets is not None else [None] * n,
            "number": numbers if numbers is not None else [None] * n,
            "postcode": [None] * n,
            "dwellings": np.ones(n, dtype=np.int64),
            "building_type": [None] * n,
            "owner": [None] * n,
            "building_id": [None] * n,
        },
        geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]),
        crs=crs,
    )


def burglaries(xy, ages, addresses=None, crs=3006):
    days = [pd.Timestamp(PLAN_DATE) - pd.Timedelta(days=int(a)) for a in ages]
    n = len(xy)
    return gpd.GeoDataFrame(
        {
            "burglary_id": [f"B{i}" for i in range(n)],
            "first_time": days,
            "last_time": days,
            "first_day": days,
            "last_day": days,
            "address": addresses or [None] * n,
            "note": [None] * n,
            "modus": [None] * n,
            "row": np.arange(n) + 2,
        },
        geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]),
        crs=crs,
    )


coords = st.floats(-1200, 1200, allow_nan=False)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(
    h=st.lists(st.tuples(coords, coords), min_size=1, max_size=60, unique=True),
    b=st.lists(st.tuples(coords, coords, st.integers(0, 80)), min_size=1, max_size=6),
)
def test_every_household_within_the_radius_is_listed_and_none_outside(h, b):
    hxy = np.array(h) + np.array([X0, Y0])
    bxy = np.array([(x, y) for x, y, _ in b]) + np.array([X0, Y0])
    ages = [a for _, _, a in b]
    d = np.hypot(hxy[:, None, 0] - bxy[None, :, 0], hxy[:, None, 1] - bxy[None, :, 1])
    active = np.array(ages) <= 56
    if np.any(np.abs(d - 500) < 0.01):
        return  # too close to the boundary to tell in floating point
    if not (d <= 500).any():  # no burglary near any household: the files cannot be of one area
        with pytest.raises(InputError, match="no burglary lies within 500 m of any household"):
            make_plan(burglaries(bxy, ages), households(hxy), on=PLAN_DATE)
        return
    expected = {f"H{i:04d}" for i in np.flatnonzero((d[:, active] <= 500).any(axis=1))} if active.any() else set()
    plan = make_plan(burglaries(bxy, ages), households(hxy), on=PLAN_DATE)
    assert set(plan.visits["household_id"]) == expected
    assert plan.visits["rank"].tolist() == list(range(1, len(plan.visits) + 1))


@settings(max_examples=15, deadline=None, derandomize=True)
@given(
    h=st.lists(st.tuples(coords, coords), min_size=5, max_size=40, unique=True),
    b=st.lists(st.tuples(coords, coords, st.integers(0, 56)), min_size=1, max_size=4),
)
def test_lonlat_and_sweref_give_the_same_list(h, b):
    hxy = np.array(h) + np.array([X0, Y0])
    bxy = np.array([(x, y) for x, y, _ in b]) + np.array([X0, Y0])
    d = np.hypot(hxy[:, None, 0] - bxy[None, :, 0], hxy[:, None, 1] - bxy[None, :, 1])
    # Skip cases that hinge on a threshold or a tie within floating-point noise of the projection.
    thresholds = np.array([10, 25, 35, 100, 200, 500])
    if np.any(np.abs(d[..., None] - thresholds) < 0.01):
        return
    sorted_d = np.sort(d, axis=0)
    if len(hxy) > 1 and np.any(np.diff(sorted_d, axis=0) < 0.01):
        return
    pair = np.hypot(hxy[:, None, 0] - hxy[None, :, 0], hxy[:, None, 1] - hxy[None, :, 1])
    if np.any(np.abs(pair[np.triu_indices(len(hxy), 1)] - 10) < 0.01):
        return
    if not (d <= 500).any():
        return  # refused as files of different areas (test_every_household_within_the_radius...)
    ages = [a for _, _, a in b]
    metric = make_plan(burglaries(bxy, ages), households(hxy), on=PLAN_DATE).visits
    lonlat = make_plan(burglaries(bxy, ages).to_crs(4326), households(hxy).to_crs(4326), on=PLAN_DATE).visits
    assert lonlat["household_id"].tolist() == metric["household_id"].tolist()
    assert lonlat["tier"].tolist() == metric["tier"].tolist()
    np.testing.assert_allclose(lonlat["score"], metric["score"], rtol=1e-6)


def test_overlapping_zones_add_up():
    hxy = np.array([[X0, Y0 + 150.0]])
    one = make_plan(burglaries(np.array([[X0, Y0]]), [3]), households(hxy), on=PLAN_DATE).visits
    two = make_plan(burglaries(np.array([[X0, Y0], [X0, Y0 + 300]]), [3, 5]), households(hxy), on=PLAN_DATE).visits
    # 150 m from each burglary, both in their first week: 100 × 1.0 × (0.7 - 0.3 × 50 / 100 = 0.55) = 55 each
    assert one["score"].iloc[0] == pytest.approx(55.0)
    assert two["score"].iloc[0] == pytest.approx(110.0)  # 55 + 55
    assert two["burglary_ids"].iloc[0] == "B0;B1" and two["burglaries"].iloc[0] == 2  # newest (3 days) first


def test_score_follows_the_documented_model():
    r = Settings().ranking
    hxy = np.array([[X0, Y0 + 100.0], [X0, Y0 + 350.0]])
    v = make_plan(burglaries(np.array([[X0, Y0]]), [10]), households(hxy), on=PLAN_DATE).visits.set_index(
        "household_id"
    )
    assert v.loc["H0000", "score"] == pytest.approx(42.0)  # week 2, 100 m, no street link: 100 × 0.6 × 0.7
    # 350 m: 0.4 - (0.4 - 0.05) × 150 / 300 = 0.225; 100 × 0.6 × 0.225 = 13.5
    assert v.loc["H0001", "score"] == pytest.approx(13.5)
    assert r.time_weights[0] == (7.0, 1.0)


def test_time_weight_steps_at_the_documented_days():
    # One burglary per area, 5 km apart, each with one household 100 m away (distance weight 0.7).
    ages = [0, 7, 8, 14, 15, 56]
    bxy = np.array([[X0 + 5000.0 * i, Y0] for i in range(len(ages))])
    v = make_plan(burglaries(bxy, ages), households(bxy + np.array([0.0, 100.0])), on=PLAN_DATE).visits
    scores = v.set_index("household_id")["score"].sort_index()
    # days 0–7: 100 × 1.0 × 0.7 = 70; days 8–14: 100 × 0.6 × 0.7 = 42; days 15–56: 100 × 0.25 × 0.7 = 17.5
    np.testing.assert_allclose(scores.to_numpy(), [70.0, 70.0, 42.0, 42.0, 17.5, 17.5], rtol=1e-12)


def test_tiers_street_multipliers_and_order():
    # the burgled house (0 m), same side, other side, other street; then a far B and a C household
    hxy = np.array([[X0, Y0], [X0 + 30, Y0], [X0 + 30, Y0 + 20], [X0 - 30, Y0], [X0, Y0 + 150], [X0, Y0 + 400]])
    streets = ["Storgatan", "Storgatan", "Storgatan", "Ågatan", "Ågatan", "Ågatan"]
    numbers = ["12", "14", "13", "5", "7", "9"]
    plan = make_plan(
        burglaries(np.array([[X0, Y0 + 1]]), [2], ["Storgatan 12"]),
        households(hxy, streets, numbers),
        on=PLAN_DATE,
        settings=Settings(),
    )
    v = plan.visits.set_index("household_id")
    assert v.loc["H0000", "relation"] == "same_building" and bool(v.loc["H0000", "burgled"])
    assert v.loc["H0001", "relation"] == "same_side"
    assert v.loc["H0002", "relation"] == "same_street"
    assert v.loc["H0003", "relation"] == "nearby"
    assert v["tier"].tolist() == ["A", "A", "A", "A", "B", "C"]
    assert v.loc["H0004", "tier"] == "B" and v.loc["H0005", "tier"] == "C"
    assert plan.visits["household_id"].iloc[0] == "H0000"
    # The burglary is 1 m from H0000 and 2 days old (time weight 1.0); between 0 and 100 m the distance
    # weight is 1 - 0.3 × d / 100, between 100 and 200 m 0.7 - 0.3 × (d - 100) / 100, then
    # 0.4 - 0.35 × (d - 200) / 300.
    expected = {
        "H0000": 199.4,  # d = 1: 100 × (1 - 0.003) × 2.0 (same building)
        "H0001": 136.4925,  # d = √(30² + 1²) = 30.0167: 100 × (1 - 0.09005) × 1.5 (same side)
        "H0002": 107.2162,  # d = √(30² + 19²) = 35.5106: 100 × (1 - 0.10653) × 1.2 (same street, other side)
        "H0003": 90.9950,  # d = 30.0167: 100 × 0.90995 × 1.0 (another street)
        "H0004": 55.3,  # d = 149: 100 × (0.7 - 0.147) × 1.0
        "H0005": 16.7833,  # d = 399: 100 × (0.4 - 0.35 × 199 / 300 = 0.16783) × 1.0
    }
    for household, score in expected.items():
        assert v.loc[household, "score"] == pytest.approx(score, abs=1e-4), household


def test_exclude_and_expired():
    hxy = np.array([[X0, Y0 + 10.0], [X0, Y0 + 20.0], [X0 + 5000, Y0]])
    b = burglaries(np.array([[X0, Y0], [X0 + 5000, Y0 + 10]]), [5, 57])
    plan = make_plan(b, households(hxy), on=PLAN_DATE, exclude={"H0000"})
    assert plan.visits["household_id"].tolist() == ["H0001"]
    assert plan.excluded == 1
    assert plan.counts()["expired"] == 1


def test_whole_file_with_lat_lon_swapped_is_refused():
    from cocoon.errors import InputError

    hxy = np.array([[X0, Y0 + 10.0]])
    b = burglaries(np.array([[X0, Y0]]), [1]).to_crs(4326)
    swapped = b.set_geometry(gpd.points_from_xy(b.geometry.y, b.geometry.x), crs=4326)
    with pytest.raises(InputError) as err:
        make_plan(swapped, households(hxy), on=PLAN_DATE)
    assert err.value.key == "input.swapped_file"


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.lists(st.tuples(st.integers(0, 2), st.integers(0, 3), st.integers(0, 3)), min_size=1, max_size=40))
def test_best_first_is_tier_then_priority_then_distance_then_input_order(rows):
    tier, priority, distance = (np.array(c) for c in zip(*rows, strict=True))
    expected = np.lexsort((np.arange(len(rows)), distance, -priority, tier))
    order = best_first(tier.astype(np.int8), priority.astype(float), distance.astype(float), np.arange(len(rows)))
    assert order.tolist() == expected.tolist()


# a few places, so that many points share a spot and ties are common
spots = st.one_of(coords, st.sampled_from([-500.0, 0.0, 0.5, 499.9, 500.0]))


@settings(max_examples=80, deadline=None, derandomize=True)
@given(
    h=st.lists(st.tuples(spots, spots), min_size=1, max_size=80),
    b=st.lists(st.tuples(spots, spots), min_size=1, max_size=8),
    radius=st.sampled_from([0.5, 100.0, 500.0, 5000.0]),
    k=st.integers(1, 4),
)
def test_zone_pairs_are_every_pair_in_reach_household_by_household(h, b, radius, k):
    hx, hy = (np.array(c) + o for c, o in zip(zip(*h, strict=True), (X0, Y0), strict=True))
    bx, by = (np.array(c) + o for c, o in zip(zip(*b, strict=True), (X0, Y0), strict=True))
    dx, dy = hx[:, None] - bx[None, :], hy[:, None] - by[None, :]
    squared = dx * dx + dy * dy
    in_reach = squared <= radius * radius
    pairs = zone_pairs(hx, hy, bx, by, radius_m=radius, k=k, near_m=radius / 2)
    if not in_reach.any():
        assert pairs is None
        return
    assert pairs is not None
    expected_h, expected_b = np.nonzero(in_reach)  # household by household, burglaries in the given order
    assert pairs.h.tolist() == expected_h.tolist() and pairs.b.tolist() == expected_b.tolist()
    assert np.array_equal(pairs.d, np.hypot(dx, dy)[in_reach])
    assert pairs.present.tolist() == np.unique(expected_h).tolist()
    assert np.array_equal(pairs.present[pairs.local], pairs.h)
    for j in range(len(bx)):  # the k nearest within near_m, equally near ones by household index
        near = np.flatnonzero(squared[:, j] <= (radius / 2) ** 2)
        near = near[np.lexsort((near, squared[near, j]))][:k]
        assert pairs.nearest_h[j].tolist() == near.tolist() + [-1] * (k - len(near))
        assert pairs.nearest_d[j].tolist() == np.sqrt(squared[near, j]).tolist() + [np.inf] * (k - len(near))


@settings(max_examples=80, deadline=None, derandomize=True)
@given(
    st.lists(
        st.lists(st.tuples(st.integers(0, 3), st.integers(-1, 2)), min_size=1, max_size=6), min_size=1, max_size=12
    )
)
def test_top_pairs_of_pairs_household_by_household_are_the_reasons_top_pairs(households):
    # per household its pairs as (distance, points): few values, so that ties are common
    local = np.repeat(np.arange(len(households)), [len(p) for p in households])
    distance, points = (np.array(c, dtype=float) for c in zip(*[q for p in households for q in p], strict=True))
    starts = np.flatnonzero(np.concatenate([[True], local[1:] != local[:-1]]))
    expected = top_pairs(local, distance, points, len(households))
    assert top_pairs_in_runs(local, starts, distance, points).tolist() == expected.tolist()
