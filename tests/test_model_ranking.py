"""The plan with a fitted model: households scored, tiered and explained by it."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from conftest import PLAN_DATE, X0, Y0
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from test_ranking import burglaries, households

from cocoon.publish.explain import why, why_column
from cocoon.risk import model_scores as scoring
from cocoon.risk.daily_plan import make_plan
from cocoon.risk.model import RiskModel
from cocoon.risk.model_scores import horizon_points, model_scores
from cocoon.risk.visit_order import best_first
from cocoon.settings import Settings

DISTANCE = np.array([10.0, 100.0, 300.0, 1000.0])
DAYS = np.array([7, 28, 56, 365])
WEIGHTS = np.array(
    [
        [0.02, 0.01, 0.005, 0.05],  # same place: a repeat months later too
        [0.05, 0.02, 0.01, 0.0],
        [0.04, 0.02, 0.01, 0.0],
        [0.0, 0.0, 0.0, 0.0],
    ]
)


def model() -> RiskModel:
    return RiskModel(distance_m=DISTANCE, days=DAYS, weights=WEIGHTS, background_per_km2_day=0.01, recent_days=56)


def settings() -> Settings:
    return replace(Settings(), model=model().to_settings(fitted_burglaries=1000))


def test_points_split_into_recent_and_history_by_time_band():
    m = model()
    d = np.array([0.0, 50.0, 50.0, 200.0, 2000.0, 0.0])
    age = np.array([2, 2, 40, 2, 2, 100])
    recent, history = horizon_points(m, d, age)
    area = np.pi * 10.0**2  # an address stands for a disc of the same-place distance
    # Today's rate x 30 days x 1,000; the same place takes the whole same-place weight.
    assert recent[0] == pytest.approx(0.02 / 7 * 30 * 1000, rel=1e-9)
    ring = np.pi * (100.0**2 - 10.0**2)
    assert recent[1] == pytest.approx(0.05 / 7 / ring * area * 30 * 1000, rel=1e-9)
    assert recent[2] == pytest.approx(0.01 / 28 / ring * area * 30 * 1000, rel=1e-9)  # 40 days: band 29-56
    assert history[:5].sum() == 0
    assert recent[3] > 0 and recent[4] == 0 == history[4]  # beyond the reach: nothing
    # 100 days old at the same place: the 57-365 band, which is this place's history.
    assert recent[5] == 0
    assert history[5] == pytest.approx(0.05 / 309 * 30 * 1000, rel=1e-9)
    # A burglary of the plan date counts as one day old.
    assert horizon_points(m, np.array([0.0]), np.array([0]))[0][0] == recent[0]


def test_a_burglary_beyond_the_memory_adds_nothing():
    recent, history = horizon_points(model(), np.array([0.0]), np.array([400]))
    assert recent[0] == 0 == history[0]


def test_distance_bands_are_those_of_a_sorted_search_at_the_bounds():
    m = model()
    d = np.concatenate([DISTANCE, np.nextafter(DISTANCE, np.inf), np.nextafter(DISTANCE, 0), [0.0, 5000.0]])
    assert m.distance_bands(d).tolist() == np.searchsorted(DISTANCE, d, side="left").tolist()


def test_scores_in_chunks_are_every_pair_scored_at_once(monkeypatch):
    rng = np.random.default_rng(7)
    hx, hy = rng.uniform(0, 2500, 400), rng.uniform(0, 2500, 400)
    burglaries = pd.DataFrame(
        {
            "x": rng.uniform(0, 2500, 50),
            "y": rng.uniform(0, 2500, 50),
            "burglary_id": [f"B{i}" for i in range(50)],
            "age_days": rng.integers(-3, 400, 50),
        }
    )
    d = np.hypot(hx[:, None] - burglaries["x"].to_numpy()[None, :], hy[:, None] - burglaries["y"].to_numpy()[None, :])
    age = np.broadcast_to(burglaries["age_days"].to_numpy()[None, :], d.shape)
    # households known to be burgled addresses, their points apart (but within the reach): two
    # burglaries of recent weeks, one of months ago (the place's own history)
    known = np.zeros(d.shape, dtype=bool)
    for h, first, last in ((3, 0, 56), (11, 0, 56), (20, 57, 365)):
        known[h, np.flatnonzero((d[h] > 20) & (d[h] < 900) & (age[h] >= first) & (age[h] <= last))[0]] = True
    monkeypatch.setattr(scoring, "CHUNK", 64)
    scores = model_scores(model(), hx, hy, burglaries, np.flatnonzero(known.ravel()))

    recent, history = horizon_points(model(), d.ravel(), age.ravel(), known.ravel())
    counted = (age.ravel() >= 0) & (d.ravel() <= DISTANCE[-1])
    recent, history = np.where(counted, recent, 0.0).reshape(d.shape), np.where(counted, history, 0.0).reshape(d.shape)
    np.testing.assert_allclose(scores.recent, recent.sum(axis=1), rtol=1e-12)
    np.testing.assert_allclose(scores.history, history.sum(axis=1), rtol=1e-12)
    assert recent[3].sum() > 0 and recent[11].sum() > 0 and history[20].sum() > 0
    for h, reasons in enumerate(scores.reasons().to_pylist()):
        best = np.lexsort((d[h], -recent[h]))[: min(2, int((recent[h] > 0).sum()))]
        assert [r["id"] for r in reasons] == [f"B{b}" for b in best]


def test_each_household_sums_its_points_in_the_burglary_tree_order_whatever_the_chunks(monkeypatch):
    from scipy.spatial import cKDTree

    rng = np.random.default_rng(11)
    # households and burglaries on a lattice of addresses 600 m across: many households add up equal terms from
    # different burglaries, and for about a quarter of them the order of the sum shows in the last digit
    hx, hy = rng.integers(0, 30, 600) * 20.0, rng.integers(0, 30, 600) * 20.0
    bx, by = rng.integers(0, 30, 80) * 20.0, rng.integers(0, 30, 80) * 20.0
    burglaries = pd.DataFrame(
        {"x": bx, "y": by, "burglary_id": [f"B{i}" for i in range(80)], "age_days": rng.integers(0, 400, 80)}
    )
    runs = []
    for chunk, cell in ((10**6, 10**6), (64, 300.0), (7, 50.0)):
        monkeypatch.setattr(scoring, "CHUNK", chunk)
        monkeypatch.setattr(scoring, "CHUNK_CELL_M", cell)
        runs.append(model_scores(model(), hx, hy, burglaries))
    for other in runs[1:]:
        assert np.array_equal(other.recent, runs[0].recent) and np.array_equal(other.history, runs[0].history)
        assert other.reasons().equals(runs[0].reasons())
    # one household at a time, its burglaries in the tree's order, added up one by one
    usable = np.flatnonzero(burglaries["age_days"].to_numpy() <= DAYS[-1])
    tree_order = usable[cKDTree(np.column_stack([bx[usable], by[usable]])).indices]
    age = burglaries["age_days"].to_numpy()[tree_order]
    for h in range(len(hx)):
        d = np.sqrt((hx[h] - bx[tree_order]) ** 2 + (hy[h] - by[tree_order]) ** 2)
        recent, history = horizon_points(model(), d, age)
        total_recent, total_history = 0.0, 0.0
        for r, p, inside in zip(recent, history, d <= DISTANCE[-1], strict=True):
            if inside:
                total_recent, total_history = total_recent + r, total_history + p
        assert runs[0].recent[h] == total_recent and runs[0].history[h] == total_history


@hypothesis_settings(max_examples=200, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 300))
def test_best_first_is_tier_then_priority_then_distance_then_household(seed, n):
    rng = np.random.default_rng(seed)
    tier = rng.integers(0, 3, n)
    # few distinct priorities and distances, so that runs tie on priority and on both; a zero of each sign
    priority = rng.choice([0.0, -0.0, 1.5, 2.25, 7.0, np.nan], n)
    distance = rng.choice([0.0, 10.0, 12.5, 40.0], n)
    household = rng.permutation(10 * n)[:n]
    expected = np.lexsort((household, distance, -priority, tier))
    assert best_first(tier, priority, distance, household).tolist() == expected.tolist()


def test_the_plan_ranks_tiers_and_explains_with_the_model():
    # B0 two days old at the middle; B1 forty days old 250 m east; B2 two hundred days old at H3.
    bxy = np.array([[X0, Y0], [X0 + 250, Y0], [X0 - 300, Y0 + 300]])
    hxy = np.array([[X0, Y0 + 5], [X0 + 60, Y0], [X0 + 250, Y0 + 30], [X0 - 300, Y0 + 300], [X0 + 450, Y0]])
    plan = make_plan(burglaries(bxy, [2, 40, 200]), households(hxy), on=PLAN_DATE, settings=settings())
    visits = plan.visits.set_index("household_id")
    assert set(visits.index) == {"H0000", "H0001", "H0002", "H0003", "H0004"}
    assert (visits["score"] - visits["score_recent"] - visits["score_history"]).abs().max() < 1e-9
    # The burgled address is tier A; 60 m from a 2-day-old burglary outranks 30 m from a 40-day-old one.
    assert visits.loc["H0000", "tier"] == "A" and visits.loc["H0000", "relation"] == "same_building"
    assert visits.loc["H0001", "score"] > visits.loc["H0002", "score"]
    assert visits.loc["H0001", "rank"] < visits.loc["H0002", "rank"]
    # H3 stands where B2 was 200 days ago: its score is this place's history, not recent burglaries.
    assert visits.loc["H0003", "score_history"] > 0
    assert visits.loc["H0000", "reasons"].startswith("B0|2|5")
    sentence = why(visits.loc["H0001"].to_dict(), "en")
    assert sentence.startswith("Score ") and "from recent burglaries nearby (B0, 2 days ago, 60 m" in sentence
    assert sentence.endswith("from this place's own history.")
    swedish = why(visits.loc["H0001"].to_dict(), "sv")
    assert "från nya inbrott i närheten (B0, för 2 dagar sedan, 60 m" in swedish
    assert swedish.endswith("från platsens egen historia.")


def test_without_a_model_the_score_is_all_recent_and_still_explained():
    bxy = np.array([[X0, Y0], [X0 + 250, Y0]])
    hxy = np.array([[X0 + 60, Y0], [X0 + 250, Y0 + 30]])
    plan = make_plan(burglaries(bxy, [2, 40]), households(hxy), on=PLAN_DATE)
    visits = plan.visits
    assert (visits["score_recent"] == visits["score"]).all() and (visits["score_history"] == 0).all()
    assert all(visits["reasons"].str.len() > 0)
    assert "(B0, 2 days ago, 60 m; B1, 40 days ago, 190 m)" in why(visits.iloc[0].to_dict(), "en")


def test_the_sentences_for_a_whole_table_match_one_row_at_a_time():
    visits = pd.DataFrame(
        {
            "score": [1234.56, 2.0, float("nan")],
            "score_recent": [1200.5, 2.0, None],
            "score_history": [34.06, 0.0, 0.0],
            "reasons": ["B7|1|1234.4;B8|12|40", "B9|0|5;bad|x|1", None],
        }
    )
    english = why_column(visits, "en")
    assert english == [why(row, "en") for row in visits.to_dict("records")]
    assert english[0] == (
        "Score 1,234.6: 1,200.5 from recent burglaries nearby (B7, 1 day ago, 1,234 m; "
        "B8, 12 days ago, 40 m), 34.1 from this place's own history."
    )
    assert english[1].startswith("Score 2.0: 2.0 from recent burglaries nearby (B9, 0 days ago, 5 m),")
    assert english[2] == "Score 0.0: 0.0 from recent burglaries nearby, 0.0 from this place's own history."
    swedish = why_column(visits, "sv")
    assert swedish[0].startswith("Poäng 1\u00a0234,6: 1\u00a0200,5 från nya inbrott i närheten"), swedish[0]
    assert "för 1 dag sedan, 1\u00a0234 m" in swedish[0] and "för 12 dagar sedan, 40 m" in swedish[0]
