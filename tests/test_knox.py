"""The Knox test against the reference tables, brute force, and its statistical behaviour."""

from __future__ import annotations

import itertools
import json
import math

import numpy as np
import pandas as pd
import pytest
from conftest import chicago_csv
from hypothesis import example, given, settings
from hypothesis import strategies as st

from cocoon.errors import InputError
from cocoon.evidence.breaks import parse_breaks
from cocoon.evidence.knox import knox_test


@pytest.fixture(scope="module")
def chicago_2016():
    df = pd.read_csv(chicago_csv())
    day = pd.to_datetime(df["date_single"], format="%d/%m/%Y")
    keep = (day >= "2016-01-01") & (day <= "2016-12-31")
    t = (day[keep] - pd.Timestamp("2016-01-01")).dt.days.to_numpy()
    return df.loc[keep, "x"].to_numpy(), df.loc[keep, "y"].to_numpy(), t


# near-repeat-methods.md's reference tables, as computed by the R package NearRepeat: Chicago 2016, sds 0, 0.1,
# 200, 400, 600 m, tds 0, 7, 14, 21 days (pairs beyond 600 m or 21 days not counted).
REFERENCE = {
    ("euclidean", "right"): [[342, 97, 62], [1892, 1514, 1362], [4145, 3643, 3592], [5805, 5143, 4919]],
    ("euclidean", "left"): [[319, 106, 62], [1647, 1539, 1400], [3598, 3660, 3638], [5028, 5167, 4935]],
    ("manhattan", "right"): [[342, 97, 62], [1502, 1163, 1038], [2806, 2431, 2386], [3968, 3553, 3395]],
}


@pytest.mark.parametrize("metric,closed", list(REFERENCE))
def test_reference_tables(chicago_2016, metric, closed):
    x, y, t = chicago_2016
    assert len(x) == 11_701
    result = knox_test(
        x, y, t, sds=[0, 0.1, 200, 400, 600], tds=[0, 7, 14, 21], metric=metric, closed=closed, nrep=1, seed=0
    )
    assert result.observed.tolist() == REFERENCE[(metric, closed)]


# The Near Repeat Calculator's output published with T. Davies' NearRepeat notebooks (tobydavies/NearRepeat on
# GitHub): Chicago 2016, sds 0, 1, 100, 200, 300, inf m, tds 0, 2, 4, inf days.
NRC_OBSERVED = [[202, 51, 1025], [189, 143, 7762], [290, 343, 23366], [456, 526, 41305], [577857, 760260, 67037075]]


def test_near_repeat_calculator_table(chicago_2016):
    x, y, t = chicago_2016
    result = knox_test(x, y, t, sds=[0, 1, 100, 200, 300, math.inf], tds=[0, 2, 4, math.inf], nrep=2, seed=0, nrc=True)
    assert result.observed.tolist() == NRC_OBSERVED


def test_inf_breaks_keep_every_pair(chicago_2016):
    x, y, t = chicago_2016
    result = knox_test(
        x, y, t, sds=[0, 1, 100, 200, 300, 400, 500, math.inf], tds=[0, 7, 14, 21, 28, 42, 56, math.inf], nrep=3, seed=1
    )
    n = len(x)
    assert result.observed.sum() == n * (n - 1) // 2
    assert result.sim_mean.sum() == pytest.approx(n * (n - 1) / 2)  # every permutation keeps every pair


def band_index(value: float, breaks: list[float], closed: str) -> int | None:
    """The band [a, b) (closed="left") or (a, b] (closed="right", the first band closed at a too)."""
    for k, (lo, hi) in enumerate(itertools.pairwise(breaks)):
        if closed == "left" and lo <= value < hi:
            return k
        if closed == "right" and (lo < value <= hi or (k == 0 and value == lo)):
            return k
    return None  # outside the outermost breaks


def brute(x, y, t, sds, tds, metric, closed, nrc):
    """Every pair, one at a time, from the definitions in near-repeat-methods.md."""
    if nrc and sds[0] == 0 and sds[1] > 1:  # the NRC reports "same location" as a row of its own
        sds = [0, 1, *sds[1:]]
    table = np.zeros((len(sds) - 1, len(tds) - 1), dtype=np.int64)
    if nrc:  # the NRC: [a, b) on single-precision coordinates, "same location" is distance 0
        closed = "left"
        x, y = [float(v) for v in np.float32(x)], [float(v) for v in np.float32(y)]
    same_location = nrc and sds[0] == 0 and sds[1] <= 1
    for i, j in itertools.combinations(range(len(x)), 2):
        dx, dy = abs(x[i] - x[j]), abs(y[i] - y[j])
        d = math.hypot(dx, dy) if metric == "euclidean" else dx + dy
        if same_location and d == 0:
            s = 0
        elif same_location and d < sds[1]:
            s = 1 if len(sds) > 2 else None
        else:
            s = band_index(d, sds, closed)
        k = band_index(abs(t[i] - t[j]), tds, closed)
        if s is not None and k is not None:
            table[s, k] += 1
    return table


