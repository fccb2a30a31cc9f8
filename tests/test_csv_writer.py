"""visits.csv's writer: text straight to Arrow, formulas neutralised, missing cells empty."""

import pandas as pd
import pyarrow as pa
from hypothesis import given
from hypothesis import strategies as st

from cocoon.publish.files import FORMULA_START, _formulas, write_csv


def test_text_columns_are_written_as_given_with_formulas_neutralised(tmp_path):
    frame = pd.DataFrame(
        {
            "id": ["H1", "=1+1", None, "-2", "@x", "ok"],
            "mixed": ["a", 3, None, "+b", 4.5, "c"],  # other objects: written as text too
            "number": [1.5, 2.0, float("nan"), 4.0, 5.0, 6.0],
            "tier": pd.Categorical(["A", "B", "C", "A", "B", "C"]),
            "empty": [None] * 6,
            "typed": pd.array(["x", pd.NA, "\tt", "y", "z", "w"], dtype="string"),
        }
    )
    path = write_csv(frame, tmp_path / "visits.csv")
    assert path.read_text(encoding="utf-8").splitlines() == [
        '"id","mixed","number","tier","empty","typed"',
        '"H1","a",1.5,"A",,"x"',
        '"\'=1+1","3",2,"B",,',
        ',,,"C",,"\'\tt"',
        '"\'-2","\'+b",4,"A",,"y"',
        '"\'@x","4.5",5,"B",,"z"',
        '"ok","c",6,"C",,"w"',
    ]


@given(
    cells=st.lists(st.none() | st.text(alphabet="=+-@\t\r a\u00e9\u20ac'\"", max_size=4), max_size=30),
    start=st.integers(0, 5),
    kind=st.sampled_from([pa.string(), pa.large_string()]),
)
def test_formula_cells_are_found_from_their_first_byte(cells, start, kind):
    arrow = pa.array(cells, type=kind).slice(start)
    expected = [isinstance(c, str) and c.startswith(FORMULA_START) for c in cells[start:]]
    assert _formulas(arrow).tolist() == expected


def test_arrow_text_in_several_chunks_is_written_whole(tmp_path):
    column = pd.Series(pd.arrays.ArrowExtensionArray(pa.chunked_array([["=a", None], ["b"]])))
    path = write_csv(pd.DataFrame({"id": column}), tmp_path / "chunks.csv")
    assert path.read_text(encoding="utf-8").splitlines() == ['"id"', '"\'=a"', "", '"b"']


def test_large_text_columns_are_written_as_they_are_with_formulas_neutralised(tmp_path):
    """pandas keeps text as Arrow's large strings: written without a copy, formulas still neutralised."""
    column = pd.Series(pd.arrays.ArrowExtensionArray(pa.array(["=a", None, "b", "+1"], type=pa.large_string())))
    path = write_csv(pd.DataFrame({"id": column, "n": [1, 2, 3, 4]}), tmp_path / "large.csv")
    assert path.read_text(encoding="utf-8").splitlines() == ['"id","n"', '"\'=a",1', ",2", '"b",3', '"\'+1",4']


def test_arrow_text_in_several_chunks_without_formulas_is_written_as_it_is(tmp_path):
    chunks = pa.chunked_array([pa.array(["a", None], pa.large_string()), pa.array(["b,c"], pa.large_string())])
    frame = pd.DataFrame({"id": pd.Series(pd.arrays.ArrowExtensionArray(chunks)), "n": [1.5, 2.0, 3.25]})
    path = write_csv(frame, tmp_path / "chunks.csv")
    assert path.read_text(encoding="utf-8").splitlines() == ['"id","n"', '"a",1.5', ",2", '"b,c",3.25']
