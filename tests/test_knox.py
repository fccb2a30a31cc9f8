"""The Knox test against the reference tables, brute force, and its statistical behaviour."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from conftest import chicago_csv
from hypothesis import given, settings
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


REFERENCE = {
    ("euclidean", "right"): [[342, 97, 62], [1892, 1514, 1362], [4145, 3643, 3592], [5805, 5143, 4919]],
    ("euclidean", "left"): [[319, 106, 62], [1647, 1539, 1400], [3598, 3660, 3638], [5028, 5167, 4935]],
    ("manhattan", "right"): [[342, 97, 62], [1502, 1163, 1038], [2806, 2431, 2386], [3968, 3553, 3395]],
}


@pytest.mark.parametrize("metric,closed", list(REFERENCE))
def test_reference_tables(chicago_2016, metric, closed):
    x, y, t = chicago_2016
    assert len(x) == 11_701
    result = knox_test(x, y, t, sds=[0, 0.1, 200, 400, 600], tds=[0, 7, 14, 21], metric=metric, closed=closed,
                       nrep=1, seed=0)
    assert result.observed.tolist() == REFERENCE[(metric, closed)]


def test_inf_breaks_keep_every_pair(chicago_2016):
    x, y, t = chicago_2016
    result = knox_test(x, y, t, sds=[0, 1, 100, 200, 300, 400, 500, math.inf],
                       tds=[0, 7, 14, 21, 28, 42, 56, math.inf], nrep=3, seed=1)
    n = len(x)
    assert result.observed.sum() == n * (n - 1) // 2
    assert result.sim_mean.sum() == pytest.approx(n * (n - 1) / 2)  # every permutation keeps every pair


def brute(x, y, t, sds, tds, metric, closed, nrc=False):
    n_s, n_t = len(sds) - 1, len(tds) - 1
    table = np.zeros((n_s, n_t), dtype=np.int64)
    if nrc:  # single precision coordinates and distances; "same location" is distance 0
        x, y = np.asarray(x, dtype=np.float32), np.asarray(y, dtype=np.float32)

    def band(v, b):
        for k in range(len(b) - 1):
            lo, hi = b[k], b[k + 1]
            inside = (lo <= v < hi) if closed == "left" else ((lo < v <= hi) or (k == 0 and v == lo))
            if inside:
                return k
        return -1

    for i in range(len(x)):
        for j in range(i + 1, len(x)):
            if nrc:
                dx, dy = np.float32(x[i] - x[j]), np.float32(y[i] - y[j])
                d = float(np.hypot(dx, dy) if metric == "euclidean" else np.abs(dx) + np.abs(dy))
            else:
                d = math.hypot(x[i] - x[j], y[i] - y[j]) if metric == "euclidean" else abs(x[i] - x[j]) + abs(y[i] - y[j])
            s, k = band(d, sds), band(abs(t[i] - t[j]), tds)
            if nrc and s == 0 and d > 0 and sds[1] <= 1:
                s = 1
            if s >= 0 and k >= 0:
                table[s, k] += 1
    return table


@settings(max_examples=60, deadline=None, derandomize=True)
@given(points=st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40), st.integers(0, 30)), min_size=2, max_size=40),
       metric=st.sampled_from(["euclidean", "manhattan"]), closed=st.sampled_from(["left", "right"]),
       inf_s=st.booleans(), inf_t=st.booleans(), half_days=st.booleans(), nrc=st.booleans(),
       scale=st.sampled_from([1.0, 0.25]))
def test_brute_force_agrees(points, metric, closed, inf_s, inf_t, half_days, nrc, scale):
    """Every option: metric, closure, inf bands, fractional days, the NRC's rules, sub-metre gaps."""
    x, y, t = (np.array(v, dtype=float) for v in zip(*points))
    x, y = 500_000 + x * scale, 6_500_000 + y * scale  # big coordinates, as in real CRSs
    if half_days:
        t = t / 2
    sds = [0, 1, 10, 20] + ([math.inf] if inf_s else [])
    tds = [0, 3, 7, 14] + ([math.inf] if inf_t else [])
    result = knox_test(x, y, t, sds=sds, tds=tds, metric=metric, closed=closed, nrep=2, seed=3, nrc=nrc)
    expected = brute(x, y, t, sds, tds, metric, "left" if nrc else closed, nrc=nrc)
    assert result.observed.tolist() == expected.tolist()
    if inf_s and inf_t:
        assert result.observed.sum() == len(x) * (len(x) - 1) // 2


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


def test_progress_is_reported():
    calls = []
    rng = np.random.default_rng(1)
    x, y, t = rng.uniform(0, 500, 50), rng.uniform(0, 500, 50), rng.integers(0, 30, 50)
    knox_test(x, y, t, sds=[0, 100], tds=[0, 7], nrep=60, seed=1, progress=lambda done, total: calls.append((done, total)))
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


@pytest.mark.parametrize("text,key", [("100", "knox.too_few_breaks"), ("0,200,100", "knox.breaks_not_increasing"),
                                      ("0,a,100", "knox.bad_breaks"), ("0,inf,100", "knox.breaks_not_increasing")])
def test_bad_breaks(text, key):
    with pytest.raises(InputError) as err:
        parse_breaks(text, what="--sds")
    assert err.value.key == key and "--sds" in str(err.value)


def test_bad_nrep():
    with pytest.raises(InputError) as err:
        knox_test([0, 1], [0, 1], [0, 1], sds=[0, 10], tds=[0, 7], nrep=0)
    assert err.value.key == "knox.bad_nrep"