def cumulative(first: float, steps: list[float]) -> list[float]:
    return list(itertools.accumulate(steps, initial=first))


POINTS = st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40), st.integers(0, 30)), min_size=2, max_size=40)
SPATIAL = st.builds(
    cumulative,
    st.sampled_from([0, 0.5, 1, 3, 5]),
    st.lists(st.sampled_from([0.5, 1, 2, 5, 10, 20]), min_size=1, max_size=4),
)
TEMPORAL = st.builds(
    cumulative, st.sampled_from([0, 0.5, 1, 2, 5]), st.lists(st.sampled_from([0.5, 1, 2, 3, 7]), min_size=1, max_size=3)
)


@pytest.mark.parametrize("nrc", [False, True])
@pytest.mark.parametrize("inf_t", [False, True])
@pytest.mark.parametrize("inf_s", [False, True])
@pytest.mark.parametrize("closed", ["left", "right"])
@pytest.mark.parametrize("metric", ["euclidean", "manhattan"])
@settings(max_examples=60, deadline=None, derandomize=True)
@given(points=POINTS, sds=SPATIAL, tds=TEMPORAL, half_days=st.booleans(), scale=st.sampled_from([1.0, 0.25]))
# first breaks above 0 with pairs closer in space (1 m) and in time (0 days); the NRC's "same location"
# band with and without a next band
@example(points=[(0, 0, 0), (1, 0, 3), (30, 0, 9), (31, 0, 9)], sds=[5, 10], tds=[2, 7], half_days=False, scale=1.0)
@example(points=[(0, 0, 0), (0, 0, 3), (1, 0, 3), (4, 0, 8)], sds=[0, 0.5], tds=[0, 3], half_days=False, scale=0.25)
@example(points=[(0, 0, 0), (0, 0, 3), (1, 0, 3), (4, 0, 8)], sds=[0, 1, 2], tds=[0, 3], half_days=False, scale=0.25)
def test_brute_force_agrees(points, sds, tds, half_days, scale, metric, closed, inf_s, inf_t, nrc):
    """Every metric, closure, inf band and NRC choice; first breaks at 0 and above; sub-metre gaps."""
    x, y, t = (np.array(v, dtype=float) for v in zip(*points, strict=True))
    x, y = 500_000 + x * scale, 6_500_000 + y * scale  # big coordinates, as in real CRSs
    if half_days:
        t = t / 2
    sds = sds + [math.inf] * inf_s
    tds = tds + [math.inf] * inf_t
    result = knox_test(x, y, t, sds=sds, tds=tds, metric=metric, closed=closed, nrep=2, seed=3, nrc=nrc)
    expected = brute(x.tolist(), y.tolist(), t.tolist(), sds, tds, metric, closed, nrc)
    assert result.observed.tolist() == expected.tolist()
    if inf_s and inf_t and sds[0] == 0 and tds[0] == 0:
        assert result.observed.sum() == len(x) * (len(x) - 1) // 2


@pytest.mark.parametrize("closed", ["left", "right"])
def test_pairs_closer_than_the_first_break_are_left_out(closed):
    """A first break above 0 drops the closer pairs, also when inf keeps the far ones (as NearRepeat)."""
    space = knox_test([0, 1], [0, 0], [0, 0], sds=[5, 10, math.inf], tds=[0, 7], closed=closed, nrep=9, seed=1)
    assert space.observed.tolist() == [[0], [0]] and space.sim_mean.tolist() == [[0], [0]]
    time = knox_test(
        [0, 100], [0, 0], [0, 1], sds=[0, 10, math.inf], tds=[5, 10, math.inf], closed=closed, nrep=9, seed=1
    )
    assert time.observed.tolist() == [[0, 0], [0, 0]] and time.sim_mean.tolist() == [[0, 0], [0, 0]]
    kept = knox_test(
        [0, 1, 100], [0, 0, 0], [0, 0, 5], sds=[0.5, 10, math.inf], tds=[0, 5, math.inf], closed=closed, nrep=9, seed=1
    )
    assert kept.observed.tolist() == ([[1, 0], [0, 2]] if closed == "left" else [[1, 0], [2, 0]])


