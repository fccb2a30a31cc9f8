"""The why column written for a whole table at once reads as each row's sentence on its own."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from cocoon.publish.explain import why, why_column

NEAR = [0.0, 0.04, -0.04, 0.1, 0.55, 1.0, -0.3]
"""Numbers a few tenths apart: a column of them is written from one text per tenth."""
WIDE = [0.0, -7.5, 12.3, 999.96, 1234.56, 10**6 + 0.5, 1e18, float("nan")]
"""Numbers far apart, large ones and a missing one: each written on its own."""
REASON = st.tuples(st.sampled_from(["B1", "B22", "=x"]), st.integers(0, 3), st.sampled_from([0, 1, 2, 5.5, 1500]))
REASONS = st.lists(REASON, max_size=3).map(lambda parts: ";".join(f"{i}|{d}|{m}" for i, d, m in parts))
NAMED = st.lists(REASON, min_size=1, max_size=3).map(lambda parts: ";".join(f"{i}|{d}|{m}" for i, d, m in parts))
"""Reasons that name at least one burglary (a table of them only is written in one pass)."""


@st.composite
def visits(draw: st.DrawFn) -> pd.DataFrame:
    numbers = st.sampled_from(draw(st.sampled_from([NEAR, WIDE, NEAR + WIDE])))
    reasons = draw(st.sampled_from([REASONS, NAMED]))
    rows = draw(st.lists(st.tuples(numbers, numbers, numbers, reasons), min_size=1, max_size=120))
    return pd.DataFrame(rows, columns=["score", "score_recent", "score_history", "reasons"])


@settings(max_examples=60, deadline=None)
@given(table=visits(), lang=st.sampled_from(["en", "sv"]))
def test_the_column_is_each_rows_sentence(table, lang):
    one_by_one = [why(row._asdict(), lang) for row in table.itertuples(index=False)]
    assert why_column(table, lang) == one_by_one
    # a row naming no burglary beside them: the burglaries' text is filled on its own first
    unnamed = pd.DataFrame([{"score": 0.0, "score_recent": 0.0, "score_history": 0.0, "reasons": ""}])
    assert why_column(pd.concat([table, unnamed], ignore_index=True), lang)[:-1] == one_by_one
