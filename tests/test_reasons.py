"""The burglaries behind each score, handed from the ranking to the sentence as arrays."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from conftest import PLAN_DATE, X0, Y0
from hypothesis import given
from hypothesis import strategies as st
from test_ranking import burglaries, households

from cocoon.publish import explain
from cocoon.publish.explain import why_column
from cocoon.risk.daily_plan import make_plan
from cocoon.risk.reasons import _whole, reason_lists, reason_text, top_pairs


def test_top_pairs_most_points_then_nearest_then_first_given():
    # household 0: pairs 0-3; household 1: pair 4 only; household 2: no points.
    h = np.array([0, 0, 0, 0, 1, 2])
    points = np.array([5.0, 9.0, 9.0, 9.0, 1.0, 0.0])
    distance = np.array([10.0, 30.0, 20.0, 20.0, 5.0, 1.0])
    picks = top_pairs(h, distance, points, 3)
    assert picks.tolist() == [[2, 4, -1], [3, -1, -1]]


def test_lists_and_their_short_text():
    picks = np.array([[1, -1, 2], [0, -1, -1]])
    lists = reason_lists(
        picks,
        np.array([0, 1, 1]),
        np.array([3, 1, 40]),
        np.array([12.4, 7.6, 100.5]),
        ids=np.array(["B1", "B2"], dtype=object),
    )
    assert lists.to_pylist() == [
        [{"id": "B2", "days": 1, "m": 8}, {"id": "B1", "days": 3, "m": 12}],
        [],
        [{"id": "B2", "days": 40, "m": 100}],
    ]
    assert reason_text(lists).to_pylist() == ["B2|1|8;B1|3|12", "", "B2|40|100"]


def test_an_id_with_the_texts_separators_is_still_named_in_the_sentence():
    bxy = np.array([[X0, Y0], [X0 + 250, Y0]])
    hxy = np.array([[X0 + 60, Y0]])
    b = burglaries(bxy, [2, 40])
    b["burglary_id"] = ["2026|17;a", "B1"]
    plan = make_plan(b, households(hxy), on=PLAN_DATE)
    sentence = why_column(plan.visits, "en")[0]
    assert "(2026|17;a, 2 days ago, 60 m; B1, 40 days ago, 190 m)" in sentence, sentence


def test_the_sentence_from_the_lists_is_the_sentence_from_the_text():
    bxy = np.array([[X0, Y0], [X0 + 250, Y0], [X0 - 100, Y0 + 80]])
    hxy = np.array([[X0 + 60, Y0], [X0 + 250, Y0 + 30], [X0 + 900, Y0], [X0 - 90, Y0 + 70]])
    plan = make_plan(burglaries(bxy, [1, 40, 3]), households(hxy), on=PLAN_DATE)
    for lang in ("en", "sv"):
        assert why_column(plan.visits, lang) == why_column(plan.visits.drop(columns="_reasons"), lang)


def test_the_sentences_written_in_pieces_are_the_sentences_written_at_once(monkeypatch):
    """A long list's why column is written in pieces on both cores: each piece's lists are a slice
    of the ranking's, and some pieces name no burglary on some rows."""
    rng = np.random.default_rng(3)
    bxy = np.array([X0, Y0]) + rng.uniform(-300, 300, (6, 2))
    hxy = np.array([X0, Y0]) + rng.uniform(-500, 500, (40, 2))
    plan = make_plan(burglaries(bxy, [1, 2, 5, 14, 30, 50]), households(hxy), on=PLAN_DATE)
    lists = pa.array(plan.visits["_reasons"].array)
    emptied = pa.array([[] if i % 7 == 3 else x for i, x in enumerate(lists.to_pylist())], type=lists.type)
    visits = plan.visits.assign(_reasons=pd.Series(pd.arrays.ArrowExtensionArray(emptied), index=plan.visits.index))
    assert len(visits) > 20
    for lang in ("en", "sv"):
        whole = why_column(visits, lang)
        assert all(whole) and any("days ago" in s or "dagar sedan" in s for s in whole)
        with monkeypatch.context() as patch:
            patch.setattr(explain, "WHY_PIECE_ROWS", 3)
            patch.setattr(explain.os, "cpu_count", lambda: 2)
            assert why_column(visits, lang) == whole


@given(st.lists(st.integers(-3, 1200), max_size=60) | st.lists(st.integers(-(2**40), 2**40), max_size=8))
def test_whole_numbers_looked_up_are_written_as_arrow_writes_them(numbers):
    values = pa.array(numbers, type=pa.int64())
    assert _whole(values).to_pylist() == pc.cast(values, pa.string()).to_pylist()