def test_same_seed_same_numbers_and_json():
    rng = np.random.default_rng(4)
    x, y, t = rng.uniform(0, 2000, 300), rng.uniform(0, 2000, 300), rng.integers(0, 200, 300)
    a = knox_test(x, y, t, sds=[0, 100, 200, math.inf], tds=[0, 7, 14, math.inf], nrep=49, seed=9)
    b = knox_test(x, y, t, sds=[0, 100, 200, math.inf], tds=[0, 7, 14, math.inf], nrep=49, seed=9)
    assert np.array_equal(a.p_value, b.p_value) and np.array_equal(a.sim_mean, b.sim_mean)
    data = json.loads(json.dumps(a.to_dict(), allow_nan=False))
    assert data["sds"][-1] == "inf" and len(data["observed"]) == 3 and len(data["observed"][0]) == 3


def test_numbers_do_not_depend_on_the_number_of_threads():
    rng = np.random.default_rng(8)
    x, y, t = rng.uniform(0, 3000, 400), rng.uniform(0, 3000, 400), rng.integers(0, 300, 400)
    one = knox_test(x, y, t, sds=[0, 100, 300, math.inf], tds=[0, 7, 28, math.inf], nrep=40, seed=2, workers=1)
    two = knox_test(x, y, t, sds=[0, 100, 300, math.inf], tds=[0, 7, 28, math.inf], nrep=40, seed=2, workers=2)
    assert np.array_equal(one.sim_mean, two.sim_mean) and np.array_equal(one.p_value, two.p_value)


@pytest.mark.parametrize("days", [60, 40_000, 30.5])  # 2-byte days, 4-byte days, fractions of a day
def test_each_simulation_shuffles_the_times_by_its_own_seed(days):
    """Simulation k counts the pairs with the times reordered by ``default_rng(child k).permutation``,
    the children spawned from the seed; over more simulations than are counted at once, the last few
    fewer than that."""
    rng = np.random.default_rng(6)
    n, nrep = 90, 21
    x, y = rng.uniform(0, 1000, n), rng.uniform(0, 1000, n)
    t = rng.integers(0, days, n) if isinstance(days, int) else rng.integers(0, 61, n) / 2
    sds, tds = [0, 100, 250, 400], [0, 7, 21, 35]
    result = knox_test(x, y, t, sds=sds, tds=tds, nrep=nrep, seed=5)
    children = np.random.SeedSequence(5).spawn(nrep)
    orders = [np.random.default_rng(child).permutation(n) for child in children]
    sims = np.array([brute(x, y, t[order], sds, tds, "euclidean", "left", False) for order in orders])
    assert np.array_equal(result.sim_mean, sims.mean(axis=0))
    assert np.array_equal(result.sim_median, np.median(sims, axis=0))
    assert np.array_equal(result.p_value, ((sims >= result.observed).sum(axis=0) + 1) / (nrep + 1))


def test_no_seed_draws_one_that_repeats_the_run():
    rng = np.random.default_rng(3)
    x, y, t = rng.uniform(0, 3000, 200), rng.uniform(0, 3000, 200), rng.integers(0, 100, 200)
    first = knox_test(x, y, t, sds=[0, 200], tds=[0, 14], nrep=30)
    again = knox_test(x, y, t, sds=[0, 200], tds=[0, 14], nrep=30, seed=first.seed)
    assert np.array_equal(first.sim_mean, again.sim_mean)


def test_nrc_iterations_run_one_simulation_fewer():
    rng = np.random.default_rng(5)
    x, y, t = rng.uniform(0, 1000, 300), rng.uniform(0, 1000, 300), rng.integers(0, 60, 300)
    result = knox_test(x, y, t, sds=[0, 1, 100, 200], tds=[0, 7, 14], nrep=20, seed=1, nrc=True)
    assert result.simulations == 19 and result.closed == "left"
    assert np.allclose(result.p_value * 20, np.round(result.p_value * 20))  # p in steps of 1/20
    assert result.to_dict()["simulations"] == 19 and result.to_dict()["nrc"] is True
    with pytest.raises(InputError) as err:
        knox_test(x, y, t, sds=[0, 100], tds=[0, 7], nrep=1, nrc=True)
    assert err.value.key == "knox.bad_nrc_iterations"


def test_nrc_same_location_is_exactly_zero():
    x = np.array([100.0, 100.0, 100.5, 300.0])
    y = np.array([200.0, 200.0, 200.0, 200.0])
    t = np.array([0.0, 1.0, 2.0, 3.0])
    nrc = knox_test(x, y, t, sds=[0, 1, 100], tds=[0, 7], nrep=2, seed=1, nrc=True)
    plain = knox_test(x, y, t, sds=[0, 1, 100], tds=[0, 7], nrep=2, seed=1)
    assert nrc.observed[:, 0].tolist() == [1, 2]  # only the identical pair is "same location"
    assert plain.observed[:, 0].tolist() == [3, 0]  # [0, 1) takes the pairs 0.5 m apart too


