"""visits.csv's writer: text straight to Arrow, formulas neutralised, missing cells empty."""

import pandas as pd

from cocoon.publish.files import write_csv


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
