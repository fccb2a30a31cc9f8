"""The household register as columns: x/y and Arrow text, the GeoDataFrame made only when asked for."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from conftest import PLAN_DATE, X0, Y0
from hypothesis import example, given
from hypothesis import strategies as st

from cocoon.inputs.burglaries import read_burglaries
from cocoon.inputs.households import read_households
from cocoon.inputs.stable_ids import has_repeats, id_keys
from cocoon.inputs.tables import STR, text_column, text_values
from cocoon.risk.daily_plan import make_plan


@pytest.fixture
def points_made(monkeypatch) -> list[int]:
    """How many points shapely was asked to make, call by call."""
    made: list[int] = []
    real = shapely.points

    def counting(*args, **kwargs):
        result = real(*args, **kwargs)
        made.append(int(np.size(result)))
        return result

    monkeypatch.setattr(shapely, "points", counting)
    return made


def point_register(path, n=300):
    rng = np.random.default_rng(8)
    x, y = X0 + rng.uniform(-1500, 1500, n), Y0 + rng.uniform(-1500, 1500, n)
    gpd.GeoDataFrame(
        {
            "household_id": [f"H{i:03d}" for i in range(n)],
            "street": rng.choice(["Storgatan", "Kyrkvägen", " "], n),
            "number": rng.integers(1, 60, n).astype(str),
        },
        geometry=gpd.points_from_xy(x, y),
        crs=3006,
    ).to_parquet(path)
    return path


def test_a_point_register_is_read_without_a_point_and_its_geodataframe_made_once(tmp_path, points_made):
    path = point_register(tmp_path / "h.parquet")
    points_made.clear()  # those of writing the file
    table = read_households(path)
    assert points_made == []
    households = table.households
    assert points_made == [300]
    assert table.households is households and points_made == [300]
    expected = gpd.read_parquet(path)
    assert households.crs == expected.crs == table.crs
    assert households.geometry.x.tolist() == expected.geometry.x.tolist() == table.x.tolist()
    assert households.geometry.y.tolist() == expected.geometry.y.tolist() == table.y.tolist()
    assert households["household_id"].tolist() == expected["household_id"].tolist()
    assert households.attrs["source"] == str(path)


def test_the_plan_from_the_columns_is_the_plan_from_the_geodataframe(tmp_path, files, points_made):
    b, csv = files
    burglaries = read_burglaries(b, plan_date=PLAN_DATE).burglaries
    for path in (csv, point_register(tmp_path / "h.parquet")):  # lon/lat projected to metres; metres as they are
        table = read_households(path)
        before = len(points_made)
        columns = make_plan(burglaries, table, on=PLAN_DATE)
        assert len(points_made) == before  # the households' points are never made
        frame = make_plan(burglaries, table.households, on=PLAN_DATE)
        assert len(columns.visits) > 0
        pd.testing.assert_frame_equal(columns.visits, frame.visits)
        pd.testing.assert_frame_equal(columns.register, frame.register, check_dtype=False)
        assert columns.crs == frame.crs


TEXT = ["H1", " H2 ", "", "   ", None, "'=SUM(A1)", "'+46 70", "'x", "A\u200b", "Ｈ１", "Straße", "\u00a0B-17\u00a0"]


def test_arrow_text_is_cleaned_by_the_rules_of_other_text():
    arrow = pd.Series(TEXT, dtype=STR)
    cleaned = text_column(arrow)
    assert cleaned.dtype == STR
    assert [None if pd.isna(v) else v for v in cleaned] == text_values(arrow).tolist()
    assert [None if pd.isna(v) else v for v in text_column(pd.Series(TEXT, dtype=object))] == text_values(
        pd.Series(TEXT, dtype=object)
    ).tolist()


@given(st.lists(st.one_of(st.none(), st.text(alphabet="aZ9'=- \t\u00a0\x1c\u3000", max_size=4)), max_size=8))
@example(["H1", "H2", None])
@example(["'=SUM(A1)", "H1"])
@example(["H1", "H2\u00a0"])
@example(["H1", ""])
def test_arrow_text_clean_or_not_is_cleaned_as_other_text(values):
    """Columns that need no cleaning (kept as read) and columns that do, against the Python rules."""
    cleaned = text_column(pd.Series(values, dtype=STR))
    assert cleaned.dtype == STR
    assert [None if pd.isna(v) else v for v in cleaned] == text_values(pd.Series(values, dtype=object)).tolist()


@given(st.lists(st.one_of(st.none(), st.text(alphabet=st.characters(blacklist_categories=("Cs",)))), max_size=30))
@example(["H1", "h-2", None, ""])
@example(["H1", "H 2"])
@example(["H1", "H\x7f"])
def test_ids_in_arrow_are_shown_and_matched_as_ids_in_python(values):
    shown, keys = id_keys(pd.Series(values, dtype=STR))
    expected_shown, expected_keys = id_keys(pd.Series(values, dtype=object))
    assert [None if pd.isna(v) else v for v in shown] == expected_shown.tolist()
    assert [None if pd.isna(v) else v for v in keys] == expected_keys.tolist()


@pytest.mark.parametrize(
    ("values", "repeated"),
    [(["a", "b", None, None], False), (["a", "b", None, "a"], True), ([None, None], False), ([], False)],
)
def test_repeated_ids_are_found_in_arrow_and_in_python(values, repeated):
    assert has_repeats(pd.Series(values, dtype=STR)) is repeated
    assert has_repeats(pd.Series(values, dtype=object)) is repeated