def test_nrc_reports_same_location_as_its_own_row():
    """sds 0,200,400,600,inf under --nrc: rows same location, 1-200, 201-400, 401-600, more than 600."""
    x = np.array([0.0, 0.0, 150.0, 350.0, 1000.0, 1000.0])
    y = np.zeros(6)
    t = np.array([0.0, 2.0, 3.0, 4.0, 5.0, 30.0])
    nrc = knox_test(x, y, t, sds=[0, 200, 400, 600, math.inf], tds=[0, 7, math.inf], nrep=5, seed=1, nrc=True)
    plain = knox_test(x, y, t, sds=[0, 200, 400, 600, math.inf], tds=[0, 7, math.inf], nrep=5, seed=1)
    assert nrc.sds == (0.0, 1.0, 200.0, 400.0, 600.0, math.inf) and nrc.same_location
    assert nrc.distance_labels("en") == ["same location", "1–200", "201–400", "401–600", "more than 600"]
    assert nrc.distance_labels("sv")[0] == "samma plats" and nrc.distance_labels("sv")[-1] == "mer än 600"
    # the two identical places (days 0 and 2, and days 5 and 30) are the same-location row; the rest of
    # [0, 200) is the next row, and together they are the plain test's first row
    assert nrc.observed[0].tolist() == [1, 1]
    assert (nrc.observed[0] + nrc.observed[1]).tolist() == plain.observed[0].tolist()
    assert nrc.observed[2:].tolist() == plain.observed[1:].tolist()
    assert nrc.observed.sum() == 15  # every pair of the 6 burglaries
    assert plain.distance_labels("en") == ["0–200", "200–400", "400–600", "600+"]


def test_progress_is_reported():
    calls = []
    rng = np.random.default_rng(1)
    x, y, t = rng.uniform(0, 500, 50), rng.uniform(0, 500, 50), rng.integers(0, 30, 50)
    knox_test(
        x, y, t, sds=[0, 100], tds=[0, 7], nrep=60, seed=1, progress=lambda done, total: calls.append((done, total))
    )
    assert calls[-1] == (60, 60) and all(total == 60 for _, total in calls)


def test_zero_over_zero_is_nan():
    x, y, t = np.array([0.0, 5000.0]), np.array([0.0, 0.0]), np.array([0.0, 100.0])
    result = knox_test(x, y, t, sds=[0, 10], tds=[0, 7], nrep=5, seed=1)
    assert math.isnan(result.knox_ratio[0, 0]) and result.to_dict()["knox_ratio"] == [[None]]


def test_shuffled_times_give_uniform_p_values_and_ratios_near_one():
    rng = np.random.default_rng(12)
    n = 1500
    x, y, t = rng.uniform(0, 5000, n), rng.uniform(0, 5000, n), rng.integers(0, 365, n)
    result = knox_test(x, y, t, sds=[0, 100, 200, 300, 400, 500], tds=[0, 7, 14, 21, 28, 35], nrep=199, seed=5)
    p = result.p_value.ravel()
    assert 0.25 < p.mean() < 0.75
    assert (p <= 0.05).mean() < 0.2
    assert np.all(np.abs(result.knox_ratio - 1) < 0.3)


@pytest.mark.parametrize(
    "text,key",
    [
        ("100", "knox.too_few_breaks"),
        ("0,200,100", "knox.breaks_not_increasing"),
        ("0,a,100", "knox.bad_breaks"),
        ("0,inf,100", "knox.breaks_not_increasing"),
    ],
)
def test_bad_breaks(text, key):
    with pytest.raises(InputError) as err:
        parse_breaks(text, what="--sds")
    assert err.value.key == key and "--sds" in str(err.value)


@pytest.mark.parametrize(
    "change,key",
    [
        ({"nrep": 0}, "knox.bad_nrep"),
        ({"metric": "chebyshev"}, "knox.bad_metric"),
        ({"closed": "both"}, "knox.bad_closed"),
        ({"x": [0]}, "knox.too_few_events"),
        ({"t": [0, math.nan]}, "knox.not_finite"),
    ],
)
def test_bad_input(change, key):
    arguments = {"x": [0, 1], "y": [0, 1], "t": [0, 1], "sds": [0, 10], "tds": [0, 7], "nrep": 5} | change
    if key == "knox.too_few_events":
        arguments |= {"y": [0], "t": [0]}
    with pytest.raises(InputError) as err:
        knox_test(**arguments)
    assert err.value.key == key
