"""The Knox test against the reference tables, brute force, and its statistical behaviour."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from cocoon.errors import InputError
from cocoon.knox import knox_test, parse_breaks

CHICAGO = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "chicago_burglary_2014_2017.csv"


@pytest.fixture(scope="module")
def chicago_2016():
    assert CHICAGO.exists(), f"reference data missing: {CHICAGO} (it lives in ../shared/data beside the project)"
    df = pd.read_csv(CHICAGO)
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


def brute(x, y, t, sds, tds, metric, closed):
    n_s, n_t = len(sds) - 1, len(tds) - 1
    table = np.zeros((n_s, n_t), dtype=np.int64)

    def band(v, b):
        for k in range(len(b) - 1):
            lo, hi = b[k], b[k + 1]
            inside = (lo <= v < hi) if closed == "left" else ((lo < v <= hi) or (k == 0 and v == lo))
            if inside:
                return k
        return -1

    for i in range(len(x)):
        for j in range(i + 1, len(x)):
            d = math.hypot(x[i] - x[j], y[i] - y[j]) if metric == "euclidean" else abs(x[i] - x[j]) + abs(y[i] - y[j])
            s, k = band(d, sds), band(abs(t[i] - t[j]), tds)
            if s >= 0 and k >= 0:
                table[s, k] += 1
    return table


@settings(max_examples=60, deadline=None, derandomize=True)
@given(points=st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40), st.integers(0, 30)), min_size=2, max_size=40),
       metric=st.sampled_from(["euclidean", "manhattan"]), closed=st.sampled_from(["left", "right"]),
       inf_s=st.booleans(), inf_t=st.booleans())
def test_brute_force_agrees(points, metric, closed, inf_s, inf_t):
    x, y, t = (np.array(v, dtype=float) for v in zip(*points))
    sds = [0, 1, 10, 20] + ([math.inf] if inf_s else [])
    tds = [0, 3, 7, 14] + ([math.inf] if inf_t else [])
    result = knox_test(x, y, t, sds=sds, tds=tds, metric=metric, closed=closed, nrep=2, seed=3)
    assert result.observed.tolist() == brute(x, y, t, sds, tds, metric, closed).tolist()


def test_same_seed_same_numbers_and_json():
    rng = np.random.default_rng(4)
    x, y, t = rng.uniform(0, 2000, 300), rng.uniform(0, 2000, 300), rng.integers(0, 200, 300)
    a = knox_test(x, y, t, sds=[0, 100, 200, math.inf], tds=[0, 7, 14, math.inf], nrep=49, seed=9)
    b = knox_test(x, y, t, sds=[0, 100, 200, math.inf], tds=[0, 7, 14, math.inf], nrep=49, seed=9)
    assert np.array_equal(a.p_value, b.p_value) and np.array_equal(a.sim_mean, b.sim_mean)
    data = json.loads(json.dumps(a.to_dict(), allow_nan=False))
    assert data["sds"][-1] == "inf" and len(data["observed"]) == 3 and len(data["observed"][0]) == 3


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
