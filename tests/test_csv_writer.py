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
)
def test_formula_cells_are_found_from_their_first_byte(cells, start):
    arrow = pa.array(cells, type=pa.string()).slice(start)
    expected = [isinstance(c, str) and c.startswith(FORMULA_START) for c in cells[start:]]
    assert _formulas(arrow).tolist() == expected


def test_arrow_text_in_several_chunks_is_written_whole(tmp_path):
    column = pd.Series(pd.arrays.ArrowExtensionArray(pa.chunked_array([["=a", None], ["b"]])))
    path = write_csv(pd.DataFrame({"id": column}), tmp_path / "chunks.csv")
    assert path.read_text(encoding="utf-8").splitlines() == ['"id"', '"\'=a"', "", '"b"']
